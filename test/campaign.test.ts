import type { IDataObject } from 'n8n-workflow';

import { MailPartner } from '../nodes/MailPartner/MailPartner.node';
import { createSandbox, DEMO_KEY, seeds } from '../dev/sandbox/server';
import { runNode, type RunResult } from './harness/engine';

/**
 * Message → Send, One Recipient per Item, at campaign scale, through n8n's engine against the local
 * sandbox on 127.0.0.1, whose records say which recipients were sent: each exactly once, in sends of
 * at most 500, also when the sandbox enforces a rate limit that the campaign exceeds (HTTP 429,
 * which the node waits out and sends again after).
 */

type Sandbox = ReturnType<typeof createSandbox>;
interface Kept {
	recipients: Array<{ email: string }>;
}

const send = { resource: 'message', operation: 'send', subject: 'Hello', htmlContent: '<p>Hi</p>', recipientsFrom: 'items', recipientEmail: '={{ $json.email }}' };
const itemsOf = (count: number) => Array.from({ length: count }, (_, index) => ({ email: `r${index}@example.com` }));

let sandbox: Sandbox;
let credentials: { apiKey: string; baseUrl: string };

beforeAll(async () => {
	// The demo account with enough balance for every campaign here (0.05 € a mail).
	sandbox = createSandbox({
		state: (nowMs: number) => {
			const state = seeds.demo(nowMs) as { accounts: Record<string, { balance: number }> };
			state.accounts[DEMO_KEY].balance = 1_000_000;
			return state;
		},
	});
	const { baseUrl } = await sandbox.listen(0, '127.0.0.1');
	credentials = { apiKey: DEMO_KEY, baseUrl };
});

afterAll(async () => sandbox?.close());

/** The sandbox's sends carried out during the test (the seed's own are left out): their recipients' addresses. */
function sendsCarriedOut(seedIds: Set<string>): string[][] {
	const account = (sandbox.state.accounts as Record<string, { messages: Record<string, Kept> }>)[DEMO_KEY];
	return Object.entries(account.messages)
		.filter(([id]) => !seedIds.has(id))
		.map(([, message]) => message.recipients.map(({ email }) => email));
}

function seedIds(): Set<string> {
	return new Set(Object.keys((sandbox.state.accounts as Record<string, { messages: object }>)[DEMO_KEY].messages));
}

/** Every item's recipient sent exactly once, in sends of `sizes`; the output one item per send, paired with its items. */
function expectCampaign(result: RunResult, before: Set<string>, count: number, sizes: number[]): void {
	expect(result.error).toBeUndefined();
	const sends = sendsCarriedOut(before);
	expect(sends.map((recipients) => recipients.length).sort((a, b) => b - a)).toEqual(sizes);
	const sent = sends.flat();
	expect(sent).toHaveLength(count);
	expect(new Set(sent).size).toBe(count);
	expect(new Set(sent)).toEqual(new Set(itemsOf(count).map(({ email }) => email)));

	expect(result.items).toHaveLength(sizes.length);
	let next = 0;
	for (const item of result.items ?? []) {
		const paired = (item.pairedItem as Array<{ item: number }>).map(({ item: index }) => index);
		// In input order: each send carries the next items, and says which recipients it carried.
		expect(paired).toEqual(Array.from({ length: paired.length }, (_, offset) => next + offset));
		expect(item.json.recipients).toEqual(paired.map((index) => `r${index}@example.com`));
		expect(item.json).toMatchObject({ nbMail: paired.length } as IDataObject);
		next += paired.length;
	}
	expect(next).toBe(count);
}

describe('Message → Send, One Recipient per Item: a campaign', () => {
	it('above the sandbox’s rate limit: every recipient sent exactly once, no 429 reaching the user', async () => {
		sandbox.reset();
		// 2 requests per second, 4 sends let go at once: 2 are refused with HTTP 429 and Retry-After: 1.
		sandbox.setFaults({ rateLimit: { requests: 2, windowMs: 1000 } });
		const before = seedIds();
		const result = await runNode({
			parameters: { ...send, options: { requestsPerMinute: 0 } },
			items: itemsOf(1_800),
			credentials,
		});
		expectCampaign(result, before, 1_800, [500, 500, 500, 300]);
		// The limit was met: some sends were refused, and each went again until let through.
		const requests = sandbox.state.requests as { total: number; rejected429: number; byRoute: Record<string, number> };
		expect(requests.rejected429).toBeGreaterThan(0);
		expect(requests.byRoute['POST /send']).toBe(4 + requests.rejected429);
	}, 60_000);

	it('10 000 items: 20 sends of 500, each recipient exactly once, the output paired', async () => {
		sandbox.reset();
		sandbox.setFaults({});
		const before = seedIds();
		const result = await runNode({ parameters: send, items: itemsOf(10_000), credentials });
		expectCampaign(result, before, 10_000, Array.from({ length: 20 }, () => 500));
		expect(sandbox.state.requests).toMatchObject({ total: 20, rejected429: 0 });
	}, 180_000);
});

describe('Options → Requests Per Minute', () => {
	it('tells, under the field, the per-worker share in queue mode', () => {
		const options = new MailPartner().description.properties.find((property) => property.name === 'options');
		const field = (options?.options as Array<{ name: string; hint?: string }> | undefined)?.find(({ name }) => name === 'requestsPerMinute');
		expect(field?.hint).toMatch(/In queue mode each worker paces itself: set 1 900 ÷ the number of workers that send through the same IP address \(2 workers: 950 each\)/);
	});
});
