'use strict';

const http = require('node:http');
const { renderXml } = require('./xml');
const { JSON_TYPE, XML_TYPE } = require('./routes');
const { writeAnswer, listen, close } = require('./transport');

/**
 * "Another host" for redirect tests: a server on 127.0.0.1 that records every request it gets and
 * answers 200 with a MailPartner-looking success for the route its path ends with. A node that
 * wrongly followed a redirect here would output that answer as if MailPartner had given it, and
 * `requests` shows what it handed over (an API key must never be there).
 */

// Recorded, not refused: what matters is what arrived. Kept bounded so a test cannot exhaust memory.
const MAX_RECORDED_BODY = 1024 * 1024;

const CATCHER_EMAIL = 'caught@other-host.invalid';
const SUCCESS = {
	'/me': { user: { username: CATCHER_EMAIL }, credits: { creditMail: 999999, currency: 'EUR', balance: '99999.000' } },
	'/subaccount/list': {
		nb_per_page: 20, page: 1, total: 1,
		data: [{ id: 9001, email: CATCHER_EMAIL, type: 'simple', token: 'caught-token', apiKey: 'caught-subaccount-key', createdAt: '2025-01-01 00:00:00', credits: { balance: '1.000', currency: 'EUR' } }],
	},
	'/subaccount/create': { subaccount: { email: CATCHER_EMAIL, token: 'caught-token' }, sendConfirmMailTo: CATCHER_EMAIL, parent_email: CATCHER_EMAIL },
	'/bulk-status': { StatutResponseList: [{ email: CATCHER_EMAIL, token: 'caught-token', status: 'Delivered', cost: 1, stopMail: false, date: '1735689600' }] },
	'/send': { messageId: '9001', nbMail: 1, cost: 0.05, currency: 'EUR', scheduledDeliveryDate: null },
};

async function record(req, res, requests) {
	const chunks = [];
	let size = 0;
	for await (const chunk of req) {
		if (size < MAX_RECORDED_BODY) chunks.push(chunk.subarray(0, MAX_RECORDED_BODY - size));
		size += chunk.length;
	}
	const url = new URL(req.url, 'http://catcher.invalid');
	const body = Buffer.concat(chunks).toString('utf8');
	// The raw `url` and `body` too: a key may arrive percent-encoded or escaped, not only decoded.
	requests.push({ method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), url: req.url, headers: { ...req.headers }, body });
	let format = url.searchParams.get('_format');
	try {
		format = JSON.parse(body)._format ?? format;
	} catch {
		// Not JSON: the query string decides.
	}
	const route = Object.keys(SUCCESS).find((suffix) => url.pathname.replace(/\/+$/, '').endsWith(suffix));
	const value = { success: true, code: 200, ...SUCCESS[route] };
	const xml = String(format).toLowerCase() === 'xml';
	await writeAnswer(res, { status: 200, type: xml ? XML_TYPE : JSON_TYPE, text: xml ? renderXml(value) : JSON.stringify(value) });
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
