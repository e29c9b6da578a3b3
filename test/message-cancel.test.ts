import nock from 'nock';

import { createSandbox, DEMO_KEY } from '../dev/sandbox/server';
import { runNode } from './harness/engine';
import { apiKey, credentials, documentedErrors, failureJson, failureXml, origin } from './harness/fixtures';
import { everythingIn } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

/**
 * Message → Cancel through n8n's engine: a scheduled send made by the node, cancelled by the
 * node, against the sandbox whose clock the test moves; and the cancel page's codes.
 */

const cancel = { resource: 'message', operation: 'cancel' };
const day = 24 * 3600 * 1000;

type Sandbox = ReturnType<typeof createSandbox>;
let sandbox: Sandbox;
let clock = Date.now();
let sandboxCredentials: { apiKey: string; baseUrl: string };

beforeAll(async () => {
	nock.disableNetConnect();
	nock.enableNetConnect('127.0.0.1');
	sandbox = createSandbox({ state: 'demo', now: () => clock });
	const { baseUrl } = await sandbox.listen(0, '127.0.0.1');
	sandboxCredentials = { apiKey: DEMO_KEY, baseUrl };
});
beforeEach(() => {
	clock = Date.now();
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
	await sandbox.close();
	nock.restore();
});

/** A send through the node, scheduled `inMs` from now (or immediate), in sandbox-charged mode. */
async function sendScheduled(inMs: number | null, format: Format): Promise<string> {
	const additionalFields = inMs === null ? {} : { scheduledAt: new Date(Date.now() + inMs).toISOString() };
	const result = await runNode({
		parameters: withFormat({ resource: 'message', operation: 'send', subject: 'Later', htmlContent: '<p>x</p>', to: 'a@example.com', additionalFields }, format),
		credentials: sandboxCredentials,
	});
	expect(result.error).toBeUndefined();
	return String(result.items?.[0].json.messageId);
}

const cancelIn = (messageId: string, format: Format) =>
	runNode({ parameters: withFormat({ ...cancel, messageId }, format), credentials: sandboxCredentials });

describe.each<Format>(['json', 'xml'])('Message → Cancel against the sandbox (%s)', (format) => {
	it('cancels a scheduled send, gives the credit back, and its recipients then read Cancelled', async () => {
		const balance = () => sandbox.state.accounts[DEMO_KEY].balance as number;
		const before = balance();
		const messageId = await sendScheduled(day, format);
		expect(balance()).toBeCloseTo(before - 0.05, 3);
		const result = await cancelIn(messageId, format);
		expect(result.items?.map((item) => item.json)).toEqual([{ messageId, cancelled: true, message: 'L\'envoi du mail a été annulé.' }]);
		expect(result.items?.[0].pairedItem).toEqual({ item: 0 });
		expect(balance()).toBeCloseTo(before, 3);
		const status = await runNode({ parameters: withFormat({ resource: 'message', operation: 'getStatus', messageId }, format), credentials: sandboxCredentials });
		expect(status.items?.map((item) => item.json.status)).toEqual(['Cancelled']);
		expect(everythingIn([result.run, status.run])).not.toContain(DEMO_KEY);
	});

	it('code 5: a send already cancelled', async () => {
		const messageId = await sendScheduled(day, format);
		await cancelIn(messageId, format);
		const again = await cancelIn(messageId, format);
		expect(again.error?.message).toBe(`This send was already cancelled (MailPartner code 5: ${documentedErrors.cancel[5]})`);
		expect(again.error?.description).toMatch(/^Nothing more to do: the mail will not go out/);
	});

	it('code 6: less than 5 minutes before the scheduled time', async () => {
		const messageId = await sendScheduled(day, format);
		// The node rounded the time up to the next 5 minutes: count from the sandbox's own record.
		clock = (sandbox.state.accounts[DEMO_KEY].messages[messageId].sentAt as number) - 2 * 60 * 1000;
		const late = await cancelIn(messageId, format);
		expect(late.error?.message).toBe(`Too late to cancel: the send starts in less than 5 minutes (MailPartner code 6: ${documentedErrors.cancel[6]})`);
		expect(late.error?.description).toMatch(/so the mail will go out/);
	});

	it('code 7: a send without a schedule, and a scheduled one once its time has passed', async () => {
		const now = await sendScheduled(null, format);
		const immediate = await cancelIn(now, format);
		expect(immediate.error?.message).toBe(`Too late to cancel: this mail was already sent (MailPartner code 7: ${documentedErrors.cancel[7]})`);
		const later = await sendScheduled(day, format);
		clock = Date.now() + 2 * day;
		const passed = await cancelIn(later, format);
		expect(passed.error?.message).toBe(`Too late to cancel: this mail was already sent (MailPartner code 7: ${documentedErrors.cancel[7]})`);
	});

	it('code 4: an unknown message', async () => {
		const result = await cancelIn('999999', format);
		expect(result.error?.message).toBe(`Message not found (MailPartner code 4: ${documentedErrors.cancel[4]})`);
	});
});

describe('Message → Cancel: the cancel page’s codes from MailPartner itself (nock)', () => {
	it.each<[string, Format]>(
		Object.keys(documentedErrors.cancel).flatMap((code) => [
			[code, 'json'],
			[code, 'xml'],
		]),
	)('code %s (%s) reads as a known message with MailPartner’s words', async (code, format) => {
		const french = documentedErrors.cancel[code];
		const body = format === 'json' ? failureJson(Number(code), french) : failureXml(Number(code), french);
		nock(origin)
			.get('/v1/message-cancel')
			.query({ apiKey, messageId: '300', ...(format === 'xml' ? { _format: 'xml' } : {}) })
			.reply(400, body);
		const result = await runNode({ parameters: withFormat({ ...cancel, messageId: '300' }, format), credentials });
		expect(result.error?.message).toMatch(new RegExp(`^[A-Z][^(]+ \\(MailPartner code ${code}: `));
		expect(result.error?.message).not.toMatch(/^MailPartner refused the request/);
		expect(result.error?.message).toContain(french);
	});

	it('refuses a Message ID that is not a number before any request', async () => {
		const scope = nock(origin).get('/v1/message-cancel').query(true).reply(200, '{}');
		const result = await runNode({ parameters: { ...cancel, messageId: 'abc' }, credentials });
		expect(result.error?.message).toBe('Message ID must be a number, got "abc"');
		expect(scope.isDone()).toBe(false);
	});
});
