/**
 * n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED, since n8n 2.12; n8n 3 blocks more ranges by
 * default): the node's requests go through n8n's request helper, so the protection applies to
 * them. A Base URL it blocks gives an error that says so and names the setting to change, and
 * nothing is sent; allowed explicitly, the same call goes through. n8n reads its settings when its
 * modules load, so each case loads n8n-core (through the engine harness) afresh with its own
 * environment. JavaScript on purpose: n8n's lint forbids `process` in TypeScript files.
 */
const { createSandbox, DEMO_KEY } = require('../dev/sandbox/server');

const ssrfSettings = ['N8N_SSRF_PROTECTION_ENABLED', 'N8N_SSRF_ALLOWED_IP_RANGES'];
const saved = Object.fromEntries(ssrfSettings.map((name) => [name, process.env[name]]));

/** The engine harness (so n8n-core and its settings) loaded with `env` set. */
function harnessWith(env) {
	for (const name of ssrfSettings) delete process.env[name];
	Object.assign(process.env, env);
	let harness;
	jest.isolateModules(() => {
		harness = require('./harness/engine');
	});
	return harness;
}

let sandbox;
let credentials;

beforeAll(async () => {
	sandbox = createSandbox({ state: 'demo' });
	const { baseUrl } = await sandbox.listen(0, '127.0.0.1');
	credentials = { apiKey: DEMO_KEY, baseUrl };
});

afterAll(async () => {
	await sandbox?.close();
	for (const name of ssrfSettings) {
		if (saved[name] === undefined) delete process.env[name];
		else process.env[name] = saved[name];
	}
});

beforeEach(() => sandbox.reset());

const getCredits = { resource: 'account', operation: 'getCredits' };
const send = { resource: 'message', operation: 'send', subject: 'Hello', htmlContent: '<p>Hi</p>', to: 'ada@example.com' };

describe('with n8n’s SSRF protection on', () => {
	it('a Base URL on a blocked address: a clear error naming the setting, and nothing sent', async () => {
		const { runNode } = harnessWith({ N8N_SSRF_PROTECTION_ENABLED: 'true' });
		const host = new URL(credentials.baseUrl).host;
		for (const parameters of [getCredits, send]) {
			const result = await runNode({ parameters, credentials });
			expect(result.error?.message).toBe(`n8n's SSRF protection blocked the request to ${host}`);
			expect(result.error?.description).toMatch(/N8N_SSRF_ALLOWED_IP_RANGES \(e\.g\. 127\.0\.0\.1\/32 for a local sandbox\)/);
			// Refused before connecting: a money call says nothing was done, not that it may have been.
			if (parameters === send) expect(result.error?.description).toMatch(/Nothing was done and nothing was charged\./);
			expect(JSON.stringify(result.run)).not.toContain(DEMO_KEY);
		}
		expect(sandbox.state.requests.total).toBe(0);
	});

	it('the same Base URL allowed in N8N_SSRF_ALLOWED_IP_RANGES goes through', async () => {
		const { runNode } = harnessWith({ N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32' });
		const result = await runNode({ parameters: getCredits, credentials });
		expect(result.error).toBeUndefined();
		expect(result.items?.[0].json).toHaveProperty('credits.currency', 'EUR');
		expect(sandbox.state.requests.total).toBe(1);
	});
});
