'use strict';

/**
 * The benchmark's sandbox, run in a worker thread by `startBenchSandbox`: its work never shares an
 * event loop with what is measured (the raw loop runs in the bench's main thread). No rate limit unless
 * a case sets one. Seed: the demo account with `subaccounts` subaccounts and `messages` messages,
 * ids 100000… (one per item, so an item out of order or a call repeated shows as a wrong messageId);
 * every third message is still Pending with one recipient, the others are settled with three.
 */

const fs = require('node:fs');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const { createSandbox, seeds, DEMO_KEY } = require('../../sandbox/server');

const FIRST_MESSAGE_ID = 100000;
const isPending = (id) => Number(id) % 3 === 0;
const recipientCount = (id) => (isPending(id) ? 1 : 3);
/** The `i`-th item's messageId (the Code node and the raw loop use the same ids). */
const messageIdAt = (i) => String(FIRST_MESSAGE_ID + i);

function benchMessage(id, nowMs) {
	const recipient = (name, n, finalStatus, finalStopMail = false) => ({ email: `${name}-${id}@sandbox.mailpartner.invalid`, token: `bench-${id}-${n}`, finalStatus, finalStopMail, cost: 1 });
	if (isPending(id)) return { messageId: String(id), sentAt: nowMs - 60 * 1000, settledAt: nowMs + 48 * 3600 * 1000, recipients: [recipient('carol', 1, 'Delivered')] };
	const recipients = [recipient('alice', 1, 'Delivered'), recipient('bob', 2, 'Delivered', id % 7 === 0), recipient('bounce', 3, 'Bounced')];
	return { messageId: String(id), sentAt: nowMs - 3600 * 1000, settledAt: nowMs - 3600 * 1000 + 5000, recipients };
}

/**
 * Start the sandbox thread. `setFaults(f)` replaces the fault set (and starts an empty rate-limit window);
 * `state()`: `GET /__sandbox/state` (`requests` {total, byRoute, rejected429}; `accounts[key].messages`).
 */
async function startBenchSandbox({ subaccounts, messages, logFile }) {
	const worker = new Worker(__filename, { workerData: { subaccounts, messages }, stdout: true, stderr: true });
	// Its output (Node's warnings, say) goes to its log file, not among the bench's lines.
	const log = fs.createWriteStream(logFile);
	for (const stream of [worker.stdout, worker.stderr]) stream.pipe(log, { end: false });
	const baseUrl = await new Promise((listening, failed) => {
		worker.once('message', listening).once('error', failed);
		worker.once('exit', (code) => failed(new Error(`the bench sandbox exited with ${code} before it listened`)));
	});
	const control = async (route, body) => {
		const post = body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {};
		const res = await fetch(`${new URL(baseUrl).origin}/__sandbox/${route}`, { ...post, signal: AbortSignal.timeout(30000) });
		const json = await res.json();
		if (res.status !== 200 || !json.success) throw new Error(`sandbox ${route}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
		return json;
	};
	const state = async () => (await control('state')).state;
	return { baseUrl, apiKey: DEMO_KEY, setFaults: (faults) => control('faults', faults), state, stop: () => worker.terminate() };
}

if (!isMainThread) {
	const sandbox = createSandbox({
		state: (nowMs) => {
			const state = seeds.demo(nowMs, { subaccountCount: workerData.subaccounts });
			const { messages } = state.accounts[DEMO_KEY];
			state.accounts[DEMO_KEY].balance = 1e6; // euros: campaigns of any size are charged
			for (let id = FIRST_MESSAGE_ID; id < FIRST_MESSAGE_ID + workerData.messages; id++) messages[id] = benchMessage(id, nowMs);
			return state;
		},
	});
	sandbox.listen(0, '127.0.0.1').then(({ baseUrl }) => parentPort.postMessage(baseUrl.replace(/\/+$/, '')));
}

module.exports = { startBenchSandbox, FIRST_MESSAGE_ID, recipientCount, messageIdAt };
