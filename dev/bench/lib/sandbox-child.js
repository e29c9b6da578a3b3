'use strict';

/**
 * The benchmark's sandbox, in a process of its own so that its work never shares an event loop
 * with what is measured (the raw axios loop runs in the bench process).
 *
 * Seed: the demo account with `--subaccounts` subaccounts (Return All) and `--messages` extra
 * messages, ids 100000… (Get Status): with one message per item, an output in the wrong order or a
 * duplicated call shows up as a wrong messageId, which two repeated ids could not show.
 *
 * Prints `bench sandbox listening on URL` once ready; faults are set through the sandbox's own
 * control endpoint (`POST /__sandbox/faults`), counts are read from `GET /__sandbox/state`.
 */

const path = require('node:path');

const { createSandbox, seeds, DEMO_KEY } = require(path.join(__dirname, '..', '..', 'sandbox', 'server'));
const { FIRST_MESSAGE_ID, isPending } = require('./seed');

function arg(name, fallback) {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Message `id`, Pending or settled as seed.js says. */
function benchMessage(id, nowMs) {
	const mailbox = (name) => `${name}-${id}@sandbox.mailpartner.invalid`;
	if (isPending(id)) {
		return {
			messageId: String(id),
			sentAt: nowMs - 60 * 1000,
			settledAt: nowMs + 48 * 3600 * 1000,
			recipients: [{ email: mailbox('carol'), token: `bench-${id}-1`, finalStatus: 'Delivered', finalStopMail: false, cost: 1 }],
		};
	}
	return {
		messageId: String(id),
		sentAt: nowMs - 3600 * 1000,
		settledAt: nowMs - 3600 * 1000 + 5000,
		recipients: [
			{ email: mailbox('alice'), token: `bench-${id}-1`, finalStatus: 'Delivered', finalStopMail: false, cost: 1 },
			{ email: mailbox('bob'), token: `bench-${id}-2`, finalStatus: 'Delivered', finalStopMail: id % 7 === 0, cost: 1 },
			{ email: mailbox('bounce'), token: `bench-${id}-3`, finalStatus: 'Bounced', finalStopMail: false, cost: 1 },
		],
	};
}

async function main() {
	const subaccountCount = arg('subaccounts', 2000);
	const messages = arg('messages', 10000);
	const sandbox = createSandbox({
		state: (nowMs) => {
			const state = seeds.demo(nowMs, { subaccountCount });
			const account = state.accounts[DEMO_KEY];
			for (let id = FIRST_MESSAGE_ID; id < FIRST_MESSAGE_ID + messages; id++) account.messages[id] = benchMessage(id, nowMs);
			return state;
		},
	});
	const { baseUrl } = await sandbox.listen(0, '127.0.0.1');
	console.log(`bench sandbox listening on ${baseUrl}`);
	const stop = () => sandbox.close().then(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
