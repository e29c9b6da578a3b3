'use strict';

const http = require('node:http');
const { z } = require('zod');
const { JSON_TYPE, XML_TYPE } = require('./routes');

/**
 * Faults: ways the real service (or the network in front of it) misbehaves, so the node's error
 * handling and the benchmarks can be exercised on purpose. Their settings (checked with zod: a typo throws),
 * which one replaces a request's answer, and that answer. A new set replaces the whole set rather
 * than merging, so `{}` always means "behave".
 */

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

/** Checked when the faults are set, so a bad header is a 400 on the control call rather than a crash mid-answer. */
function isValidHeader(name, value) {
	try {
		http.validateHeaderName(name);
		http.validateHeaderValue(name, value);
		return !RESERVED_HEADERS.includes(name.toLowerCase());
	} catch {
		return false;
	}
}

const num = (min, max) => z.coerce.number({ invalid_type_error: 'must be a number' }).min(min).max(max);
const int = (min, max) => num(min, max).int({ message: 'must be an integer' });
/** A key that may be left out (or null): it then takes `fallback`. */
const optional = (schema, fallback) => schema.nullish().transform((value) => value ?? fallback);
/** A structured fault: only these keys (a misspelt option is never ignored), null when not set. */
const fault = (shape) => z.object(shape).strict().nullable().default(null);
const flag = z.coerce.boolean().default(false);
const routePath = z.string().startsWith('/', 'must be a route path such as "/me"');
const httpUrl = z.string().refine((v) => URL.canParse(v) && ['http:', 'https:'].includes(new URL(v).protocol), 'must be an absolute http(s) URL');
const redirectStatus = z.coerce.number().refine((status) => status in REDIRECT_REASONS, `must be one of ${Object.keys(REDIRECT_REASONS).join(', ')}`);
const contentType = z.string().refine((v) => isValidHeader('Content-Type', v), 'must be a valid header value');
const headers = z
	.record(z.coerce.string())
	.refine((h) => Object.entries(h).every(([name, v]) => isValidHeader(name, v)), 'holds an invalid header, or one the sandbox computes (Content-Length, …)');
// `bytes` (none for `endless`, which ignores it): the smallest size still holds the failure envelope (about 120 bytes) around the message.
const hugeBody = z
	.object({ kind: z.enum(['json', 'xml', 'endless']), bytes: optional(int(256, 2 ** 40), null), status: optional(int(100, 599), 500) })
	.strict()
	.refine((h) => h.kind === 'endless' || h.bytes !== null, { message: 'is required (unless kind is endless)', path: ['bytes'] });

/** Every fault and its default: `{}` means "behave". */
const FAULTS = z
	.object({
		latencyMs: num(0, 600000).default(0),
		errorRate: num(0, 1).default(0),
		seed: num(0, 2 ** 32 - 1).default(1),
		httpStatus: num(100, 599).nullable().default(null),
		htmlErrorPage: flag,
		truncateBody: flag,
		malformedBody: flag,
		dropConnection: flag,
		stallHeaders: flag,
		stallBody: flag,
		forceError: fault({ code: int(-(2 ** 31), 2 ** 31), message: optional(z.string(), undefined), path: optional(routePath, null) }),
		rateLimit: fault({ requests: int(1, 10000000), windowMs: int(1, 86400000) }),
		redirect: fault({ status: redirectStatus, to: httpUrl, path: optional(routePath, null), keepPath: optional(z.coerce.boolean(), false) }),
		slowBody: fault({ bytesPerSecond: int(1, 1e9) }),
		hugeBody: z.preprocess((v) => (v?.kind === 'endless' ? { ...v, bytes: undefined } : v), hugeBody.nullable().default(null)),
		deepNesting: fault({ depth: int(1, 1000000), format: optional(z.enum(['json', 'xml']), null), key: optional(z.string().min(1), 'data') }),
		tooManyRequests: fault({ count: int(1, 1e9), retryAfterSeconds: optional(int(0, 86400), null) }),
		answer: fault({
			status: int(100, 599), body: z.string(), contentType: optional(contentType, JSON_TYPE), headers: optional(headers, {}), path: optional(routePath, null),
		}),
	})
	.strict();

/** Defaults filled in, each value checked: unknown keys and bad values throw, naming the fault. */
function normaliseFaults(input) {
	const parsed = FAULTS.safeParse(input);
	if (parsed.success) return parsed.data;
	throw new TypeError(parsed.error.issues.map((issue) => `${['faults', ...issue.path].join('.')}: ${issue.message}`).join('; '));
}

/**
 * MailPartner's documented limit, 2000 requests per minute per IP refused with code 429
 * (docs/mailpartner-api.md#limits), enforced per sandbox (all its clients are one IP).
 *
 * A sliding window over the last `requests` accepted timestamps in a ring buffer: once it is full,
 * the oldest is at `head`, so each check is O(1) with no allocation (benchmarks push thousands of
 * requests a second through it). Refused requests take no slot: Retry-After then tells the truth,
 * and a client hammering through its 429s does not lock itself out forever.
 */
function createSlidingWindow({ requests, windowMs }) {
	const ring = new Float64Array(requests);
	let size = 0;
	let head = 0;
	return {
		/** @returns {{ok: true} | {ok: false, retryAfterSeconds: number}} */
		take(nowMs) {
			if (size < requests) {
				ring[(head + size) % requests] = nowMs;
				size += 1;
				return { ok: true };
			}
			const freeAt = ring[head] + windowMs;
			// Rounded up: a client that waits the whole seconds it is told always finds a free slot.
			if (nowMs < freeAt) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - nowMs) / 1000)) };
			// The oldest request left the window: its slot becomes this one, and head moves to the next oldest.
			ring[head] = nowMs;
			head = (head + 1) % requests;
			return { ok: true };
		},
	};
}

const FILLER_UNIT = 'Erreur interne du serveur. ';
// 64 KiB of filler, ASCII only so that byte counts and character counts agree.
const FILLER = Buffer.from(FILLER_UNIT.repeat(Math.ceil(65536 / FILLER_UNIT.length)).slice(0, 65536), 'ascii');

/**
 * `prefix`, filler, then `suffix`: `total` bytes in all, or endless when `total` is null. The
 * chunks are slices of one 64 KiB buffer, so memory stays flat whatever the size asked.
 */
function fillerBody(prefix, suffix, total) {
	const head = Buffer.from(prefix, 'utf8');
	const tail = Buffer.from(suffix, 'utf8');
	function* chunks() {
		yield head;
		for (let left = total === null ? Infinity : total - head.length - tail.length; left > 0; left -= FILLER.length) yield FILLER.subarray(0, Math.min(left, FILLER.length));
		yield tail;
	}
	return { length: total, chunks: chunks() };
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

/** keepPath: `to`'s origin plus the request's own path and query, as a host move or an http→https proxy does: on a GET that hands the API key to the other host. */
function redirectAnswer({ status, to, keepPath }, url) {
	const location = keepPath ? new URL(url, new URL(to).origin).href : to;
	return { status, type: HTML_TYPE, text: nginxPage(`${status} ${REDIRECT_REASONS[status]}`), headers: { Location: location } };
}

/**
 * A fault set in force; its RNG sequence, rate-limit window and count of 429s start afresh with it.
 * `pick(routePath, nowMs, call)` gives the answer of the fault that replaces this request's, if any:
 * the enforced limit first (a refused request is never processed), then one at a time, the most
 * disruptive first (README, "Faults"). Body damage is not picked: it applies to whichever answer is sent.
 * `call` is `{format, apiKey, url, failure(code, message?)}`, `failure` rendering a MailPartner failure
 * as the route would. An answer is `{status, type, text | body, headers?}`, a 429 of the limits marked
 * `rejected429`; `drop` and `stallHeaders` give `{kind}` and no answer.
 */
function armFaults(input = {}) {
	const faults = normaliseFaults(input);
	const rng = createRng(faults.seed);
	const window = faults.rateLimit && createSlidingWindow(faults.rateLimit);
	let tooManyLeft = faults.tooManyRequests?.count ?? 0;
	const onRoute = (fault, path) => fault && (!fault.path || fault.path === path);
	const tooMany = (retryAfterSeconds, { failure }) => {
		const headers = retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) };
		return { ...failure(429, TOO_MANY_REQUESTS_MESSAGE), status: 429, headers, rejected429: true };
	};
	function pick(path, nowMs, call) {
		const admitted = window ? window.take(nowMs) : { ok: true };
		if (!admitted.ok) return tooMany(admitted.retryAfterSeconds, call);
		if (faults.dropConnection) return { kind: 'drop' };
		if (faults.stallHeaders) return { kind: 'stallHeaders' };
		if (onRoute(faults.redirect, path)) return redirectAnswer(faults.redirect, call.url);
		// Counted only when it is the answer given, so "the next `count` requests" holds whatever precedes it.
		if (tooManyLeft > 0) {
			tooManyLeft -= 1;
			return tooMany(faults.tooManyRequests.retryAfterSeconds, call);
		}
		if (faults.htmlErrorPage) return { status: 502, type: HTML_TYPE, text: HTML_502 };
		if (faults.httpStatus !== null) return jsonFailure(faults.httpStatus, `Erreur HTTP ${faults.httpStatus} (sandbox)`);
		// The RNG is drawn only here, so other settings do not shift the sequence.
		if (faults.errorRate > 0 && rng() < faults.errorRate) return jsonFailure(500, 'Erreur interne du serveur');
		if (faults.malformedBody) return { status: 200, type: JSON_TYPE, text: MALFORMED_BODY };
		if (onRoute(faults.answer, path)) {
			const { status, contentType, body, headers } = faults.answer;
			return { status, type: contentType, text: fillPlaceholders(body, call.apiKey), headers };
		}
		if (faults.hugeBody) return hugeAnswer(faults.hugeBody, call.format);
		if (faults.deepNesting) return deepAnswer(faults.deepNesting, call.format);
		if (onRoute(faults.forceError, path)) return call.failure(faults.forceError.code, faults.forceError.message);
		return null;
	}
	return { faults, pick };
}

module.exports = { TOO_MANY_REQUESTS_MESSAGE, HTML_502, armFaults, createSlidingWindow, jsonFailure };
