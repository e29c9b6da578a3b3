'use strict';

/**
 * The baselines that run without n8n, in the bench process (the sandbox is another process):
 * (c) a raw axios loop making the same Get Status calls, and the sequential page loop for Return All.
 */

const axios = require('axios');

const { messageIdAt } = require('./seed');

/** Concurrency of the raw loop: the figure n8n's notes measured by hand (50 at once). */
const RAW_CONCURRENCY = 50;

/**
 * `n` Get Status calls, at most `concurrency` in flight, results in input order.
 * XML answers are read as text and not parsed: (c) is the transport's floor, nothing more.
 * @returns {Promise<{ms: number, answers: Array<object|string>}>}
 */
async function rawStatusLoop({ baseUrl, apiKey, n, format, concurrency = RAW_CONCURRENCY }) {
	const answers = new Array(n);
	let next = 0;
	const started = performance.now();
	async function worker() {
		while (next < n) {
			const i = next++;
			const params = { apiKey, messageId: messageIdAt(i) };
			if (format === 'xml') params._format = 'xml';
			const res = await axios.get(`${baseUrl}/bulk-status`, { params, responseType: format === 'xml' ? 'text' : 'json', timeout: 30000 });
			answers[i] = res.data;
		}
	}
	await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
	return { ms: performance.now() - started, answers };
}

/** Every subaccount, one page after another (what a simple loop in a Code node would do). */
async function sequentialPages({ baseUrl, apiKey }) {
	const rows = [];
	let requests = 0;
	const started = performance.now();
	for (let page = 1; ; page++) {
		const res = await axios.get(`${baseUrl}/subaccount/list`, { params: { apiKey, page }, timeout: 30000 });
		requests++;
		const { data, total } = res.data;
		rows.push(...data);
		if (data.length === 0 || rows.length >= Number(total)) break;
	}
	return { ms: performance.now() - started, rows, requests };
}

module.exports = { rawStatusLoop, sequentialPages, RAW_CONCURRENCY };
