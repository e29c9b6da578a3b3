'use strict';

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
});

/** The error-code page's words for code 429 (MAIL-API-FULL.md, "Codes d'erreur"). */
const TOO_MANY_REQUESTS_MESSAGE = 'Trop de requêtes effectuées en une minute (limite : 2000 requêtes / minute / Adresse IP)';

const object = (value, shape) => {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(shape);
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
 * first; `truncateBody` is not here because it damages whatever answer is chosen.
 * The RNG is drawn only when errorRate is set, so other settings do not shift the sequence.
 * @returns {null | {kind: 'drop'|'html'|'status'|'random500'|'malformed'|'force', status?: number}}
 */
function pickFault(faults, rng, routePath) {
	if (faults.dropConnection) return { kind: 'drop' };
	if (faults.htmlErrorPage) return { kind: 'html', status: 502 };
	if (faults.httpStatus !== null) return { kind: 'status', status: faults.httpStatus };
	if (faults.errorRate > 0 && rng() < faults.errorRate) return { kind: 'random500', status: 500 };
	if (faults.malformedBody) return { kind: 'malformed', status: 200 };
	const force = faults.forceError;
	if (force && (!force.path || force.path === routePath)) return { kind: 'force' };
	return null;
}

module.exports = { TOO_MANY_REQUESTS_MESSAGE, DEFAULT_FAULTS, normaliseFaults, createRng, pickFault, HTML_502, MALFORMED_BODY };
