import { DEMO_KEY } from '../dev/sandbox/server';
import { startDemoSandbox, type Sandbox } from './harness/sandbox';
import { runNode } from './harness/engine';
import { everythingIn } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

/**
 * The node through n8n's engine against the local MailPartner sandbox on 127.0.0.1: real
 * sockets, a stateful account, and the sandbox's faults.
 */

let sandbox: Sandbox;
let credentials: { apiKey: string; baseUrl: string };

beforeAll(async () => {
	({ sandbox, credentials } = await startDemoSandbox());
});
afterEach(() => sandbox.setFaults({}));
afterAll(async () => await sandbox.close());

const getCredits = { resource: 'account', operation: 'getCredits' };
const listAll = { resource: 'subaccount', operation: 'getAll', returnAll: true };

async function balance(): Promise<number> {
	const result = await runNode({ parameters: getCredits, credentials });
	const credits = result.items?.[0].json.credits as { balance: string };
	return Number(credits.balance);
}

describe.each<Format>(['json', 'xml'])('against the sandbox (%s)', (format) => {
	it('lists the 45 subaccounts over 3 pages, in order', async () => {
		const before = sandbox.state.requests.byRoute['GET /subaccount/list'] ?? 0;
		const result = await runNode({ parameters: withFormat(listAll, format), credentials });
		expect(result.items?.map((item) => item.json.id)).toEqual(Array.from({ length: 45 }, (_, index) => index + 1));
		expect(sandbox.state.requests.byRoute['GET /subaccount/list'] - before).toBe(3);
	});

	it('reports the delivery status of message 1001 per recipient', async () => {
		const result = await runNode({ parameters: withFormat({ resource: 'message', operation: 'getStatus', messageId: '1001' }, format), credentials });
		const statuses = (result.items ?? []).map((item) => item.json.status as string);
		expect(statuses.sort()).toEqual(['Bounced', 'Delivered', 'Delivered']);
	});

	it('refuses a wrong key with the clear message, and does not show the key', async () => {
		const wrong = { ...credentials, apiKey: 'wrong-key-that-must-not-leak' };
		const result = await runNode({ parameters: withFormat(getCredits, format), credentials: wrong });
		expect(result.error?.message).toBe('Invalid API key (MailPartner code 10: Clé API incorrecte)');
		expect(everythingIn(result.run)).not.toContain('wrong-key-that-must-not-leak');
	});
});

describe('state across operations', () => {
	it('creating a subaccount with credit moves it off the main balance, and the list grows', async () => {
		const balanceBefore = await balance();
		const listedBefore = (await runNode({ parameters: listAll, credentials })).items?.length ?? 0;
		const created = await runNode({
			parameters: { resource: 'subaccount', operation: 'create', type: 'simple', additionalFields: { creditToAttribute: 12.5, title: 'Client A' } },
			credentials,
		});
		expect(created.error).toBeUndefined();
		expect(created.items?.[0].json).toEqual(
			expect.objectContaining({ subaccount: expect.objectContaining({ token: expect.any(String) }) }),
		);
		expect(await balance()).toBeCloseTo(balanceBefore - 12.5, 3);
		const listedAfter = await runNode({ parameters: listAll, credentials });
		expect(listedAfter.items).toHaveLength(listedBefore + 1);
	});

	it('an advanced subaccount with an e-mail already used is refused by MailPartner with code 7', async () => {
		const parameters = { resource: 'subaccount', operation: 'create', type: 'advanced', email: 'twice@example.com', isBuyer: 0 };
		expect((await runNode({ parameters, credentials })).error).toBeUndefined();
		const second = await runNode({ parameters, credentials });
		expect(second.error?.message).toMatch(/^An account already exists with this email \(MailPartner code 7: /);
	});
});

describe('faults', () => {
	it.each<[string, Record<string, unknown>, RegExp]>([
		['a dropped connection', { dropConnection: true }, /connection .*closed unexpectedly|socket hang up|ECONNRESET/i],
		['an HTML error page', { htmlErrorPage: true }, /^The subaccount may have been created: MailPartner answered with an HTML page \(HTTP 502\)$/],
		['a truncated body', { truncateBody: true }, /incomplete or malformed \(HTTP 200\)$/],
		['a malformed body', { malformedBody: true }, /incomplete or malformed \(HTTP 200\)$/],
		['an HTTP 503', { httpStatus: 503 }, /^MailPartner refused the request \(MailPartner code 503\b/],
	])('%s gives a clear error without the key', async (_case, faults, message) => {
		sandbox.setFaults(faults);
		// Create is never retried, so a 5xx fault gives its error at once (reads are retried: see hostile.test.ts).
		const result = await runNode({ parameters: { resource: 'subaccount', operation: 'create', type: 'simple' }, credentials });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toMatch(message);
		expect(everythingIn(result.run)).not.toContain(DEMO_KEY);
	});

	it('the list in the published XML layout is refused clearly, never mislabelled', async () => {
		sandbox.options.listXmlLayout = 'published';
		try {
			const result = await runNode({ parameters: withFormat(listAll, 'xml'), credentials });
			expect(result.items).toBeUndefined();
			expect(result.error?.message).toMatch(/^MailPartner’s XML answer (is not well-formed|did not match)/);
		} finally {
			sandbox.options.listXmlLayout = 'positional';
		}
	});
});
