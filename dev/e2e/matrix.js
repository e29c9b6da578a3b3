#!/usr/bin/env node
'use strict';
/**
 * `npm run test:e2e:matrix`: the e2e's headless parts (part 1: the examples through `n8n execute`
 * in JSON and XML mode, wrong key, empty account; part 2: the credential test through the REST
 * API) against every n8n version of the compatibility table, one after the other, each on the Node
 * release it runs on (from the npm registry, cached like the default one). Prints the table for
 * README → Compatibility.
 *
 *   npm run test:e2e:matrix               every version in MATRIX
 *   npm run test:e2e:matrix -- 2.8.4      only some versions
 *
 * Each version is a `run()` of dev/e2e/e2e.test.js by Node's test runner, with
 * MAILPARTNER_N8N_VERSION set; the spec reporter prints it and the table counts the runner's own
 * events. The first run of a version installs it (~5–8 min, ~3 GB in the cache). Exit code 1 if
 * any version fails.
 */
const path = require('node:path');
const { run } = require('node:test');
const { spec } = require('node:test/reporters');
const rt = require('../n8n/runtime');

/** Newest first: the version CI runs, the newest 2.x on Node 20, the last 1.x. */
const MATRIX = ['2.41.1', '2.8.4', '1.123.81'];

/** Runs parts 1 and 2 of e2e.test.js on the n8n version set in the environment; resolves to the top-level tests by name, with their subtests' outcome. */
function runParts() {
	const suites = {};
	let tests = [];
	const note = (ok, test) => {
		if (test.nesting === 1 && !test.skip) tests.push({ ok, name: test.name });
		if (test.nesting !== 0) return;
		// A suite is reported when it ends, after its tests.
		suites[test.name] = { ok, ms: test.details.duration_ms, tests };
		tests = [];
	};
	const stream = run({ files: [path.join(__dirname, 'e2e.test.js')], concurrency: 1, testNamePatterns: ['^part [12]:'] });
	stream.on('test:pass', (test) => note(true, test));
	stream.on('test:fail', (test) => note(false, test));
	// Resolved once the reporter has printed everything, so the table comes after the runner's summary.
	const report = stream.compose(spec);
	report.pipe(process.stdout);
	return new Promise((resolve) => report.on('end', () => resolve(suites)));
}

function cell(suite) {
	if (!suite) return 'not run';
	const passed = suite.tests.filter((t) => t.ok).length;
	return `${suite.ok && passed === suite.tests.length ? '✅' : '❌'} ${passed}/${suite.tests.length} (${rt.formatSeconds(suite.ms)})`;
}

async function main() {
	const versions = process.argv.length > 2 ? process.argv.slice(2) : MATRIX;
	const rows = [];
	for (const version of versions) {
		const { node } = rt.useRuntime({ n8nVersion: version });
		console.log(`\n=== n8n ${version} on Node ${node} ===\n`);
		// The test file reads the version from its environment, which run() hands to it.
		process.env.MAILPARTNER_N8N_VERSION = version;
		const started = Date.now();
		const suites = Object.entries(await runParts());
		const part = (n) => suites.find(([name]) => name.startsWith(`part ${n}:`))?.[1];
		// A failed suite names its failed tests, or itself when a hook (or the file) failed.
		const failures = suites.filter(([, s]) => !s.ok).flatMap(([name, s]) => (s.tests.some((t) => !t.ok) ? s.tests.filter((t) => !t.ok).map((t) => t.name) : [name]));
		rows.push({ version, node, ok: suites.length > 0 && failures.length === 0, ms: Date.now() - started, part1: cell(part(1)), part2: cell(part(2)), failures });
	}
	console.log(`\nCompatibility matrix, ${new Date().toISOString().slice(0, 10)} (\`npm run test:e2e:matrix\`):\n`);
	console.log('| n8n | Node | examples via `n8n execute`, JSON + XML (part 1) | credential test via REST (part 2) | result |');
	console.log('|---|---|---|---|---|');
	for (const r of rows) console.log(`| ${r.version} | ${r.node} | ${r.part1} | ${r.part2} | ${r.ok ? 'passes' : 'fails'} (${rt.formatSeconds(r.ms)}) |`);
	for (const r of rows.filter((x) => !x.ok)) console.log(`\nn8n ${r.version} failed:\n${r.failures.map((f) => `  - ${f}`).join('\n')}`);
	process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
}

main();
