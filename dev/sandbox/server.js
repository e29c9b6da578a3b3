'use strict';

const http = require('node:http');
const { seeds, authenticate, setBalance, mainKey, PAGES_KEY, DEMO_KEY, EMPTY_KEY, HOSTILE_KEY } = require('./state');
const { findRoute, mappedStatus } = require('./routes');
const { renderXml } = require('./xml');
const { normaliseFaults, createRng, pickFault, HTML_502, MALFORMED_BODY, TOO_MANY_REQUESTS_MESSAGE } = require('./faults');
const { createSlidingWindow } = require('./ratelimit');
const { bufferSource, fillerSource, writeAnswer } = require('./body');
const { createCatcher } = require('./catcher');

/**
 * HTTP front of the sandbox: parses requests, applies faults, dispatches to routes and renders
 * JSON or XML. Everything MailPartner-specific lives in routes.js and state.js.
 */

// /send accepts up to 3 attachments of 5 MB each, base64-encoded.
const MAX_BODY_BYTES = 25 * 1024 * 1024;
const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';

class BodyTooLarge extends Error {}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new BodyTooLarge());
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

/** A body that is not a JSON object reads as empty, so the caller gets "key required" like the real API would. */
function parseJsonObject(text) {
	try {
		const value = JSON.parse(text);
		return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
	} catch {
		return {};
	}
}

function isJsonObjectText(text) {
	try {
		const value = JSON.parse(text);
		return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
	} catch {
		return false;
	}
}

const failure = (code, message) => ({ success: false, code, message });

const REDIRECT_REASONS = { 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };
/** The small HTML page nginx sends with a redirect. */
const redirectPage = (status) =>
	`<html>\n<head><title>${status} ${REDIRECT_REASONS[status]}</title></head>\n<body>\n<center><h1>${status} ${REDIRECT_REASONS[status]}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n`;

/**
 * `to` as given, or with `keepPath` its origin plus the request's own path and query string, as a
 * host move or an http→https proxy does: on a GET that hands the API key to the other host.
 */
function redirectLocation(redirect, requestUrl) {
	if (!redirect.keepPath) return redirect.to;
	return new URL(requestUrl, new URL(redirect.to).origin).href;
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

/** A MailPartner failure whose message is `bytes` long in all, streamed; `endless` follows the request's format and never ends. */
function hugeAnswer(huge, format) {
	const xml = huge.kind === 'xml' || (huge.kind === 'endless' && format === 'xml');
	const code = huge.status;
	const prefix = xml
		? `<?xml version="1.0" encoding="UTF-8"?>\n<result>\n    <entry>false</entry>\n    <entry>${code}</entry>\n    <entry><![CDATA[`
		: `{"success":false,"code":${code},"message":"`;
	const suffix = xml ? ']]></entry>\n</result>\n' : '"}';
	return { type: xml ? XML_TYPE : JSON_TYPE, source: fillerSource(prefix, suffix, huge.bytes) };
}

/** A success whose `key` holds `depth` nested arrays (JSON) or `<entry>`s (XML), the innermost empty. */
function deepAnswer(deep, format) {
	if (format === 'xml') {
		return `<?xml version="1.0" encoding="UTF-8"?>\n<result><entry>true</entry><entry>200</entry>${'<entry>'.repeat(deep.depth)}${'</entry>'.repeat(deep.depth)}</result>\n`;
	}
	return `{"success":true,"code":200,${JSON.stringify(deep.key)}:${'['.repeat(deep.depth)}${']'.repeat(deep.depth)}}`;
}

/**
 * @param {object} [options]
 * @param {'pages'|'demo'|object|function} [options.state='demo'] seed name, a state object (deep-copied;
 *   build one from `seeds.pages()` / `seeds.demo(now)`), or a function `(nowMs) => state`
 * @param {() => number} [options.now=Date.now] clock in ms; statuses and createdAt follow it
 * @param {number} [options.statusDelayMs=5000] time from a send until its recipients leave Pending
 * @param {'mapped'|'ok'} [options.errorStatus='mapped'] HTTP status of MailPartner failures
 * @param {'positional'|'published'} [options.listXmlLayout='positional'] list XML layout
 * @param {object} [options.faults] see faults.js
 * @param {boolean} [options.log=false] one line per request (method, path without query, status, ms)
 * @param {(line: string) => void} [options.logger=console.log]
 */
function createSandbox(options = {}) {
	const config = {
		state: options.state ?? 'demo',
		now: options.now ?? Date.now,
		statusDelayMs: options.statusDelayMs ?? 5000,
		errorStatus: options.errorStatus ?? 'mapped',
		listXmlLayout: options.listXmlLayout ?? 'positional',
		log: options.log ?? false,
		logger: options.logger ?? ((line) => console.log(line)),
	};
	if (!['mapped', 'ok'].includes(config.errorStatus)) throw new TypeError('errorStatus must be "mapped" or "ok"');
	if (!['positional', 'published'].includes(config.listXmlLayout)) throw new TypeError('listXmlLayout must be "positional" or "published"');
	const initialFaults = normaliseFaults(options.faults ?? {});

	function seedState() {
		let fresh;
		if (typeof config.state === 'string') {
			if (!seeds[config.state]) throw new TypeError(`unknown seed state "${config.state}"`);
			fresh = seeds[config.state](config.now());
		} else if (typeof config.state === 'function') {
			fresh = config.state(config.now());
		} else {
			fresh = structuredClone(config.state);
		}
		fresh.requests = { total: 0, byRoute: {}, rejected429: 0 };
		return fresh;
	}

	let state = seedState();
	let faults = initialFaults;
	let rng;
	let rateWindow;
	const counters = { tooManyLeft: 0 };
	const timers = new Set();

	/** Every fault set starts afresh: a new RNG sequence, an empty rate-limit window, its full count of 429s. */
	function applyFaults(next) {
		faults = next;
		rng = createRng(faults.seed);
		rateWindow = faults.rateLimit ? createSlidingWindow(faults.rateLimit) : null;
		counters.tooManyLeft = faults.tooManyRequests ? faults.tooManyRequests.count : 0;
		return faults;
	}
	applyFaults(initialFaults);

	function setFaults(next) {
		return applyFaults(normaliseFaults(next ?? {}));
	}

	function reset() {
		state = seedState();
		applyFaults(initialFaults);
	}

	function wait(ms) {
		if (ms <= 0) return Promise.resolve();
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				timers.delete(timer);
				resolve();
			}, ms);
			timers.add(timer);
		});
	}

	/**
	 * @param {string | {length: number|null, next: Function}} content text, or a streamed source (body.js)
	 * @param {{truncate?: boolean, stall?: boolean, bytesPerSecond?: number|null}} [damage] the body faults
	 */
	function send(res, status, contentType, content, damage = {}, headers = {}) {
		if (res.destroyed) return undefined;
		if (typeof content === 'string' && !damage.stall && !damage.bytesPerSecond) {
			// The common case, kept to one write: benchmarks push thousands of answers a second through here.
			let body = Buffer.from(content, 'utf8');
			if (damage.truncate) body = body.subarray(0, Math.floor(body.length / 2));
			res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': body.length });
			res.end(body);
			return undefined;
		}
		const source = typeof content === 'string' ? bufferSource(Buffer.from(content, 'utf8')) : content;
		return writeAnswer(res, { status, headers: { ...headers, 'Content-Type': contentType }, source }, { ...damage, wait });
	}

	function render(route, result, format) {
		let body;
		let status = 200;
		let style;
		if (result.error !== undefined) {
			const code = result.error;
			const message = result.message ?? (route && route.messages[code]) ?? 'Erreur';
			body = failure(code, message);
			status = config.errorStatus === 'ok' ? 200 : mappedStatus(route, code);
			style = route ? route.xml.failure : {};
		} else {
			body = { success: true, code: 200, ...result.payload };
			style = route.xml.success;
		}
		if (format !== 'xml') return { status, type: JSON_TYPE, text: JSON.stringify(body) };
		if (result.xmlOverride) return { status, type: XML_TYPE, text: renderXml(result.xmlOverride.value, result.xmlOverride.style) };
		const value = style.shape ? style.shape(body) : body;
		return { status, type: XML_TYPE, text: renderXml(value, style) };
	}

	/** HTTP 429 with MailPartner's code-429 failure (in the route's XML style on `_format=xml`) and Retry-After. */
	function sendTooMany(res, match, format, retryAfterSeconds, damage) {
		state.requests.rejected429 += 1;
		const answer = render(match && match.route, { error: 429, message: TOO_MANY_REQUESTS_MESSAGE }, format);
		return send(res, 429, answer.type, answer.text, damage, retryAfterSeconds === null ? {} : { 'Retry-After': String(retryAfterSeconds) });
	}

	/**
	 * The sandbox's own controls (not MailPartner routes: they skip faults and are not counted),
	 * each `(body) => [status, answer]`. sandbox/README.md lists them; a test keeps the two alike.
	 */
	const controls = {
		'POST /__sandbox/faults': (body) => {
			try {
				return [200, { success: true, faults: setFaults(body) }];
			} catch (error) {
				return [400, { success: false, message: error.message }];
			}
		},
		'POST /__sandbox/reset': () => {
			reset();
			return [200, { success: true }];
		},
		'POST /__sandbox/balance': ({ apiKey = mainKey(state), balance }) => {
			// `apiKey` picks the account, the main one by default. The answer never echoes the key.
			const auth = authenticate(state, apiKey);
			if (auth.error) return [404, { success: false, message: 'no account has this apiKey' }];
			const credits = setBalance(auth.account, balance);
			if (credits.error) return [400, { success: false, message: credits.error }];
			return [200, { success: true, credits }];
		},
		'GET /__sandbox/state': () => [200, { success: true, state, faults }],
	};

	function control(req, res, pathname, rawBody) {
		const run = controls[`${req.method} ${pathname}`];
		const [status, body] = run ? run(parseJsonObject(rawBody)) : [404, failure(404, 'Ressource introuvable')];
		return send(res, status, JSON_TYPE, JSON.stringify(body));
	}

	async function handle(req, res) {
		const url = new URL(req.url, 'http://sandbox.invalid');
		const { pathname } = url;
		const started = process.hrtime.bigint();
		if (config.log) {
			// Path only, never the query string or the body: both carry the API key.
			res.on('close', () => {
				const ms = Number((process.hrtime.bigint() - started) / 1000000n);
				const status = res.writableFinished ? res.statusCode : 'dropped';
				config.logger(`${req.method} ${pathname} ${status} ${ms}ms`);
			});
		}

		let rawBody = '';
		try {
			rawBody = await readBody(req);
		} catch (error) {
			if (error instanceof BodyTooLarge) return send(res, 413, JSON_TYPE, JSON.stringify(failure(413, 'Requête trop volumineuse')));
			return undefined;
		}
		if (pathname.startsWith('/__sandbox/')) return control(req, res, pathname, rawBody);

		const match = findRoute(req.method, pathname);
		state.requests.total += 1;
		const bucket = match ? match.id : 'unknown';
		state.requests.byRoute[bucket] = (state.requests.byRoute[bucket] ?? 0) + 1;

		const query = Object.fromEntries(url.searchParams);
		const params = req.method === 'POST' ? parseJsonObject(rawBody) : query;
		const format = String(params._format ?? query._format ?? 'json').toLowerCase() === 'xml' ? 'xml' : 'json';
		const activeFaults = faults;
		// The service's own limit comes before anything else: a refused request is never processed.
		const admitted = rateWindow ? rateWindow.take(config.now()) : { ok: true };
		const fault = admitted.ok ? pickFault(activeFaults, rng, match ? match.id.split(' ')[1] : pathname, counters) : null;

		await wait(activeFaults.latencyMs);
		if (res.destroyed) return undefined;
		const damage = {
			truncate: activeFaults.truncateBody,
			stall: activeFaults.stallBody,
			bytesPerSecond: activeFaults.slowBody ? activeFaults.slowBody.bytesPerSecond : null,
		};

		if (!admitted.ok) return sendTooMany(res, match, format, admitted.retryAfterSeconds, damage);

		if (fault) {
			switch (fault.kind) {
				case 'drop':
					req.socket.destroy();
					return undefined;
				case 'stallHeaders':
					// The request was read; no answer ever starts. The socket ends with the client or close().
					return undefined;
				case 'redirect':
					return send(res, fault.status, 'text/html; charset=utf-8', redirectPage(fault.status), damage, { Location: redirectLocation(activeFaults.redirect, req.url) });
				case 'tooMany':
					return sendTooMany(res, match, format, activeFaults.tooManyRequests.retryAfterSeconds, damage);
				case 'html':
					return send(res, fault.status, 'text/html; charset=utf-8', HTML_502, damage);
				case 'status':
					return send(res, fault.status, JSON_TYPE, JSON.stringify(failure(fault.status, `Erreur HTTP ${fault.status} (sandbox)`)), damage);
				case 'random500':
					return send(res, 500, JSON_TYPE, JSON.stringify(failure(500, 'Erreur interne du serveur')), damage);
				case 'malformed':
					return send(res, 200, JSON_TYPE, MALFORMED_BODY, damage);
				case 'answer': {
					const canned = activeFaults.answer;
					return send(res, canned.status, canned.contentType, fillPlaceholders(canned.body, params.apiKey), damage, canned.headers);
				}
				case 'huge': {
					const huge = hugeAnswer(activeFaults.hugeBody, format);
					return send(res, fault.status, huge.type, huge.source, damage);
				}
				case 'deep': {
					const deepFormat = activeFaults.deepNesting.format ?? format;
					const text = deepAnswer(activeFaults.deepNesting, deepFormat);
					return send(res, 200, deepFormat === 'xml' ? XML_TYPE : JSON_TYPE, text, damage);
				}
				case 'force': {
					const answer = render(match && match.route, { error: activeFaults.forceError.code, message: activeFaults.forceError.message }, format);
					return send(res, answer.status, answer.type, answer.text, damage);
				}
				default:
					break;
			}
		}

		if (!match) return send(res, 404, JSON_TYPE, JSON.stringify(failure(404, 'Ressource introuvable')), damage);
		// A route with a malformed-JSON code (/send: 90) says so before looking for the key in the body.
		if (match.route.malformedJson && req.method === 'POST' && !isJsonObjectText(rawBody)) {
			const answer = render(match.route, { error: match.route.malformedJson }, format);
			return send(res, answer.status, answer.type, answer.text, damage);
		}
		const auth = authenticate(state, params.apiKey);
		const result = auth.error
			? { error: auth.error }
			: match.route.handle({ state, account: auth.account, params, query, now: config.now(), options: config });
		const answer = render(match.route, result, format);
		return send(res, answer.status, answer.type, answer.text, damage);
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error) => {
			// Mid-body, a status can no longer be sent: cut the answer so the client sees a broken body.
			if (res.headersSent) return res.destroy();
			// A sandbox bug must show up as a 500 the test can see, not as a hung request.
			return send(res, 500, JSON_TYPE, JSON.stringify(failure(500, `sandbox error: ${error.message}`)));
		});
	});

	return {
		get state() {
			return state;
		},
		get faults() {
			return faults;
		},
		/** Live settings (`errorStatus`, `listXmlLayout`, `statusDelayMs`, `now`, `log`) may be changed between calls. */
		options: config,
		setFaults,
		reset,
		/** The control routes served beside the API, e.g. `POST /__sandbox/reset`. */
		controlRoutes: Object.keys(controls),
		listen(port = 0, host = '127.0.0.1') {
			return new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, host, () => {
					server.off('error', reject);
					const address = server.address();
					resolve({ port: address.port, baseUrl: `http://${host}:${address.port}/v1` });
				});
			});
		},
		close() {
			for (const timer of timers) clearTimeout(timer);
			timers.clear();
			return new Promise((resolve) => {
				if (!server.listening) return resolve();
				server.close(() => resolve());
				server.closeAllConnections();
				return undefined;
			});
		},
	};
}

module.exports = { createSandbox, createCatcher, seeds, PAGES_KEY, DEMO_KEY, EMPTY_KEY, HOSTILE_KEY };
