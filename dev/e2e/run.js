#!/usr/bin/env node
'use strict';
/**
 * `npm run test:e2e`: runs e2e/e2e.test.js on Node's built-in test runner, with the spec
 * reporter, so that parts are suites, the summary is the runner's and a name filter is the
 * runner's own:
 *
 *   npm run test:e2e                                      every part
 *   npm run test:e2e -- --test-name-pattern="^part [12]"  parts 1 and 2 only
 *   npm run test:e2e -- --test-name-pattern="JSON"        the tests whose name says JSON
 *
 * Arguments are handed to `node --test` as they are. Exit code: the runner's.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const hasReporter = args.some((a) => a.startsWith('--test-reporter'));

const child = spawn(
	process.execPath,
	['--test', ...(hasReporter ? [] : ['--test-reporter=spec']), ...args, path.join(__dirname, 'e2e.test.js')],
	{ stdio: 'inherit' },
);
// Ctrl-C reaches the test process too (same terminal group); it stops its n8n processes and
// exits, and this launcher then exits with it.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => {});
child.on('exit', (code, signal) => process.exit(code === null ? (signal ? 130 : 1) : code));
