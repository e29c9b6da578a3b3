'use strict';
/**
 * The local MailPartner sandbox (dev/sandbox) as a tracked child process, for `npm start`, the
 * e2e and the bench. Its base URL is the one its "listening on URL" line gives.
 */
const path = require('node:path');
const { REPO_DIR, spawnTracked, stopChild, whileRunning } = require('./processes');

/** `node dev/sandbox/cli.js --port N --state STATE` (port 0, the default: one the kernel picks). Returns {baseUrl, child, stop()}. */
async function startSandbox({ port = 0, state = 'demo', logFile } = {}) {
	let listening;
	const announced = new Promise((resolve, reject) => {
		listening = resolve;
		setTimeout(() => reject(new Error('the sandbox printed no "listening on" line within 30 s')), 30000).unref();
	});
	const child = spawnTracked(process.execPath, [path.join(REPO_DIR, 'dev', 'sandbox', 'cli.js'), '--port', String(port), '--state', state], {
		logFile,
		onLine: (line) => {
			const m = /listening on (http:\/\/\S+)/.exec(line);
			if (m) listening(m[1].replace(/\/+$/, ''));
		},
	});
	const baseUrl = await whileRunning(child, 'the sandbox', announced);
	return { baseUrl, child, stop: () => stopChild(child, 5000) };
}

module.exports = { startSandbox };
