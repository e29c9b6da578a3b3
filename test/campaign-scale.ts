import { createSandbox, DEMO_KEY, seeds } from '../dev/sandbox/server';
import { runNode } from './harness/engine';
import { envNumber, measure } from './harness/measure';
import { printLine } from './harness/print-line';

/**
 * A one-off measure, not part of `npm test` (jest's testMatch wants `.test.ts`): Message → Send,
 * One Recipient per Item, on CAMPAIGN_ITEMS items (100 000 by default) through n8n's engine against
 * the sandbox on 127.0.0.1, in this same process. Run it alone (it is timed):
 *
 *   npm run build && /usr/bin/time -v npx jest -i --testMatch '**' test/campaign-scale.ts
 *
 * It checks what the campaign test checks (each recipient exactly once, sends of 500, output paired)
 * and prints the time, the peak RSS sampled every 50 ms (sandbox, items and jest included) and the
 * sends.
 */

const count = envNumber('CAMPAIGN_ITEMS', 100_000);

it(`${count} items, One Recipient per Item`, async () => {
	const sandbox = createSandbox({
		state: (nowMs: number) => {
			const state = seeds.demo(nowMs) as { accounts: Record<string, { balance: number }> };
			state.accounts[DEMO_KEY].balance = 1_000_000_000;
			return state;
		},
	});
	const { baseUrl } = await sandbox.listen(0, '127.0.0.1');
	try {
		const account = () => (sandbox.state.accounts as Record<string, { messages: Record<string, { recipients: Array<{ email: string }> }> }>)[DEMO_KEY];
		const seedIds = new Set(Object.keys(account().messages));
		const items = Array.from({ length: count }, (_, index) => ({ email: `r${index}@example.com`, name: `R ${index}` }));
		const { value: result, ms, cpuMs, rssBefore, peakRss } = await measure(
			async () =>
				await runNode({
					parameters: { resource: 'message', operation: 'send', subject: 'Hello', htmlContent: '<p>Hi #NAME#</p>', recipientsFrom: 'items', recipientEmail: '={{ $json.email }}', recipientName: '={{ $json.name }}' },
					items,
					credentials: { apiKey: DEMO_KEY, baseUrl },
				}),
		);

		expect(result.error).toBeUndefined();
		const sends = Object.entries(account().messages).filter(([id]) => !seedIds.has(id)).map(([, message]) => message.recipients.map(({ email }) => email));
		const sent = sends.flat();
		const distinct = new Set(sent);
		expect(sends).toHaveLength(count / 500);
		expect(sends.every((recipients) => recipients.length === 500)).toBe(true);
		expect(sent).toHaveLength(count);
		expect(distinct.size).toBe(count);
		expect(items.every(({ email }) => distinct.has(email))).toBe(true);
		expect(result.items).toHaveLength(count / 500);
		const paired = (result.items ?? []).flatMap((item) => (item.pairedItem as Array<{ item: number }>).map(({ item }) => item));
		expect(paired).toEqual(items.map((_, index) => index));
		expect(sandbox.state.requests).toMatchObject({ total: count / 500, rejected429: 0 });

		const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
		printLine(
			`campaign: ${count} items, ${sends.length} sends, ${distinct.size} recipients each once, ${(ms / 1000).toFixed(2)} s, ` +
				`CPU ${cpuMs.toFixed(0)} ms (${((cpuMs * 1000) / count).toFixed(1)} µs/recipient), ` +
				`RSS ${mb(rssBefore)} MB before, peak ${mb(peakRss)} MB`,
		);
	} finally {
		await sandbox.close();
	}
}, 600_000);
