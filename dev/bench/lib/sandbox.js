'use strict';

const path = require('node:path');

const rt = require('../../n8n/runtime');
const { DEMO_KEY } = require('../../sandbox/server');

/**
 * Start bench/lib/sandbox-child.js (Node 20, its own process) and return a small controller:
 * `setFaults(f)` replaces the fault set (so it also starts an empty rate-limit window),
 * `requests()` reads the sandbox's request counters.
 */
async function startBenchSandbox({ subaccounts, messages, logFile }) {
	const child = rt.spawnTracked(
		process.execPath,
		[path.join(__dirname, 'sandbox-child.js'), '--subaccounts', String(subaccounts), '--messages', String(messages)],
		{ logFile },
	);
	const deadline = Date.now() + 30000;
	let baseUrl = null;
	while (!baseUrl) {
		const m = /listening on (http:\/\/\S+)/.exec(child.stdoutText);
		if (m) baseUrl = m[1].replace(/\/+$/, '');
		else if (Date.now() > deadline || child.exitCode !== null) {
			await rt.stopChild(child, 2000);
			throw new Error(`the bench sandbox did not start\n${rt.tail(child.stdoutText)}\n${rt.tail(child.stderrText)}`);
		} else await rt.sleep(100);
	}
	const origin = new URL(baseUrl).origin;

	async function control(method, route, body) {
		const res = await fetch(`${origin}/__sandbox/${route}`, {
			method,
			headers: body ? { 'content-type': 'application/json' } : {},
			body: body ? JSON.stringify(body) : undefined,
			signal: AbortSignal.timeout(30000),
		});
		const json = await res.json();
		if (res.status !== 200 || !json.success) throw new Error(`sandbox ${method} ${route}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
		return json;
	}

	return {
		baseUrl,
		apiKey: DEMO_KEY,
		setFaults: (faults) => control('POST', 'faults', faults),
		/** `{total, byRoute, rejected429}`: counted by the sandbox for every API request, refused ones included. */
		requests: async () => (await control('GET', 'state')).state.requests,
		stop: () => rt.stopChild(child, 5000),
	};
}

module.exports = { startBenchSandbox };
