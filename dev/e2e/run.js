#!/usr/bin/env node
'use strict';
/**
 * `npm run test:e2e`: every `dev/e2e/*.test.js` file on Node's built-in test runner, one file at a
 * time, with the spec reporter: each part is a suite, the summary is the runner's and a name filter
 * is the runner's own:
 *
 *   npm run test:e2e                                      every part
 *   npm run test:e2e -- --test-name-pattern="^part [12]"  parts 1 and 2 only
 *   npm run test:e2e -- --test-name-pattern="JSON"        the tests whose name says JSON
 *
 * Arguments go to `node --test` as they are. The package is built and packed once here, for
 * every file (MAILPARTNER_E2E_TARBALL=file.tgz tests that tarball instead). Exit code: the runner's.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const rt = require('../n8n/runtime');

async function main() {
	const args = process.argv.slice(2);
	const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort().map((f) => path.join(__dirname, f));
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-e2e-pack-'));
	// Ctrl-C reaches the runner too (same terminal group): it stops its processes and exits, and
	// this launcher then exits with it.
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => {});
	try {
		const env = { ...process.env, MAILPARTNER_E2E_TARBALL: process.env.MAILPARTNER_E2E_TARBALL || (await rt.buildAndPack(dir)) };
		const reporter = args.some((a) => a.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec'];
		const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...reporter, ...args, ...files], { stdio: 'inherit', env });
		const [code, signal] = await new Promise((resolve) => child.on('exit', (...exit) => resolve(exit)));
		process.exitCode = code ?? (signal ? 130 : 1);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
