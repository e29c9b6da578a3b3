'use strict';

/** The baselines without n8n, in the bench process: (c) a raw axios loop of Get Status calls, and Return All's page loop. */

const axios = require('axios');

const { messageIdAt } = require('./sandbox');

/** Concurrency of the raw loop: the figure n8n's notes measured by hand (50 at once). */
const RAW_CONCURRENCY = 50;

/** `n` Get Status calls, at most `concurrency` in flight, answers in input order; XML as text, unparsed: the transport's floor. */
async function rawStatusLoop({ baseUrl, apiKey, n, format, concurrency = RAW_CONCURRENCY }) {
	const answers = new Array(n);
	let next = 0;
	const started = performance.now();
	async function worker() {
		while (next < n) {
			const i = next++;
			const params = { apiKey, messageId: messageIdAt(i), ...(format === 'xml' ? { _format: 'xml' } : {}) };
			answers[i] = (await axios.get(`${baseUrl}/bulk-status`, { params, responseType: format === 'xml' ? 'text' : 'json', timeout: 30000 })).data;
		}
	}
	await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
	return { ms: performance.now() - started, answers };
}

/** Every subaccount, one page after another (what a simple loop in a Code node would do). */
async function sequentialPages({ baseUrl, apiKey }) {
	const rows = [];
	const started = performance.now();
	for (let page = 1; ; page++) {
		const { data, total } = (await axios.get(`${baseUrl}/subaccount/list`, { params: { apiKey, page }, timeout: 30000 })).data;
		rows.push(...data);
		if (data.length === 0 || rows.length >= Number(total)) break;
	}
	return { ms: performance.now() - started, rows };
}

module.exports = { rawStatusLoop, sequentialPages, RAW_CONCURRENCY };
