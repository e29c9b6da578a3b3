'use strict';

const { compareAsync } = require('../lib/measure');
const { nodeItems } = require('./checks');

/** Case 4: one small call, Get Credits through the node against raw axios GET /me (no latency). */
async function run({ runNode, axios, sandbox, warmup, rounds }) {
	const client = axios.create({ baseURL: sandbox.baseUrl, timeout: 30000 });
	const expectCredits = (label, credits) => {
		if (!credits || typeof credits.creditMail !== 'number' || typeof credits.balance !== 'string') {
			throw new Error(`${label}: no credits in the answer: ${JSON.stringify(credits)}`);
		}
	};
	const variants = [
		{
			name: 'node Get Credits (engine)',
			run: () => runNode({ parameters: { resource: 'account', operation: 'getCredits' }, credentials: sandbox.credentials }),
			check: (result) => {
				const items = nodeItems('node getCredits', result);
				if (items.length !== 1) throw new Error(`node getCredits: ${items.length} items, expected 1`);
				expectCredits('node getCredits', items[0].json.credits);
			},
		},
		{
			name: 'raw axios GET /me',
			run: () => client.get('/me', { params: { apiKey: sandbox.apiKey } }),
			check: ({ data }) => expectCredits('raw /me', data && data.credits),
		},
	];
	const timings = await compareAsync(variants, { warmup, rounds });
	const [node, raw] = variants.map((variant) => timings[variant.name]);
	return {
		title: 'One small call: Get Credits (no latency)',
		unit: 'ms',
		rows: variants.map((variant) => ({ variant: variant.name, ...timings[variant.name] })),
		ratios: [{ name: 'node Get Credits / raw GET /me', value: node.median / raw.median, goal: 'reported (fixed engine cost per execution)' }],
		notes: [`engine cost per execution ≈ ${(node.median - raw.median).toFixed(2)} ms (difference of medians)`],
	};
}

module.exports = { run };
