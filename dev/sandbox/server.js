'use strict';

const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');
const { seeds, PAGES_KEY, DEMO_KEY, EMPTY_KEY, HOSTILE_KEY } = require('./seeds');
const { authenticate, setBalance, mainKey } = require('./accounts');
const { findRoute, render, JSON_TYPE } = require('./routes');
const { armFaults, jsonFailure } = require('./faults');
const { readBody, writeAnswer, listen, close } = require('./transport');
const { parseJsonObject } = require('./values');
const { createCatcher } = require('./catcher');

/**
 * The sandbox: one HTTP server holding one state. Each request is read, counted, given to the
 * faults, then answered by its route (routes.js) or, under `/__sandbox/`, by a control (below).
 */

// /send accepts up to 3 attachments of 5 MB each, base64-encoded.
const MAX_BODY_BYTES = 25 * 1024 * 1024;

/**
 * @param {object} [options]
 * @param {'pages'|'demo'|object|function} [options.state='demo'] seed name, a state object (deep-copied;
 *   build one from `seeds.pages()` / `seeds.demo(now)`), or a function `(nowMs) => state`
 * @param {() => number} [options.now=Date.now] clock in ms; statuses and createdAt follow it
 * @param {'positional'|'published'} [options.listXmlLayout='positional'] list XML layout
 * @param {object} [options.faults] see faults.js
 * @param {boolean} [options.log=false] one line per request (method, path without query, status, ms)
 * @param {(line: string) => void} [options.logger=console.log]
 */
function createSandbox(options = {}) {
	const config = { state: 'demo', now: Date.now, listXmlLayout: 'positional', log: false, logger: (line) => console.log(line) };
	for (const key of Object.keys(config)) config[key] = options[key] ?? config[key];
	if (!['positional', 'published'].includes(config.listXmlLayout)) throw new TypeError('listXmlLayout must be "positional" or "published"');

	function seedState() {
		const seed = config.state;
		if (typeof seed === 'string' && !seeds[seed]) throw new TypeError(`unknown seed state "${seed}"`);
		const fresh = typeof seed === 'string' ? seeds[seed](config.now()) : typeof seed === 'function' ? seed(config.now()) : structuredClone(seed);
		fresh.requests = { total: 0, byRoute: {}, rejected429: 0 };
		return fresh;
	}

	let state = seedState();
	let armed = armFaults(options.faults ?? {});
	// Aborted by close(): no latency or dribbling timer outlives the sandbox.
	const stopped = new AbortController();
	const wait = (ms) => (ms > 0 ? sleep(ms, undefined, { signal: stopped.signal }) : Promise.resolve());

	const sandbox = {
		get state() {
			return state;
		},
		get faults() {
			return armed.faults;
		},
		/** Live settings (`listXmlLayout`, `now`, `log`, `state` for the next reset) may be changed between calls. */
		options: config,
		/** Every fault set starts afresh: a new RNG sequence, an empty rate-limit window, its full count of 429s. */
		setFaults(next) {
			armed = armFaults(next ?? {});
			return armed.faults;
		},
		reset() {
			state = seedState();
			armed = armFaults(options.faults ?? {});
		},
		listen: (port, host) => listen(server, port, host),
		close() {
			stopped.abort();
			return close(server);
		},
	};
	/**
	 * The sandbox's own controls beside the API (README, "Controls"; a test keeps the two alike). They
	 * skip faults and are not counted. Each is `(body) => [status, answer]`, the body a JSON object.
	 */
	const controls = {
		'POST /__sandbox/faults': (body) => {
			try {
				return [200, { success: true, faults: sandbox.setFaults(body) }];
			} catch (error) {
				return [400, { success: false, message: error.message }];
			}
		},
		'POST /__sandbox/reset': () => {
			sandbox.reset();
			return [200, { success: true }];
		},
		// `apiKey` picks the account, the main one by default. The answer never echoes the key.
		'POST /__sandbox/balance': ({ apiKey = mainKey(sandbox.state), balance }) => {
			const auth = authenticate(sandbox.state, apiKey);
			if (auth.error) return [404, { success: false, message: 'no account has this apiKey' }];
			const credits = setBalance(auth.account, balance);
			if (credits.error) return [400, { success: false, message: credits.error }];
			return [200, { success: true, credits }];
		},
		'GET /__sandbox/state': () => [200, { success: true, state: sandbox.state, faults: sandbox.faults }],
	};
	/** The control routes served beside the API, e.g. `POST /__sandbox/reset`. */
	sandbox.controlRoutes = Object.keys(controls);

	const send = (res, answer, damage) => writeAnswer(res, answer, damage, wait);

	async function handle(req, res) {
		const url = new URL(req.url, 'http://sandbox.invalid');
		if (config.log) {
			const started = performance.now();
			// Path only, never the query string or the body: both carry the API key.
			res.on('close', () => config.logger(`${req.method} ${url.pathname} ${res.writableFinished ? res.statusCode : 'dropped'} ${Math.floor(performance.now() - started)}ms`));
		}
		const rawBody = await readBody(req, MAX_BODY_BYTES);
		if (rawBody === null) return send(res, jsonFailure(413, 'Requête trop volumineuse'));
		const body = parseJsonObject(rawBody);
		if (url.pathname.startsWith('/__sandbox/')) {
			const control = controls[`${req.method} ${url.pathname}`];
			if (!control) return send(res, jsonFailure(404, 'Ressource introuvable'));
			const [status, answer] = control(body ?? {});
			return send(res, { status, type: JSON_TYPE, text: JSON.stringify(answer) });
		}

		const match = findRoute(req.method, url.pathname);
		const bucket = match ? match.id : 'unknown';
		state.requests.total += 1;
		state.requests.byRoute[bucket] = (state.requests.byRoute[bucket] ?? 0) + 1;
		const query = Object.fromEntries(url.searchParams);
		const params = req.method === 'POST' ? (body ?? {}) : query;
		const format = String(params._format ?? query._format ?? 'json').toLowerCase() === 'xml' ? 'xml' : 'json';
		const route = match?.route ?? null;
		const answer = (result) => render(route, result, format);
		const call = { format, apiKey: params.apiKey, url: req.url, failure: (error, message) => answer({ error, message }) };
		const { faults } = armed;
		const fault = armed.pick(match ? match.path : url.pathname, config.now(), call);
		await wait(faults.latencyMs);
		if (res.destroyed) return undefined;
		const damage = { truncate: faults.truncateBody, stall: faults.stallBody, bytesPerSecond: faults.slowBody?.bytesPerSecond };

		if (fault?.kind === 'drop') return void req.socket.destroy();
		// The request was read; no answer ever starts. The socket ends with the client or close().
		if (fault?.kind === 'stallHeaders') return undefined;
		if (fault?.rejected429) state.requests.rejected429 += 1;
		if (fault) return send(res, fault, damage);
		if (!route) return send(res, jsonFailure(404, 'Ressource introuvable'), damage);
		// A route with a malformed-JSON code (/send: 90) says so before looking for the key in the body.
		if (route.malformedJson && req.method === 'POST' && body === null) return send(res, answer({ error: route.malformedJson }), damage);
		const auth = authenticate(state, params.apiKey);
		const result = auth.error ? auth : route.handle({ state, account: auth.account, params, query, now: config.now(), options: config });
		return send(res, answer(result), damage);
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch((error) => {
			// Closing, or mid-body where a status can no longer be sent: cut the answer so the client sees a broken body.
			if (stopped.signal.aborted || res.headersSent) return res.destroy();
			// A sandbox bug must show up as a 500 the test can see, not as a hung request.
			return send(res, jsonFailure(500, `sandbox error: ${error.message}`));
		});
	});
	return sandbox;
}

module.exports = { createSandbox, createCatcher, seeds, PAGES_KEY, DEMO_KEY, EMPTY_KEY, HOSTILE_KEY };
