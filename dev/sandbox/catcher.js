'use strict';

const http = require('node:http');
const { JSON_TYPE } = require('./routes');
const { readBody, writeAnswer, listen, close } = require('./transport');

/**
 * "Another host" for redirect tests: a server on 127.0.0.1 that records every request it gets and
 * answers each one 200 `{"success":true,"code":200}`. `requests` shows what a client that followed a
 * redirect here handed over (an API key must never be there); the node's tests expect it empty.
 */

// Recorded, not refused: what matters is what arrived. Kept bounded so a test cannot exhaust memory.
const MAX_RECORDED_BODY = 1024 * 1024;

async function record(req, res, requests) {
	const body = await readBody(req, MAX_RECORDED_BODY, true);
	const url = new URL(req.url, 'http://catcher.invalid');
	// The raw `url` and `body` too: a key may arrive percent-encoded or escaped, not only decoded.
	requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), url: req.url, headers: { ...req.headers }, body });
	await writeAnswer(res, { status: 200, type: JSON_TYPE, text: JSON.stringify({ success: true, code: 200 }) });
}

/** @returns `{ listen(port = 0, host), close(), requests, baseUrl }`; `requests` in order: `{ method, path, query, url, headers, body }` */
function createCatcher() {
	const requests = [];
	let baseUrl = null;
	const server = http.createServer((req, res) => record(req, res, requests).catch(() => res.destroy()));
	return {
		requests,
		get baseUrl() {
			return baseUrl;
		},
		async listen(port, host) {
			const bound = await listen(server, port, host);
			baseUrl = bound.baseUrl;
			return bound;
		},
		close: () => close(server),
	};
}

module.exports = { createCatcher };
