'use strict';

const path = require('node:path');

const { createSandbox, seeds, DEMO_KEY } = require(path.join(__dirname, '..', '..', 'sandbox', 'server'));

const LIST_ROUTE = 'GET /subaccount/list';

/** The demo seed, grown to `count` subaccounts written the way the demo writes its 45. */
function demoWith(count) {
	return (nowMs) => {
		const state = seeds.demo(nowMs);
		const { subaccounts } = state.accounts[DEMO_KEY];
		const pad = (n) => String(n).padStart(3, '0');
		for (let id = subaccounts.length + 1; id <= count; id++) {
			subaccounts.push({
				id,
				email: `client-${pad(id)}@sandbox.mailpartner.invalid`,
				type: id % 3 === 0 ? 'advanced' : 'simple',
				token: `demo-token-${pad(id)}`,
				apiKey: `demo-subaccount-key-${pad(id)}`,
				createdAt: new Date(Date.UTC(2024, 0, 1, 9, 30, 0) + id * 86400000).toISOString().slice(0, 19).replace('T', ' '),
				balance: (id % 5) * 1.25,
				currency: 'EUR',
				mailsSent: 0,
			});
		}
		state.nextSubaccountId = Math.max(state.nextSubaccountId, count + 1);
		return state;
	};
}

/** Starts the sandbox on a free local port with `subaccounts` on the demo key. */
async function startSandbox({ subaccounts }) {
	const sandbox = createSandbox({ state: demoWith(subaccounts) });
	const { baseUrl } = await sandbox.listen(0, '127.0.0.1');
	const subaccountCount = sandbox.state.accounts[DEMO_KEY].subaccounts.length;
	if (subaccountCount !== subaccounts) throw new Error(`sandbox seeded ${subaccountCount} subaccounts, wanted ${subaccounts}`);
	return {
		sandbox,
		baseUrl,
		apiKey: DEMO_KEY,
		credentials: { apiKey: DEMO_KEY, baseUrl },
		/** List requests the sandbox has answered so far (the counter is read before faults apply). */
		listRequests: () => sandbox.state.requests.byRoute[LIST_ROUTE] ?? 0,
		close: () => sandbox.close(),
	};
}

module.exports = { startSandbox };
