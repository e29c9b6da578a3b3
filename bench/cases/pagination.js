'use strict';

const { compareAsync } = require('../lib/measure');
const { startProbe } = require('../lib/probe');
const { expectIds, nodeItems } = require('./checks');

/**
 * Case 1: List all subaccounts (200 = 10 pages of 20) with the sandbox answering after
 * `latencyMs`. The node through n8n's engine against two raw axios clients: one page after
 * another (a naive paginator), and page 1 then the other pages at most 4 at once (what the
 * node's paginator does, without the engine).
 */

const PAGES_IN_FLIGHT = 4;

/** Same contract as the node's mapInOrder: at most `concurrency` tasks at once, results in input order. */
async function mapInOrder(inputs, concurrency, task) {
	const results = new Array(inputs.length);
	let next = 0;
	const worker = async () => {
		while (next < inputs.length) {
			const index = next++;
			results[index] = await task(inputs[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
	return results;
}

function rawClient(axios, { baseUrl, apiKey }) {
	const client = axios.create({ baseURL: baseUrl, timeout: 30000 });
	return async (page) => {
		const { data } = await client.get('/subaccount/list', { params: { apiKey, page } });
		if (!data || data.success !== true || !Array.isArray(data.data)) throw new Error(`raw page ${page}: not a list answer`);
		return data;
	};
}

async function run({ runNode, axios, sandbox, subaccounts, latencyMs, warmup, rounds }) {
	const perPage = 20;
	const pageCount = Math.ceil(subaccounts / perPage);
	const fetchPage = rawClient(axios, sandbox);
	const parameters = { resource: 'subaccount', operation: 'list', returnAll: true };

	const otherPages = () => Array.from({ length: pageCount - 1 }, (_, index) => index + 2);
	const variants = [
		{
			name: 'node (engine, returnAll, JSON)',
			key: 'node',
			run: async () => {
				const before = sandbox.listRequests();
				const result = await runNode({ parameters, credentials: sandbox.credentials });
				return { result, listRequests: sandbox.listRequests() - before };
			},
			check: ({ result, listRequests }) => {
				const items = nodeItems('node list', result);
				if (listRequests !== pageCount) throw new Error(`node list: ${listRequests} list requests, expected exactly ${pageCount}`);
				expectIds('node list', items.map((item) => item.json.id), subaccounts);
			},
		},
		{
			name: 'raw axios, sequential',
			key: 'sequential',
			run: async () => {
				const first = await fetchPage(1);
				const pages = [first];
				for (let page = 2; page <= Math.ceil(first.total / first.nb_per_page); page++) pages.push(await fetchPage(page));
				return pages.flatMap((page) => page.data);
			},
			check: (items) => expectIds('raw sequential', items.map((item) => item.id), subaccounts),
		},
		{
			name: `raw axios, page 1 then ≤${PAGES_IN_FLIGHT} at once`,
			key: 'boundedRaw',
			run: async () => {
				const first = await fetchPage(1);
				const rest = await mapInOrder(otherPages(), PAGES_IN_FLIGHT, fetchPage);
				return [first, ...rest].flatMap((page) => page.data);
			},
			check: (items) => expectIds('raw bounded', items.map((item) => item.id), subaccounts),
		},
	];

	sandbox.sandbox.setFaults({ latencyMs });
	let probe;
	try {
		const timings = await compareAsync(variants, { warmup, rounds });

		// One untimed node run through a recording proxy: how many list requests were really in flight.
		probe = await startProbe(sandbox.baseUrl);
		const probed = await runNode({ parameters, credentials: { ...sandbox.credentials, baseUrl: probe.baseUrl } });
		expectIds('node list via probe', nodeItems('node list via probe', probed).map((item) => item.json.id), subaccounts);
		const { maxInFlight, connections, requests } = probe.report();
		if (maxInFlight > PAGES_IN_FLIGHT) {
			throw new Error(`node list: ${maxInFlight} list requests in flight at once, the paginator's bound is ${PAGES_IN_FLIGHT}`);
		}
		if (requests.length !== pageCount) throw new Error(`node list via probe: ${requests.length} requests, expected ${pageCount}`);

		const byKey = Object.fromEntries(variants.map((variant) => [variant.key, timings[variant.name]]));
		const waves = 1 + Math.ceil((pageCount - 1) / PAGES_IN_FLIGHT);
		return {
			title: `List ${subaccounts} subaccounts (${pageCount} pages), ${latencyMs} ms sandbox latency`,
			unit: 'ms',
			rows: variants.map((variant) => ({ variant: variant.name, ...timings[variant.name] })),
			ratios: [
				{ name: 'node / raw sequential', value: byKey.node.median / byKey.sequential.median, goal: `well below 1 (latency floor ${waves}/${pageCount} = ${(waves / pageCount).toFixed(2)})` },
				{ name: 'node / raw bounded (engine overhead)', value: byKey.node.median / byKey.boundedRaw.median, goal: 'near 1' },
			],
			notes: [
				`latency floors: sequential ${pageCount} × ${latencyMs} = ${pageCount * latencyMs} ms, bounded ${waves} × ${latencyMs} = ${waves * latencyMs} ms`,
				`every node run: exactly ${pageCount} list requests, ${subaccounts} items in id order (checked)`,
				`probe run (untimed, via a recording proxy): at most ${maxInFlight} list requests in flight, ${connections} TCP connections for ${requests.length} requests; page@start–end ms: ${requests.map((request) => `${request.page}@${request.startMs}–${request.endMs}`).join(' ')}`,
			],
			probe: { maxInFlight, connections, requests },
		};
	} finally {
		sandbox.sandbox.setFaults({});
		if (probe) await probe.close();
	}
}

module.exports = { run, mapInOrder };
