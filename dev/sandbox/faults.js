'use strict';

const http = require('node:http');
const { createSlidingWindow } = require('./ratelimit');
const { fillerBody } = require('./transport');
const { JSON_TYPE, XML_TYPE } = require('./routes');

/**
 * Faults: ways the real service (or the network in front of it) misbehaves, so the node's error
 * handling and the benchmarks can be exercised on purpose. Their settings (checked: a typo throws),
 * which one replaces a request's answer, and that answer. A new set replaces the whole set rather
 * than merging, so `{}` always means "behave".
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

/** The error-code page's words for code 429 (docs/mailpartner-api.md#codes-every-call-can-get). */
const TOO_MANY_REQUESTS_MESSAGE = 'Trop de requêtes effectuées en une minute (limite : 2000 requêtes / minute / Adresse IP)';
const HTML_TYPE = 'text/html; charset=utf-8';
/** The small HTML page nginx sends with an error or a redirect. */
const nginxPage = (title, doctype = '') => `${doctype}<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n`;
const HTML_502 = nginxPage('502 Bad Gateway', '<!DOCTYPE html>\n');
const MALFORMED_BODY = '{"success": tru';
const REDIRECT_REASONS = { 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };
// Headers the sandbox computes itself: a canned answer setting them would contradict the body it sends.
const RESERVED_HEADERS = ['content-length', 'transfer-encoding', 'connection'];

const fail = (message) => {
	throw new TypeError(message);
};
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const inRange = (value, name, min, max, integer = true) => {
	const v = Number(value);
	if (!(integer ? Number.isInteger(v) : Number.isFinite(v)) || v < min || v > max) fail(`${name} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
	return v;
};
/** A structured fault takes exactly its documented keys: a misspelt option must not be ignored. */
const shaped = (value, shape, allowed, required) => {
	if (!isObject(value)) fail(shape);
	for (const key of Object.keys(value)) if (!allowed.includes(key)) fail(`${shape} (unexpected "${key}")`);
	for (const key of required) if (value[key] === undefined) fail(`${shape} ("${key}" is required)`);
	return value;
};
const routePath = (value, name) => {
	if (value === undefined || value === null) return null;
	return typeof value === 'string' && value.startsWith('/') ? value : fail(`${name} must be a route path such as "/me"`);
};

/** Defaults filled in, each value checked: unknown keys and bad values throw. */
function normaliseFaults(input = {}) {
	if (!isObject(input)) fail('faults must be an object');
	for (const key of Object.keys(input)) if (!(key in DEFAULT_FAULTS)) fail(`unknown fault "${key}"`);
	const f = { ...DEFAULT_FAULTS, ...input };
	f.latencyMs = inRange(f.latencyMs, 'latencyMs', 0, 600000, false);
	f.errorRate = inRange(f.errorRate, 'errorRate', 0, 1, false);
	f.seed = inRange(f.seed, 'seed', 0, 2 ** 32 - 1, false);
	if (f.httpStatus !== null) f.httpStatus = inRange(f.httpStatus, 'httpStatus', 100, 599, false);
	for (const flag of ['htmlErrorPage', 'truncateBody', 'malformedBody', 'dropConnection', 'stallHeaders', 'stallBody']) f[flag] = Boolean(f[flag]);
	if (f.forceError !== null) {
		if (typeof f.forceError !== 'object' || !Number.isInteger(Number(f.forceError.code))) fail('forceError must be {code, message?, path?}');
		f.forceError = { ...f.forceError, code: Number(f.forceError.code) };
	}
	if (f.rateLimit !== null) {
		const { requests, windowMs } = shaped(f.rateLimit, 'rateLimit must be {requests, windowMs}', ['requests', 'windowMs'], []);
		f.rateLimit = { requests: inRange(requests, 'rateLimit.requests', 1, 10000000), windowMs: inRange(windowMs, 'rateLimit.windowMs', 1, 86400000) };
	}
	if (f.redirect !== null) {
		const shape = 'redirect must be {status: 301|302|303|307|308, to: absolute URL, path?, keepPath?}';
		const r = shaped(f.redirect, shape, ['status', 'to', 'path', 'keepPath'], ['status', 'to']);
		if (!REDIRECT_REASONS[Number(r.status)]) fail(shape);
		if (!URL.canParse(r.to) || !['http:', 'https:'].includes(new URL(r.to).protocol)) fail(`${shape} (bad "to")`);
		f.redirect = { status: Number(r.status), to: String(r.to), path: routePath(r.path, 'redirect.path'), keepPath: Boolean(r.keepPath) };
	}
	if (f.slowBody !== null) {
		const { bytesPerSecond } = shaped(f.slowBody, 'slowBody must be {bytesPerSecond}', ['bytesPerSecond'], ['bytesPerSecond']);
		f.slowBody = { bytesPerSecond: inRange(bytesPerSecond, 'slowBody.bytesPerSecond', 1, 1e9) };
	}
	if (f.hugeBody !== null) {
		const shape = "hugeBody must be {bytes, kind: 'json'|'xml'|'endless', status?}";
		const h = shaped(f.hugeBody, shape, ['bytes', 'kind', 'status'], f.hugeBody?.kind === 'endless' ? ['kind'] : ['kind', 'bytes']);
		if (!['json', 'xml', 'endless'].includes(h.kind)) fail(shape);
		// The smallest size still holds the whole failure envelope (about 120 bytes) around the message.
		const bytes = h.kind === 'endless' ? null : inRange(h.bytes, 'hugeBody.bytes', 256, 2 ** 40);
		f.hugeBody = { kind: h.kind, bytes, status: h.status === undefined ? 500 : inRange(h.status, 'hugeBody.status', 100, 599) };
	}
	if (f.deepNesting !== null) {
		const shape = "deepNesting must be {depth, format?: 'json'|'xml', key?}";
		const d = shaped(f.deepNesting, shape, ['depth', 'format', 'key'], ['depth']);
		if (![undefined, 'json', 'xml'].includes(d.format) || (d.key !== undefined && (typeof d.key !== 'string' || d.key === ''))) fail(shape);
		f.deepNesting = { depth: inRange(d.depth, 'deepNesting.depth', 1, 1000000), format: d.format ?? null, key: d.key ?? 'data' };
	}
	if (f.tooManyRequests !== null) {
		const t = shaped(f.tooManyRequests, 'tooManyRequests must be {count, retryAfterSeconds?}', ['count', 'retryAfterSeconds'], ['count']);
		const retry = t.retryAfterSeconds ?? null;
		f.tooManyRequests = { count: inRange(t.count, 'tooManyRequests.count', 1, 1e9), retryAfterSeconds: retry === null ? null : inRange(retry, 'tooManyRequests.retryAfterSeconds', 0, 86400) };
	}
	if (f.answer !== null) {
		const shape = 'answer must be {status, body, contentType?, headers?, path?}';
		const a = shaped(f.answer, shape, ['status', 'body', 'contentType', 'headers', 'path'], ['status', 'body']);
		if (typeof a.body !== 'string') fail(`${shape} (body must be a string)`);
		if (a.headers !== undefined && !isObject(a.headers)) fail(`${shape} (headers must be an object)`);
		const headers = Object.fromEntries(Object.entries(a.headers ?? {}).map(([name, value]) => [name, String(value)]));
		const contentType = a.contentType === undefined ? JSON_TYPE : String(a.contentType);
		// Checked now, so a bad header is a 400 on the control call rather than a crash mid-answer.
		for (const [name, value] of Object.entries({ ...headers, 'Content-Type': contentType })) {
			if (RESERVED_HEADERS.includes(name.toLowerCase())) fail(`answer.headers may not set ${name}: the sandbox computes it`);
			http.validateHeaderName(name);
			http.validateHeaderValue(name, value);
		}
		f.answer = { status: inRange(a.status, 'answer.status', 100, 599), body: a.body, contentType, headers, path: routePath(a.path, 'answer.path') };
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

/**
 * A fault set in force; its RNG sequence, rate-limit window and count of 429s start afresh with it.
 * `pick(routePath, nowMs)` says which fault, if any, replaces this request's answer: the enforced
 * limit first (a refused request is never processed), then one at a time, the most disruptive first
 * (README, "Faults"). Body damage is not picked: it applies to whichever answer is sent.
 */
function armFaults(input) {
	const faults = normaliseFaults(input);
	const rng = createRng(faults.seed);
	const window = faults.rateLimit && createSlidingWindow(faults.rateLimit);
	let tooManyLeft = faults.tooManyRequests?.count ?? 0;
	const onRoute = (fault, path) => fault && (!fault.path || fault.path === path);
	function pick(path, nowMs) {
		const admitted = window ? window.take(nowMs) : { ok: true };
		if (!admitted.ok) return { kind: 'tooMany', retryAfterSeconds: admitted.retryAfterSeconds };
		if (faults.dropConnection) return { kind: 'drop' };
		if (faults.stallHeaders) return { kind: 'stallHeaders' };
		if (onRoute(faults.redirect, path)) return { kind: 'redirect' };
		// Counted only when it is the answer given, so "the next `count` requests" holds whatever precedes it.
		if (tooManyLeft > 0) {
			tooManyLeft -= 1;
			return { kind: 'tooMany', retryAfterSeconds: faults.tooManyRequests.retryAfterSeconds };
		}
		if (faults.htmlErrorPage) return { kind: 'html' };
		if (faults.httpStatus !== null) return { kind: 'status' };
		// The RNG is drawn only here, so other settings do not shift the sequence.
		if (faults.errorRate > 0 && rng() < faults.errorRate) return { kind: 'random500' };
		if (faults.malformedBody) return { kind: 'malformed' };
		if (onRoute(faults.answer, path)) return { kind: 'answer' };
		if (faults.hugeBody) return { kind: 'huge' };
		if (faults.deepNesting) return { kind: 'deep' };
		if (onRoute(faults.forceError, path)) return { kind: 'force' };
		return null;
	}
	return { faults, pick };
}

/**
 * A canned body's placeholders, filled with the API key exactly as this request carried it
 * (decoded from the query or the JSON body), so a test can prove a node redacts an echoed key
 * in every spelling: raw, JSON `\u` escapes, XML numeric character references.
 */
function fillPlaceholders(body, apiKey) {
	if (!body.includes('{{')) return body;
	const key = typeof apiKey === 'string' ? apiKey : '';
	// Every UTF-16 unit, as JSON.parse reads `\\uXXXX` (a character outside the BMP is two).
	const jsonEscaped = Array.from({ length: key.length }, (_, i) => `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
	const xmlRefs = [...key].map((ch) => `&#${ch.codePointAt(0)};`).join('');
	return body.replaceAll('{{apiKeyJsonEscaped}}', jsonEscaped).replaceAll('{{apiKeyXmlCharRefs}}', xmlRefs).replaceAll('{{apiKey}}', key);
}

/** A MailPartner failure `bytes` long in all whose message is filler, streamed; `endless` follows the call's format and never ends. */
function hugeAnswer({ kind, status, bytes }, format) {
	const xml = kind === 'xml' || (kind === 'endless' && format === 'xml');
	const body = xml
		? fillerBody(`<?xml version="1.0" encoding="UTF-8"?>\n<result>\n    <entry>false</entry>\n    <entry>${status}</entry>\n    <entry><![CDATA[`, ']]></entry>\n</result>\n', bytes)
		: fillerBody(`{"success":false,"code":${status},"message":"`, '"}', bytes);
	return { status, type: xml ? XML_TYPE : JSON_TYPE, body };
}

/** A success whose `key` holds `depth` nested arrays (JSON) or `<entry>`s (XML), the innermost empty. */
function deepAnswer({ depth, key, format }, callFormat) {
	if ((format ?? callFormat) === 'xml') {
		return { status: 200, type: XML_TYPE, text: `<?xml version="1.0" encoding="UTF-8"?>\n<result><entry>true</entry><entry>200</entry>${'<entry>'.repeat(depth)}${'</entry>'.repeat(depth)}</result>\n` };
	}
	return { status: 200, type: JSON_TYPE, text: `{"success":true,"code":200,${JSON.stringify(key)}:${'['.repeat(depth)}${']'.repeat(depth)}}` };
}

const jsonFailure = (status, message) => ({ status, type: JSON_TYPE, text: JSON.stringify({ success: false, code: status, message }) });

/**
 * The answer a picked fault gives (not `drop` nor `stallHeaders`, which give none).
 * @param {{format: string, apiKey: unknown, url: string, failure: (code: number, message?: string) => object}} call
 *   `failure` renders a MailPartner failure as the route would
 * @returns `{status, type, text | body, headers?}`
 */
function faultAnswer(fault, faults, { format, apiKey, url, failure }) {
	switch (fault.kind) {
		case 'redirect': {
			const { status, to, keepPath } = faults.redirect;
			// keepPath: `to`'s origin plus the request's own path and query, as a host move or an
			// http→https proxy does: on a GET that hands the API key to the other host.
			const location = keepPath ? new URL(url, new URL(to).origin).href : to;
			return { status, type: HTML_TYPE, text: nginxPage(`${status} ${REDIRECT_REASONS[status]}`), headers: { Location: location } };
		}
		case 'tooMany': {
			const headers = fault.retryAfterSeconds === null ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
			return { ...failure(429, TOO_MANY_REQUESTS_MESSAGE), status: 429, headers };
		}
		case 'html':
			return { status: 502, type: HTML_TYPE, text: HTML_502 };
		case 'status':
			return jsonFailure(faults.httpStatus, `Erreur HTTP ${faults.httpStatus} (sandbox)`);
		case 'random500':
			return jsonFailure(500, 'Erreur interne du serveur');
		case 'malformed':
			return { status: 200, type: JSON_TYPE, text: MALFORMED_BODY };
		case 'answer': {
			const { status, contentType, body, headers } = faults.answer;
			return { status, type: contentType, text: fillPlaceholders(body, apiKey), headers };
		}
		case 'huge':
			return hugeAnswer(faults.hugeBody, format);
		case 'deep':
			return deepAnswer(faults.deepNesting, format);
		default:
			return failure(faults.forceError.code, faults.forceError.message);
	}
}

module.exports = { TOO_MANY_REQUESTS_MESSAGE, HTML_502, armFaults, faultAnswer, jsonFailure };
