'use strict';

const { isDeepStrictEqual } = require('node:util');

const { compareAsync } = require('../lib/measure');
const { expectIds, nodeItems } = require('./checks');

/** Case 2: the same full list through the node, XML answers against JSON answers (no latency). */
async function run({ runNode, sandbox, subaccounts, warmup, rounds }) {
	const base = { resource: 'subaccount', operation: 'list', returnAll: true };
	const variants = ['json', 'xml'].map((format) => ({
		name: `node list, ${format.toUpperCase()}`,
		key: format,
		run: () => runNode({ parameters: { ...base, options: { responseFormat: format } }, credentials: sandbox.credentials }),
		check: (result) => expectIds(`node list (${format})`, nodeItems(`node list (${format})`, result).map((item) => item.json.id), subaccounts),
	}));

	// Untimed: both formats must give the same items, or the comparison means nothing.
	const [json, xml] = await Promise.all(variants.map((variant) => variant.run()));
	if (!isDeepStrictEqual(nodeItems('json', json).map((item) => item.json), nodeItems('xml', xml).map((item) => item.json))) {
		throw new Error('node list: the XML answers did not decode to the same items as the JSON answers');
	}

	const timings = await compareAsync(variants, { warmup, rounds });
	return {
		title: `List ${subaccounts} subaccounts through the node, XML vs JSON (no latency)`,
		unit: 'ms',
		rows: variants.map((variant) => ({ variant: variant.name, ...timings[variant.name] })),
		ratios: [{ name: 'node XML / node JSON', value: timings[variants[1].name].median / timings[variants[0].name].median, goal: 'reported (XML parsing + positional mapping on top)' }],
		notes: ['XML and JSON runs give deep-equal items (checked)'],
	};
}

module.exports = { run };
