'use strict';

const path = require('node:path');

const { createSandbox, seeds, DEMO_KEY } = require(path.join(__dirname, '..', '..', 'sandbox', 'server'));

const LIST_ROUTE = 'GET /subaccount/list';

/** Starts the sandbox on a free local port with `subaccounts` on the demo key. */
async function startSandbox({ subaccounts }) {
	const sandbox = createSandbox({ state: (nowMs) => seeds.demo(nowMs, { subaccountCount: subaccounts }) });
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
