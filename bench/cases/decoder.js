'use strict';

const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');

const { comparePerCall } = require('../lib/measure');

const { renderXml } = require(path.join(__dirname, '..', '..', 'sandbox', 'xml'));
const { listSubaccounts, seeds, DEMO_KEY } = require(path.join(__dirname, '..', '..', 'sandbox', 'state'));

/**
 * Case 3: decodeAnswer on one 20-subaccount list page, in-process. The bodies are what the sandbox
 * sends (its JSON, its positional XML writer); JSON.parse of the JSON body is the baseline.
 * A second XML body from the tests' toPositionalXml (compact, one line per root entry) is timed too.
 */
function run({ decodeAnswer, listPageShape, toPositionalXml, batches, warmupBatches, targetMs }) {
	const account = seeds.demo(Date.now()).accounts[DEMO_KEY];
	const answer = { success: true, code: 200, ...listSubaccounts(account, 1) };
	if (answer.data.length !== 20) throw new Error(`decoder: the page has ${answer.data.length} subaccounts, expected 20`);
	const jsonBody = JSON.stringify(answer);
	const xmlBody = renderXml(answer);
	const compactXmlBody = toPositionalXml(answer);

	const expected = { kind: 'success', payload: { total: answer.total, nb_per_page: answer.nb_per_page, page: answer.page, data: answer.data } };
	for (const [label, body] of [['JSON', jsonBody], ['sandbox XML', xmlBody], ['fixture XML', compactXmlBody]]) {
		const decoded = decodeAnswer(body, listPageShape);
		if (!isDeepStrictEqual(decoded, expected)) throw new Error(`decoder: the ${label} page did not decode to the page's JSON payload: ${JSON.stringify(decoded).slice(0, 200)}`);
	}

	const variants = [
		{ name: 'JSON.parse (JSON body)', run: () => JSON.parse(jsonBody) },
		{ name: 'decodeAnswer (JSON body)', run: () => decodeAnswer(jsonBody, listPageShape) },
		{ name: 'decodeAnswer (sandbox XML body)', run: () => decodeAnswer(xmlBody, listPageShape) },
		{ name: 'decodeAnswer (fixture XML body)', run: () => decodeAnswer(compactXmlBody, listPageShape) },
	];
	const timings = comparePerCall(variants, { batches, warmupBatches, targetMs });
	const median = (index) => timings[variants[index].name].median;
	return {
		title: 'decodeAnswer on one 20-subaccount page (in-process, per call)',
		unit: 'µs',
		rows: variants.map((variant) => ({ variant: variant.name, ...timings[variant.name] })),
		ratios: [
			{ name: 'decode JSON / JSON.parse', value: median(1) / median(0), goal: 'near 1 (a parse and an envelope copy)' },
			{ name: 'decode XML / JSON.parse', value: median(2) / median(0), goal: 'reported' },
			{ name: 'decode XML / decode JSON', value: median(2) / median(1), goal: 'reported' },
		],
		notes: [
			`bodies: JSON ${Buffer.byteLength(jsonBody)} B, sandbox XML ${Buffer.byteLength(xmlBody)} B, fixture XML ${Buffer.byteLength(compactXmlBody)} B; all decode to the same payload (checked)`,
		],
	};
}

module.exports = { run };
