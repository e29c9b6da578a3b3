'use strict';

const http = require('node:http');
const { renderXml } = require('./xml');

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
		nb_per_page: 20,
		page: 1,
		total: 1,
		data: [{ id: 9001, email: CATCHER_EMAIL, type: 'simple', token: 'caught-token', apiKey: 'caught-subaccount-key', createdAt: '2025-01-01 00:00:00', credits: { balance: '1.000', currency: 'EUR' } }],
	},
	'/subaccount/create': { subaccount: { email: CATCHER_EMAIL, token: 'caught-token' }, sendConfirmMailTo: CATCHER_EMAIL, parent_email: CATCHER_EMAIL },
	'/bulk-status': { StatutResponseList: [{ email: CATCHER_EMAIL, token: 'caught-token', status: 'Delivered', cost: 1, stopMail: false, date: '1735689600' }] },
	'/send': { messageId: '9001', nbMail: 1, cost: 0.05, currency: 'EUR', scheduledDeliveryDate: null },
};

function successFor(pathname) {
	const route = Object.keys(SUCCESS).find((suffix) => pathname.replace(/\/+$/, '').endsWith(suffix));
	return { success: true, code: 200, ...(route ? SUCCESS[route] : {}) };
}

function createCatcher() {
	const requests = [];
	let baseUrl = null;
	const server = http.createServer((req, res) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			if (size < MAX_RECORDED_BODY) chunks.push(chunk.subarray(0, MAX_RECORDED_BODY - size));
			size += chunk.length;
		});
		req.on('end', () => {
			const url = new URL(req.url, 'http://catcher.invalid');
			const body = Buffer.concat(chunks).toString('utf8');
			requests.push({
				method: req.method,
				path: url.pathname,
				query: Object.fromEntries(url.searchParams),
				// The raw forms too: a key may arrive percent-encoded or escaped, not only decoded.
				url: req.url,
				headers: { ...req.headers },
				body,
			});
			let format = url.searchParams.get('_format');
			try {
				format = JSON.parse(body)._format ?? format;
			} catch {
				// Not JSON: the query string decides.
			}
			const value = successFor(url.pathname);
			const xml = String(format).toLowerCase() === 'xml';
			const text = xml ? renderXml(value) : JSON.stringify(value);
			res.writeHead(200, { 'Content-Type': xml ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
			res.end(text);
		});
	});
	return {
		/** Every request received, in order: `{ method, path, query, url, headers, body }`. */
		requests,
		get baseUrl() {
			return baseUrl;
		},
		listen(port = 0, host = '127.0.0.1') {
			return new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, host, () => {
					server.off('error', reject);
					const { port: bound } = server.address();
					baseUrl = `http://${host}:${bound}/v1`;
					resolve({ port: bound, baseUrl });
				});
			});
		},
		close() {
			return new Promise((resolve) => {
				if (!server.listening) return resolve();
				server.close(() => resolve());
				server.closeAllConnections();
				return undefined;
			});
		},
	};
}

module.exports = { createCatcher, CATCHER_EMAIL };
