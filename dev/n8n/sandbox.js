'use strict';
/**
 * The local MailPartner sandbox (dev/sandbox) as a tracked child process, for `npm start`, the
 * e2e and the bench. Its base URL is the one its "listening on URL" line gives.
 */
const path = require('node:path');
const { formatSeconds } = require('./log');
const { REPO_DIR, spawnTracked, stopChild, whileRunning } = require('./processes');
const { freePort } = require('./net');

/** `node dev/sandbox/cli.js --port N --state STATE`. Returns {baseUrl, port, child, stop()}. */
async function startSandbox({ port, state = 'demo', timeoutMs = 30000, logFile } = {}) {
	port = port || (await freePort());
	let listening;
	const announced = new Promise((resolve, reject) => {
		listening = resolve;
		setTimeout(() => reject(new Error(`the sandbox printed no "listening on" line within ${formatSeconds(timeoutMs)}`)), timeoutMs).unref();
	});
	const child = spawnTracked(process.execPath, [path.join(REPO_DIR, 'dev', 'sandbox', 'cli.js'), '--port', String(port), '--state', state], {
		env: { ...process.env, MAILPARTNER_SANDBOX_PORT: String(port) },
		logFile,
		onLine: (line) => {
			const m = /listening on (http:\/\/\S+)/.exec(line);
			if (m) listening(m[1].replace(/\/+$/, ''));
		},
	});
	const baseUrl = await whileRunning(child, 'the sandbox', announced);
	return { baseUrl, port, child, stop: () => stopChild(child, 5000) };
}

module.exports = { startSandbox };
