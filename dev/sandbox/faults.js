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
	latencyMs: 0, errorRate: 0, seed: 1, httpStatus: null, forceError: null, rateLimit: null, redirect: null, answer: null,
	htmlErrorPage: false, truncateBody: false, malformedBody: false, dropConnection: false, stallHeaders: false, stallBody: false,
	slowBody: null, hugeBody: null, deepNesting: null, tooManyRequests: null,
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

// Checks: each takes `(value, name)` and returns the value to keep, or throws with the fault's name.
const number = (min, max, integer = true) => (value, name) => {
	const v = Number(value);
	return (integer ? Number.isInteger(v) : Number.isFinite(v)) && v >= min && v <= max ? v : fail(`${name} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}`);
};
const oneOf = (...allowed) => (value, name) => (allowed.includes(value) ? value : fail(`${name} must be one of ${allowed.join(', ')}`));
const text = (value, name) => (typeof value === 'string' ? value : fail(`${name} must be a string`));
const routePath = (value, name) => (typeof value === 'string' && value.startsWith('/') ? value : fail(`${name} must be a route path such as "/me"`));
const httpUrl = (value, name) => (URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol) ? String(value) : fail(`${name} must be an absolute http(s) URL`));
/** Checked now, so a bad header is a 400 on the control call rather than a crash mid-answer. */
const headers = (value, name) => {
	if (!isObject(value)) fail(`${name} must be an object`);
	const checked = Object.fromEntries(Object.entries(value).map(([header, v]) => [header, String(v)]));
	for (const [header, v] of Object.entries(checked)) {
		if (RESERVED_HEADERS.includes(header.toLowerCase())) fail(`${name} may not set ${header}: the sandbox computes it`);
		http.validateHeaderName(header);
		http.validateHeaderValue(header, v);
	}
	return checked;
};
const contentType = (value) => {
	http.validateHeaderValue('Content-Type', String(value));
	return String(value);
};
/** A key that may be left out (or null): it then takes `fallback`. */
const optional = (check, fallback) => Object.assign((value, name) => (value === undefined || value === null ? fallback : check(value, name)), { optional: true });

/** The structured faults and their keys: only these keys, each checked, a misspelt option is never ignored. */
const SHAPES = {
	forceError: { code: number(-(2 ** 31), 2 ** 31), message: optional(text, undefined), path: optional(routePath, null) },
	rateLimit: { requests: number(1, 10000000), windowMs: number(1, 86400000) },
	redirect: { status: (v, name) => oneOf(...Object.keys(REDIRECT_REASONS).map(Number))(Number(v), name), to: httpUrl, path: optional(routePath, null), keepPath: optional(Boolean, false) },
	slowBody: { bytesPerSecond: number(1, 1e9) },
	// `bytes` (none for `endless`): the smallest size still holds the failure envelope (about 120 bytes) around the message.
	hugeBody: { kind: oneOf('json', 'xml', 'endless'), bytes: optional(number(256, 2 ** 40), null), status: optional(number(100, 599), 500) },
	deepNesting: { depth: number(1, 1000000), format: optional(oneOf('json', 'xml'), null), key: optional((v, name) => (v !== '' ? text(v, name) : fail(`${name} must not be empty`)), 'data') },
	tooManyRequests: { count: number(1, 1e9), retryAfterSeconds: optional(number(0, 86400), null) },
	answer: { status: number(100, 599), body: text, contentType: optional(contentType, JSON_TYPE), headers: optional(headers, {}), path: optional(routePath, null) },
};

function shaped(value, name, shape) {
	if (!isObject(value)) fail(`${name} must be {${Object.keys(shape).join(', ')}}`);
	for (const key of Object.keys(value)) if (!(key in shape)) fail(`${name} takes no "${key}" (only ${Object.keys(shape).join(', ')})`);
	return Object.fromEntries(Object.entries(shape).map(([key, check]) => [key, value[key] === undefined && !check.optional ? fail(`${name}.${key} is required`) : check(value[key], `${name}.${key}`)]));
}

/** Defaults filled in, each value checked: unknown keys and bad values throw. */
function normaliseFaults(input = {}) {
	if (!isObject(input)) fail('faults must be an object');
	for (const key of Object.keys(input)) if (!(key in DEFAULT_FAULTS)) fail(`unknown fault "${key}"`);
	const f = { ...DEFAULT_FAULTS, ...input };
	f.latencyMs = number(0, 600000, false)(f.latencyMs, 'latencyMs');
	f.errorRate = number(0, 1, false)(f.errorRate, 'errorRate');
	f.seed = number(0, 2 ** 32 - 1, false)(f.seed, 'seed');
	if (f.httpStatus !== null) f.httpStatus = number(100, 599, false)(f.httpStatus, 'httpStatus');
	for (const flag of ['htmlErrorPage', 'truncateBody', 'malformedBody', 'dropConnection', 'stallHeaders', 'stallBody']) f[flag] = Boolean(f[flag]);
	// An endless body has no size: `bytes` is ignored there, and required everywhere else.
	if (f.hugeBody?.kind === 'endless') f.hugeBody = { ...f.hugeBody, bytes: undefined };
	for (const [name, shape] of Object.entries(SHAPES)) if (f[name] !== null) f[name] = shaped(f[name], name, shape);
	if (f.hugeBody && f.hugeBody.kind !== 'endless' && f.hugeBody.bytes === null) fail('hugeBody.bytes is required (unless kind is endless)');
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
 * The answer each fault gives (`drop` and `stallHeaders` give none), from the fault set and the call:
 * `{format, apiKey, url, failure(code, message?)}`, `failure` rendering a MailPartner failure as the route would.
 * Each answer is `{status, type, text | body, headers?}`.
 */
const ANSWERS = {
	redirect: ({ redirect: { status, to, keepPath } }, fault, { url }) => {
		// keepPath: `to`'s origin plus the request's own path and query, as a host move or an
		// http→https proxy does: on a GET that hands the API key to the other host.
		const location = keepPath ? new URL(url, new URL(to).origin).href : to;
		return { status, type: HTML_TYPE, text: nginxPage(`${status} ${REDIRECT_REASONS[status]}`), headers: { Location: location } };
	},
	tooMany: (faults, { retryAfterSeconds }, { failure }) => ({ ...failure(429, TOO_MANY_REQUESTS_MESSAGE), status: 429, headers: retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) } }),
	html: () => ({ status: 502, type: HTML_TYPE, text: HTML_502 }),
	status: ({ httpStatus }) => jsonFailure(httpStatus, `Erreur HTTP ${httpStatus} (sandbox)`),
	random500: () => jsonFailure(500, 'Erreur interne du serveur'),
	malformed: () => ({ status: 200, type: JSON_TYPE, text: MALFORMED_BODY }),
	answer: ({ answer: { status, contentType, body, headers } }, fault, { apiKey }) => ({ status, type: contentType, text: fillPlaceholders(body, apiKey), headers }),
	huge: ({ hugeBody }, fault, { format }) => hugeAnswer(hugeBody, format),
	deep: ({ deepNesting }, fault, { format }) => deepAnswer(deepNesting, format),
	force: ({ forceError }, fault, { failure }) => failure(forceError.code, forceError.message),
};
const faultAnswer = (fault, faults, call) => ANSWERS[fault.kind](faults, fault, call);

module.exports = { TOO_MANY_REQUESTS_MESSAGE, HTML_502, armFaults, faultAnswer, jsonFailure };
