#!/usr/bin/env node
'use strict';
/**
 * `npm run test:e2e:matrix`: the e2e's headless parts (part 1: the examples through
 * `n8n execute` in JSON and XML mode, wrong key, empty account; part 2: the credential test
 * through the REST API) against every n8n version of the compatibility table, one after the
 * other, each on the Node release it runs on (from the npm registry, cached like the default
 * one). Prints the table for README → Compatibility.
 *
 *   npm run test:e2e:matrix               every version in MATRIX
 *   npm run test:e2e:matrix -- 2.8.4      only some versions
 *
 * Each version is a child run of e2e/e2e.test.js on Node's test runner with
 * MAILPARTNER_N8N_VERSION set; its TAP report is kept to read the counts from. The first run of
 * a version installs it (~5–8 min, ~3 GB in the cache). Exit code 1 if any version fails.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const rt = require('../n8n/runtime');

/** Newest first: the version CI runs, the newest 2.x on Node 20, the last 1.x. */
const MATRIX = ['2.41.1', '2.8.4', '1.123.81'];
const PATTERN = '^part [12]:';

/** Top-level suites of a TAP report with their subtests' outcome and duration. */
function readTap(text) {
	const suites = [];
	let current = null;
	for (const line of text.split('\n')) {
		const sub = /^ {4}(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO).*)?$/.exec(line);
		if (sub) {
			if (!current) current = { tests: [] };
			current.tests.push({ ok: sub[1] === 'ok', name: sub[2], skipped: Boolean(sub[3]) });
			continue;
		}
		const top = /^(not ok|ok) \d+ - (.*)$/.exec(line);
		if (top) {
			current = current || { tests: [] };
			current.name = top[2];
			current.ok = top[1] === 'ok';
			suites.push(current);
			current = null;
			continue;
		}
		const duration = /^ {2}duration_ms: ([\d.]+)/.exec(line);
		if (duration && suites.length > 0 && suites[suites.length - 1].ms === undefined) suites[suites.length - 1].ms = Number(duration[1]);
	}
	return suites;
}

function runVersion(version, tapFile) {
	return new Promise((resolve) => {
		const started = Date.now();
		const child = spawn(
			process.execPath,
			[
				'--test',
				`--test-name-pattern=${PATTERN}`,
				'--test-reporter=spec',
				'--test-reporter-destination=stdout',
				'--test-reporter=tap',
				`--test-reporter-destination=${tapFile}`,
				path.join(__dirname, 'e2e.test.js'),
			],
			{ stdio: 'inherit', env: { ...process.env, MAILPARTNER_N8N_VERSION: version } },
		);
		child.on('exit', (code) => resolve({ code, ms: Date.now() - started }));
	});
}

function cell(suite) {
	if (!suite) return 'not run';
	const ran = suite.tests.filter((t) => !t.skipped);
	const passed = ran.filter((t) => t.ok).length;
	const mark = suite.ok && passed === ran.length ? '✅' : '❌';
	return `${mark} ${passed}/${ran.length}${suite.ms !== undefined ? ` (${rt.formatSeconds(suite.ms)})` : ''}`;
}

async function main() {
	const wanted = process.argv.slice(2);
	const versions = wanted.length > 0 ? wanted : MATRIX;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-matrix-'));
	const rows = [];
	let failed = false;
	// A child's Ctrl-C handling stops its processes; this loop then ends with it.
	let interrupted = false;
	process.on('SIGINT', () => (interrupted = true));
	for (const version of versions) {
		if (interrupted) break;
		const node = rt.useRuntime({ n8nVersion: version }).node;
		console.log(`\n=== n8n ${version} on Node ${node} ===\n`);
		const tapFile = path.join(dir, `${version}.tap`);
		const { code, ms } = await runVersion(version, tapFile);
		const suites = fs.existsSync(tapFile) ? readTap(fs.readFileSync(tapFile, 'utf8')) : [];
		const part = (n) => suites.find((s) => s.name && s.name.startsWith(`part ${n}:`));
		const failures = suites.flatMap((s) => s.tests.filter((t) => !t.ok).map((t) => t.name));
		if (code !== 0) failed = true;
		rows.push({ version, node, part1: cell(part(1)), part2: cell(part(2)), ok: code === 0, ms, failures });
	}
	const date = new Date().toISOString().slice(0, 10);
	console.log(`\nCompatibility matrix, ${date} (\`npm run test:e2e:matrix\`):\n`);
	console.log('| n8n | Node | examples via `n8n execute`, JSON + XML (part 1) | credential test via REST (part 2) | result |');
	console.log('|---|---|---|---|---|');
	for (const r of rows) {
		console.log(`| ${r.version} | ${r.node} | ${r.part1} | ${r.part2} | ${r.ok ? 'passes' : 'fails'} (${rt.formatSeconds(r.ms)}) |`);
	}
	for (const r of rows.filter((x) => x.failures.length > 0)) {
		console.log(`\nn8n ${r.version} failed:\n${r.failures.map((f) => `  - ${f}`).join('\n')}`);
	}
	fs.rmSync(dir, { recursive: true, force: true });
	process.exitCode = failed || rows.length < versions.length ? 1 : 0;
}

main();
