'use strict';

const http = require('node:http');

/**
 * Fault settings: ways the real service (or the network in front of it) misbehaves, so the node's
 * error handling and the benchmarks can be exercised on purpose. Setting faults replaces the whole
 * set rather than merging, so `{}` always means "behave".
 */

const DEFAULT_FAULTS = Object.freeze({
	latencyMs: 0,
	errorRate: 0,
	seed: 1,
	httpStatus: null,
	htmlErrorPage: false,
	truncateBody: false,
	malformedBody: false,
	dropConnection: false,
	forceError: null,
	rateLimit: null,
	redirect: null,
	stallHeaders: false,
	stallBody: false,
	slowBody: null,
	hugeBody: null,
	deepNesting: null,
	tooManyRequests: null,
	answer: null,
});

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
// Headers the sandbox computes itself: a canned answer setting them would contradict the body it sends.
const RESERVED_HEADERS = ['content-length', 'transfer-encoding', 'connection'];

/** The error-code page's words for code 429 (docs/mailpartner-api.md#codes-every-call-can-get). */
const TOO_MANY_REQUESTS_MESSAGE = 'Trop de requêtes effectuées en une minute (limite : 2000 requêtes / minute / Adresse IP)';

const object = (value, shape) => {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(shape);
	return value;
};
/** Each structured fault takes exactly its documented keys: a misspelt option must not be ignored. */
const only = (value, shape, allowed, required) => {
	object(value, shape);
	for (const key of Object.keys(value)) if (!allowed.includes(key)) throw new TypeError(`${shape} (unexpected "${key}")`);
	for (const key of required) if (value[key] === undefined) throw new TypeError(`${shape} ("${key}" is required)`);
	return value;
};
const optionalPath = (value, name) => {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string' || !value.startsWith('/')) throw new TypeError(`${name} must be a route path such as "/me"`);
	return value;
};
const int = (value, name, min, max) => {
	const v = Number(value);
	if (!Number.isInteger(v) || v < min || v > max) throw new TypeError(`${name} must be an integer in ${min}..${max}`);
	return v;
};

/** Unknown keys and bad values throw so that a typo in a test or a control call is not silently ignored. */
function normaliseFaults(input = {}) {
	if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new TypeError('faults must be an object');
	for (const key of Object.keys(input)) {
		if (!(key in DEFAULT_FAULTS)) throw new TypeError(`unknown fault "${key}"`);
	}
	const f = { ...DEFAULT_FAULTS, ...input };
	const num = (name, min, max) => {
		const v = Number(f[name]);
		if (!Number.isFinite(v) || v < min || v > max) throw new TypeError(`${name} must be a number in ${min}..${max}`);
		return v;
	};
	f.latencyMs = num('latencyMs', 0, 600000);
	f.errorRate = num('errorRate', 0, 1);
	f.seed = num('seed', 0, 2 ** 32 - 1);
	if (f.httpStatus !== null) f.httpStatus = num('httpStatus', 100, 599);
	for (const flag of ['htmlErrorPage', 'truncateBody', 'malformedBody', 'dropConnection']) f[flag] = Boolean(f[flag]);
	if (f.forceError !== null) {
		if (typeof f.forceError !== 'object' || !Number.isInteger(Number(f.forceError.code))) {
			throw new TypeError('forceError must be {code, message?, path?}');
		}
		f.forceError = { ...f.forceError, code: Number(f.forceError.code) };
	}
	if (f.rateLimit !== null) {
		const shape = 'rateLimit must be {requests, windowMs}';
		const { requests, windowMs, ...rest } = object(f.rateLimit, shape);
		if (Object.keys(rest).length) throw new TypeError(shape);
		f.rateLimit = { requests: int(requests, 'rateLimit.requests', 1, 10000000), windowMs: int(windowMs, 'rateLimit.windowMs', 1, 86400000) };
	}
	for (const flag of ['stallHeaders', 'stallBody']) f[flag] = Boolean(f[flag]);
	if (f.redirect !== null) {
		const shape = 'redirect must be {status: 301|302|303|307|308, to: absolute URL, path?, keepPath?}';
		const r = only(f.redirect, shape, ['status', 'to', 'path', 'keepPath'], ['status', 'to']);
		if (!REDIRECT_STATUSES.includes(Number(r.status))) throw new TypeError(shape);
		let to;
		try {
			to = new URL(r.to);
		} catch {
			throw new TypeError(`${shape} (bad "to")`);
		}
		if (!['http:', 'https:'].includes(to.protocol)) throw new TypeError(`${shape} (bad "to")`);
		f.redirect = { status: Number(r.status), to: String(r.to), path: optionalPath(r.path, 'redirect.path'), keepPath: Boolean(r.keepPath) };
	}
	if (f.slowBody !== null) {
		const { bytesPerSecond } = only(f.slowBody, 'slowBody must be {bytesPerSecond}', ['bytesPerSecond'], ['bytesPerSecond']);
		f.slowBody = { bytesPerSecond: int(bytesPerSecond, 'slowBody.bytesPerSecond', 1, 1e9) };
	}
	if (f.hugeBody !== null) {
		const shape = "hugeBody must be {bytes, kind: 'json'|'xml'|'endless', status?}";
		const h = only(f.hugeBody, shape, ['bytes', 'kind', 'status'], ['kind']);
		if (!['json', 'xml', 'endless'].includes(h.kind)) throw new TypeError(shape);
		if (h.kind !== 'endless' && h.bytes === undefined) throw new TypeError(`${shape} ("bytes" is required)`);
		f.hugeBody = {
			kind: h.kind,
			// The smallest size still holds the whole failure envelope (about 120 bytes) around the message.
			bytes: h.kind === 'endless' ? null : int(h.bytes, 'hugeBody.bytes', 256, 2 ** 40),
			status: h.status === undefined ? 500 : int(h.status, 'hugeBody.status', 100, 599),
		};
	}
	if (f.deepNesting !== null) {
		const shape = "deepNesting must be {depth, format?: 'json'|'xml', key?}";
		const d = only(f.deepNesting, shape, ['depth', 'format', 'key'], ['depth']);
		if (d.format !== undefined && !['json', 'xml'].includes(d.format)) throw new TypeError(shape);
		if (d.key !== undefined && (typeof d.key !== 'string' || d.key === '')) throw new TypeError(shape);
		f.deepNesting = { depth: int(d.depth, 'deepNesting.depth', 1, 1000000), format: d.format ?? null, key: d.key ?? 'data' };
	}
	if (f.tooManyRequests !== null) {
		const t = only(f.tooManyRequests, 'tooManyRequests must be {count, retryAfterSeconds?}', ['count', 'retryAfterSeconds'], ['count']);
		f.tooManyRequests = {
			count: int(t.count, 'tooManyRequests.count', 1, 1e9),
			retryAfterSeconds: t.retryAfterSeconds === undefined || t.retryAfterSeconds === null ? null : int(t.retryAfterSeconds, 'tooManyRequests.retryAfterSeconds', 0, 86400),
		};
	}
	if (f.answer !== null) {
		const shape = 'answer must be {status, body, contentType?, headers?, path?}';
		const a = only(f.answer, shape, ['status', 'body', 'contentType', 'headers', 'path'], ['status', 'body']);
		if (typeof a.body !== 'string') throw new TypeError(`${shape} (body must be a string)`);
		const headers = a.headers === undefined ? {} : object(a.headers, `${shape} (headers must be an object)`);
		for (const [name, value] of Object.entries(headers)) {
			if (RESERVED_HEADERS.includes(name.toLowerCase())) throw new TypeError(`answer.headers may not set ${name}: the sandbox computes it`);
			// Checked now, so a bad header is a 400 on the control call rather than a crash mid-answer.
			http.validateHeaderName(name);
			http.validateHeaderValue(name, String(value));
		}
		f.answer = {
			status: int(a.status, 'answer.status', 100, 599),
			body: a.body,
			contentType: a.contentType === undefined ? 'application/json; charset=utf-8' : String(a.contentType),
			headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
			path: optionalPath(a.path, 'answer.path'),
		};
		http.validateHeaderValue('Content-Type', f.answer.contentType);
	}
	return f;
}

/** mulberry32: tiny, seedable, good enough to make `errorRate` runs repeatable. */
function createRng(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const HTML_502 =
	'<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n' +
	'<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n';

const MALFORMED_BODY = '{"success": tru';

/**
 * Which fault, if any, replaces this request's answer. One fault at a time, the most disruptive
 * first (README, "Faults"); `truncateBody`, `slowBody` and `stallBody` are not here because they
 * damage whatever answer is chosen, and `rateLimit` is decided before any of these.
 * The RNG is drawn only when errorRate is reached, so other settings do not shift the sequence.
 * `counters.tooManyLeft` is the sandbox's count of 429s still owed by `tooManyRequests`.
 * @returns {null | {kind: string, status?: number}}
 */
function pickFault(faults, rng, routePath, counters = { tooManyLeft: 0 }) {
	const onRoute = (fault) => fault && (!fault.path || fault.path === routePath);
	if (faults.dropConnection) return { kind: 'drop' };
	if (faults.stallHeaders) return { kind: 'stallHeaders' };
	if (onRoute(faults.redirect)) return { kind: 'redirect', status: faults.redirect.status };
	// Counted only when it is the answer given, so "the next `count` requests" holds whatever precedes it.
	if (counters.tooManyLeft > 0) {
		counters.tooManyLeft -= 1;
		return { kind: 'tooMany', status: 429 };
	}
	if (faults.htmlErrorPage) return { kind: 'html', status: 502 };
	if (faults.httpStatus !== null) return { kind: 'status', status: faults.httpStatus };
	if (faults.errorRate > 0 && rng() < faults.errorRate) return { kind: 'random500', status: 500 };
	if (faults.malformedBody) return { kind: 'malformed', status: 200 };
	if (onRoute(faults.answer)) return { kind: 'answer', status: faults.answer.status };
	if (faults.hugeBody) return { kind: 'huge', status: faults.hugeBody.status };
	if (faults.deepNesting) return { kind: 'deep', status: 200 };
	if (onRoute(faults.forceError)) return { kind: 'force' };
	return null;
}

module.exports = { TOO_MANY_REQUESTS_MESSAGE, DEFAULT_FAULTS, normaliseFaults, createRng, pickFault, HTML_502, MALFORMED_BODY };
