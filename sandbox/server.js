'use strict';

const http = require('node:http');
const { seeds, authenticate, PAGES_KEY, DEMO_KEY, EMPTY_KEY } = require('./state');
const { findRoute, mappedStatus } = require('./routes');
const { renderXml } = require('./xml');
const { normaliseFaults, createRng, pickFault, HTML_502, MALFORMED_BODY, TOO_MANY_REQUESTS_MESSAGE } = require('./faults');
const { createSlidingWindow } = require('./ratelimit');

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

const failure = (code, message) => ({ success: false, code, message });

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
	const timers = new Set();

	/** Every fault set starts afresh: a new RNG sequence and an empty rate-limit window. */
	function applyFaults(next) {
		faults = next;
		rng = createRng(faults.seed);
		rateWindow = faults.rateLimit ? createSlidingWindow(faults.rateLimit) : null;
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

	function send(res, status, contentType, text, truncate, headers = {}) {
		if (res.destroyed) return;
		let body = Buffer.from(text, 'utf8');
		if (truncate) body = body.subarray(0, Math.floor(body.length / 2));
		res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': body.length });
		res.end(body);
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
	function sendTooMany(res, match, format, retryAfterSeconds, truncate) {
		state.requests.rejected429 += 1;
		const answer = render(match && match.route, { error: 429, message: TOO_MANY_REQUESTS_MESSAGE }, format);
		return send(res, 429, answer.type, answer.text, truncate, { 'Retry-After': String(retryAfterSeconds) });
	}

	function control(req, res, pathname, rawBody) {
		const reply = (status, body) => send(res, status, JSON_TYPE, JSON.stringify(body));
		if (req.method === 'POST' && pathname === '/__sandbox/faults') {
			try {
				return reply(200, { success: true, faults: setFaults(parseJsonObject(rawBody)) });
			} catch (error) {
				return reply(400, { success: false, message: error.message });
			}
		}
		if (req.method === 'POST' && pathname === '/__sandbox/reset') {
			reset();
			return reply(200, { success: true });
		}
		if (req.method === 'GET' && pathname === '/__sandbox/state') return reply(200, { success: true, state, faults });
		return reply(404, failure(404, 'Ressource introuvable'));
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
		const fault = admitted.ok ? pickFault(activeFaults, rng, match ? match.id.split(' ')[1] : pathname) : null;

		await wait(activeFaults.latencyMs);
		if (res.destroyed) return undefined;
		const truncate = activeFaults.truncateBody;

		if (!admitted.ok) return sendTooMany(res, match, format, admitted.retryAfterSeconds, truncate);

		if (fault) {
			switch (fault.kind) {
				case 'drop':
					req.socket.destroy();
					return undefined;
				case 'html':
					return send(res, fault.status, 'text/html; charset=utf-8', HTML_502, truncate);
				case 'status':
					return send(res, fault.status, JSON_TYPE, JSON.stringify(failure(fault.status, `Erreur HTTP ${fault.status} (sandbox)`)), truncate);
				case 'random500':
					return send(res, 500, JSON_TYPE, JSON.stringify(failure(500, 'Erreur interne du serveur')), truncate);
				case 'malformed':
					return send(res, 200, JSON_TYPE, MALFORMED_BODY, truncate);
				case 'force': {
					const answer = render(match && match.route, { error: activeFaults.forceError.code, message: activeFaults.forceError.message }, format);
					return send(res, answer.status, answer.type, answer.text, truncate);
				}
				default:
					break;
			}
		}

		if (!match) return send(res, 404, JSON_TYPE, JSON.stringify(failure(404, 'Ressource introuvable')), truncate);
		const auth = authenticate(state, params.apiKey);
		const result = auth.error
			? { error: auth.error }
			: match.route.handle({ state, account: auth.account, params, query, now: config.now(), options: config });
		const answer = render(match.route, result, format);
		return send(res, answer.status, answer.type, answer.text, truncate);
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error) => {
			// A sandbox bug must show up as a 500 the test can see, not as a hung request.
			send(res, 500, JSON_TYPE, JSON.stringify(failure(500, `sandbox error: ${error.message}`)));
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

module.exports = { createSandbox, seeds, PAGES_KEY, DEMO_KEY, EMPTY_KEY };
