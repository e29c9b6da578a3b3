import nock from 'nock';
import type { IBinaryKeyData, IDataObject } from 'n8n-workflow';

import { DEMO_KEY } from '../dev/sandbox/server';
import { startDemoSandbox, type Sandbox } from './harness/sandbox';
import { runNode } from './harness/engine';
import { apiKey, credentials, documentedErrors, origin, toPositionalXml } from './harness/fixtures';
import { everythingIn, expectNoApiKey } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

/**
 * Message → Send through n8n's engine: the request MailPartner receives (nock, at the socket),
 * the output, and every check made before anything is sent.
 */

const send = { resource: 'message', operation: 'send', subject: 'Hello', htmlContent: '<p>Hi #FIRSTNAME#</p>' };
const answer = { success: true, code: 200, messageId: '301', nbMail: 2, cost: 0.1, currency: 'EUR', scheduledDeliveryDate: null };
const output = { messageId: '301', nbMail: 2, cost: 0.1, currency: 'EUR', scheduledDeliveryDate: null };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

/** Answers one POST /send and keeps the body MailPartner received. */
function expectSend(reply: IDataObject | string = answer, format: Format = 'json') {
	const bodies: IDataObject[] = [];
	const scope = nock(origin)
		.post('/v1/send', (body: IDataObject) => {
			bodies.push(body);
			return true;
		})
		.reply(200, typeof reply === 'string' ? reply : format === 'json' ? JSON.stringify(reply) : toPositionalXml(reply));
	return { scope, bodies };
}

describe.each<Format>(['json', 'xml'])('Message → Send (%s)', (format) => {
	it('sends the subject, the content and the To list as params.to, and outputs the answer with its recipients', async () => {
		const { scope, bodies } = expectSend(answer, format);
		const result = await runNode({
			parameters: withFormat({ ...send, to: 'ada@example.com, Grace Hopper <grace@example.com>' }, format),
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(bodies[0]).toEqual({
			apiKey,
			...(format === 'xml' ? { _format: 'xml' } : {}),
			subject: 'Hello',
			htmlContent: '<p>Hi #FIRSTNAME#</p>',
			sandbox: 0,
			params: { to: [{ email: 'ada@example.com' }, { email: 'grace@example.com', name: 'Grace Hopper' }] },
		});
		expect(result.items?.map((item) => item.json)).toEqual([{ ...output, recipients: ['ada@example.com', 'grace@example.com'] }]);
		expect(result.items?.[0].pairedItem).toEqual({ item: 0 });
		expectNoApiKey(result.run);
	});
});

describe('Message → Send: each option', () => {
	it('takes To from an expression giving {email, name} objects or plain addresses', async () => {
		const { bodies } = expectSend();
		const result = await runNode({
			parameters: { ...send, to: '={{ $json.people }}' },
			items: [{ people: [{ email: 'a@example.com', name: 'A' }, 'b@example.com'] }],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect((bodies[0].params as IDataObject).to).toEqual([{ email: 'a@example.com', name: 'A' }, { email: 'b@example.com' }]);
	});

	it('sends one mail per input item in list mode, each output paired with its item', async () => {
		const first = expectSend({ ...answer, messageId: '1' });
		const second = expectSend({ ...answer, messageId: '2' });
		const result = await runNode({
			parameters: { ...send, to: '={{ $json.to }}', options: { itemsInFlight: 1 } },
			items: [{ to: 'a@example.com' }, { to: 'b@example.com' }],
			credentials,
		});
		expect(first.bodies.length + second.bodies.length).toBe(2);
		expect(result.items?.map((item) => [item.json.messageId, item.json.recipients, item.pairedItem])).toEqual([
			['1', ['a@example.com'], { item: 0 }],
			['2', ['b@example.com'], { item: 1 }],
		]);
	});

	it('sends reply-to, variables, tag and the sandbox flag where the README says', async () => {
		const { bodies } = expectSend();
		const result = await runNode({
			parameters: {
				...send,
				to: 'a@example.com',
				sandbox: true,
				additionalFields: {
					replyToEmail: 'support@example.com',
					replyToName: 'Support',
					tag: 'newsletter-12',
					variables: { variable: [{ name: 'firstname', value: 'Ada' }, { name: 'city', value: 'Lyon' }] },
				},
			},
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies[0]).toMatchObject({
			sandbox: 1,
			replyTo: { email: 'support@example.com', name: 'Support' },
			tag: 'newsletter-12',
			variables: { firstname: 'Ada', city: 'Lyon' },
		});
	});

	it('schedules in Paris time, rounded up to the next 5 minutes, from a value with an offset', async () => {
		const { bodies } = expectSend({ ...answer, scheduledDeliveryDate: '2030-07-01 09:35:00' });
		// 07:32 UTC in July is 09:32 in Paris (UTC+2): rounded up to 09:35.
		const result = await runNode({
			parameters: { ...send, to: 'a@example.com', additionalFields: { scheduledAt: '2030-07-01T07:32:10Z' } },
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies[0]).toMatchObject({ scheduledDeliveryDate: '01/07/2030', time: '09', minute: '35' });
		expect(result.items?.[0].json.scheduledDeliveryDate).toBe('2030-07-01 09:35:00');
	});

	it('attaches binary properties as base64 with their MIME type and the file name without its extension', async () => {
		const { bodies } = expectSend();
		const invoice = Buffer.from('%PDF-1.4 invoice');
		const result = await runNode({
			parameters: { ...send, to: 'a@example.com', additionalFields: { attachments: 'data, notes' } },
			items: [{}],
			binary: [
				{
					data: { data: invoice.toString('base64'), mimeType: 'application/pdf', fileName: 'invoice-2026.11.pdf' },
					notes: { data: Buffer.from('hello').toString('base64'), mimeType: 'text/plain' },
				},
			],
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(bodies[0].attachments).toEqual([
			{ base64Content: invoice.toString('base64'), contentType: 'application/pdf', filename: 'invoice-2026.11' },
			{ base64Content: Buffer.from('hello').toString('base64'), contentType: 'text/plain', filename: 'notes' },
		]);
	});

	it('gathers one recipient per item into sends of at most 500, the message from the first item, each send paired with its items', async () => {
		const sends: IDataObject[] = [];
		nock(origin)
			.post('/v1/send', (body: IDataObject) => {
				sends.push(body);
				return true;
			})
			.times(3)
			.reply(200, () => JSON.stringify({ ...answer, messageId: String(400 + sends.length), nbMail: 1 }));
		const items = Array.from({ length: 1201 }, (_, index) => ({ address: `r${index}@example.com`, who: `R ${index}`, subject: `S${index}` }));
		const result = await runNode({
			parameters: {
				...send,
				subject: '={{ $json.subject }}',
				recipientsFrom: 'items',
				recipientEmail: '={{ $json.address }}',
				recipientName: '={{ $json.who }}',
				options: { itemsInFlight: 1 },
			},
			items,
			credentials,
		});
		expect(result.error).toBeUndefined();
		expect(sends.map((body) => (body.params as { to: unknown[] }).to.length)).toEqual([500, 500, 201]);
		expect(sends.every((body) => body.subject === 'S0')).toBe(true);
		expect((sends[2].params as { to: unknown[] }).to[200]).toEqual({ email: 'r1200@example.com', name: 'R 1200' });
		expect(result.items).toHaveLength(3);
		const paired = result.items?.map((item) => (item.pairedItem as Array<{ item: number }>).map(({ item }) => item));
		expect(paired?.map((list) => [list.length, list[0], list[list.length - 1]])).toEqual([
			[500, 0, 499],
			[500, 500, 999],
			[201, 1000, 1200],
		]);
		expect(result.items?.[1].json.recipients).toHaveLength(500);
		expect((result.items?.[1].json.recipients as string[])[0]).toBe('r500@example.com');
		// 1 201 items through the real expression engine: seconds on a busy 2-core machine.
	}, 60_000);
});

describe('Message → Send: every limit is checked before anything is sent, naming the field', () => {
	const list = (n: number) => Array.from({ length: n }, (_, index) => `r${index}@example.com`);
	const bigFile = { data: Buffer.alloc(5_000_001).toString('base64'), mimeType: 'application/pdf', fileName: 'big.pdf' };
	const small = { data: Buffer.from('x').toString('base64'), mimeType: 'text/plain', fileName: 'x.txt' };
	it.each<[string, IDataObject, RegExp, IBinaryKeyData?]>([
		['an empty subject', { subject: ' ' }, /^Subject is empty$/],
		['blank content', { htmlContent: '  \n ' }, /^HTML Content is empty$/],
		['no recipient', { to: ' , ' }, /^To has no recipient$/],
		['an invalid address', { to: 'ada@example.com, not-an-address' }, /^To: "not-an-address" is not a valid e-mail address$/],
		['more than 500 in one item', { to: list(501).join(',') }, /^To has 501 recipients: at most 500 per send$/],
		['an address twice', { to: 'a@example.com; A@example.com' }, /^To: A@example.com appears twice$/],
		['a reply-to name without its e-mail', { additionalFields: { replyToName: 'Support' } }, /^Reply-To Name needs a Reply-To Email$/],
		['an invalid reply-to e-mail', { additionalFields: { replyToEmail: 'support' } }, /^Reply-To Email: "support" is not a valid e-mail address$/],
		['a tag with capitals', { additionalFields: { tag: 'News' } }, /^Tag "News" must be 3 to 20 lowercase/],
		['a tag too short', { additionalFields: { tag: 'ab' } }, /^Tag "ab" must be 3 to 20/],
		['a tag too long', { additionalFields: { tag: 'a'.repeat(21) } }, /^Tag "a{21}" must be 3 to 20/],
		[
			'9 variables',
			{ additionalFields: { variables: { variable: Array.from({ length: 9 }, (_, index) => ({ name: `v${index}`, value: 'x' })) } } },
			/^Variables has 9 entries: at most 8$/,
		],
		['HTML in a variable', { additionalFields: { variables: { variable: [{ name: 'name', value: '<b>Ada</b>' }] } } }, /^Variables: the value of "name" contains HTML$/],
		['a variable name with a space', { additionalFields: { variables: { variable: [{ name: 'first name', value: 'Ada' }] } } }, /^Variables: "first name" is not a variable name/],
		['a variable given twice', { additionalFields: { variables: { variable: [{ name: 'city', value: 'a' }, { name: 'CITY', value: 'b' }] } } }, /^Variables: "CITY" is given twice$/],
		['a schedule in the past', { additionalFields: { scheduledAt: '2020-01-01T10:00:00Z' } }, /^Schedule At: 2020-01-01T10:00:00.000Z is in the past$/],
		// Rounded up to the next 5-minute mark first, this would have passed for a time in the future.
		['a schedule two minutes ago', { additionalFields: { scheduledAt: '={{ $now.minus({ minutes: 2 }) }}' } }, /^Schedule At: .* is in the past$/],
		['now', { additionalFields: { scheduledAt: '={{ $now }}' } }, /^Schedule At: .* is in the past$/],
		['a schedule that is no date', { additionalFields: { scheduledAt: 'tomorrow' } }, /^Schedule At: "tomorrow" is not a date and time/],
		['31 February', { additionalFields: { scheduledAt: '2031-02-31T10:00:00Z' } }, /^Schedule At: "2031-02-31T10:00:00Z" is not a valid date$/],
		['4 attachments', { additionalFields: { attachments: 'a,b,c,d' } }, /^Attachments names 4 files: at most 3$/, { a: small, b: small, c: small, d: small }],
		['a missing binary property', { additionalFields: { attachments: 'data' } }, /^Attachments: the item has no binary property "data"$/],
		['a file over 5 MB', { additionalFields: { attachments: 'data' } }, /^Attachments: "big.pdf" is 5.0 MB: at most 5 MB per file$/, { data: bigFile }],
		// A rest parameter: jest would take a fourth named one for a `done` callback in 3-value rows.
	])('refuses %s', async (_case, parameters, message, ...binary) => {
		const { scope } = expectSend();
		const result = await runNode({ parameters: { ...send, to: 'a@example.com', ...parameters }, binary: [binary[0]], credentials });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(/Nothing was sent and no credit was spent\.$/);
		expect(scope.isDone()).toBe(false);
	});

	it('with several items, one invalid item stops them all before the first send', async () => {
		const { scope } = expectSend();
		const result = await runNode({
			parameters: { ...send, to: '={{ $json.to }}' },
			items: [{ to: 'a@example.com' }, { to: 'broken' }],
			credentials,
		});
		expect(result.error?.message).toBe('Not sent: item 2 is invalid (To: "broken" is not a valid e-mail address)');
		expect(scope.isDone()).toBe(false);
	});

	it('gather mode refuses the same address on two items of one send, and an invalid first item for every item', async () => {
		const { scope } = expectSend();
		const twice = await runNode({
			parameters: { ...send, recipientsFrom: 'items', recipientEmail: '={{ $json.email }}' },
			items: [{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'a@example.com' }],
			credentials,
		});
		expect(twice.error?.message).toBe('Recipient Email: a@example.com appears twice');
		const badFirst = await runNode({
			parameters: { ...send, subject: '={{ $json.subject }}', recipientsFrom: 'items', recipientEmail: '={{ $json.email }}' },
			items: [{ email: 'a@example.com', subject: '' }, { email: 'b@example.com', subject: 'x' }],
			continueOnFail: true,
			credentials,
		});
		expect(badFirst.items?.map((item) => item.json.error)).toEqual([
			'Subject is empty',
			'the first item, which gives the message, is invalid: Subject is empty',
		]);
		expect(scope.isDone()).toBe(false);
	});

	it('refuses Retry On Fail, since a retry would send and charge again', async () => {
		const { scope } = expectSend();
		const result = await runNode({ parameters: { ...send, to: 'a@example.com' }, settings: { retryOnFail: true, maxTries: 2 }, credentials });
		expect(result.error?.message).toBe('Retry On Fail is on: a retry would run this call again and spend the money again');
		expect(scope.isDone()).toBe(false);
	});

	it('is never retried by the node: a 500 answer is reported once', async () => {
		const scope = nock(origin).post('/v1/send').once().reply(500, JSON.stringify({ success: false, code: 500, message: 'Problème lors de l’ajout du mail dans la file d’attente' }));
		const result = await runNode({ parameters: { ...send, to: 'a@example.com' }, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.error?.message).toBe('MailPartner could not queue the mail (MailPartner code 500: Problème lors de l’ajout du mail dans la file d’attente)');
	});

	it('is sent again after HTTP 429 (a refusal before anything is done) and succeeds, once', async () => {
		const refused = nock(origin).post('/v1/send').once().reply(429, JSON.stringify({ success: false, code: 429, message: 'Trop de requêtes' }), { 'Retry-After': '0' });
		const { scope, bodies } = expectSend();
		const result = await runNode({ parameters: { ...send, to: 'a@example.com' }, credentials });
		expect(refused.isDone() && scope.isDone()).toBe(true);
		expect(bodies).toHaveLength(1);
		expect(result.items?.map(({ json }) => json)).toEqual([{ ...output, recipients: ['a@example.com'] }]);
	});

	it('is not sent again after HTTP 429 with a success body: it may have gone out', async () => {
		const scope = nock(origin).post('/v1/send').once().reply(429, JSON.stringify(answer), { 'Retry-After': '0' });
		const result = await runNode({ parameters: { ...send, to: 'a@example.com' }, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.error?.message).toBe('The send may have gone out: MailPartner answered HTTP 429 with a success body');
	});

	it('a node stopped by a lost answer names the items whose send had already gone out', async () => {
		const first = expectSend({ ...answer, messageId: '1' });
		const lost = expectSend('<html><body>502 Bad Gateway</body></html>');
		const third = expectSend({ ...answer, messageId: '3' });
		const result = await runNode({
			parameters: { ...send, to: '={{ $json.to }}', options: { itemsInFlight: 1 } },
			items: [{ to: 'a@example.com' }, { to: 'b@example.com' }, { to: 'c@example.com' }],
			credentials,
		});
		expect(first.scope.isDone() && lost.scope.isDone()).toBe(true);
		// Without Continue On Fail the node stops: the third send never starts.
		expect(third.scope.isDone()).toBe(false);
		expect(result.error?.message).toMatch(/^The send may have gone out: /);
		expect(result.error?.description).toMatch(/Before the node stopped, Message → Send had succeeded for item 1: n8n outputs nothing of a node that stops, and running it again would do it again\./);
	});

	it('an answer it cannot read says the send may have gone out', async () => {
		expectSend('{"success": true, "code": 200, "messageId": "1"');
		const result = await runNode({ parameters: { ...send, to: 'a@example.com' }, credentials });
		expect(result.error?.message).toMatch(/^The send may have gone out: MailPartner’s JSON answer is incomplete or malformed \(HTTP 200\)$/);
		expect(result.error?.description).toMatch(/^MailPartner may have carried it out before the answer was lost.* Before running it again, check whether it did: Account → Get Credits/);
	});
});

describe('Message → Send against the sandbox', () => {
	let sandbox: Sandbox;
	let sandboxCredentials: { apiKey: string; baseUrl: string };
	beforeAll(async () => {
		nock.enableNetConnect('127.0.0.1');
		({ sandbox, credentials: sandboxCredentials } = await startDemoSandbox());
	});
	afterEach(() => sandbox.setFaults({}));
	afterAll(async () => {
		await sandbox.close();
		nock.disableNetConnect();
	});

	const balance = () => sandbox.state.accounts[DEMO_KEY].balance as number;

	it.each<Format>(['json', 'xml'])('charges the account, and sandbox mode charges nothing (%s)', async (format) => {
		const before = balance();
		const paid = await runNode({ parameters: withFormat({ ...send, to: 'a@example.com, b@example.com' }, format), credentials: sandboxCredentials });
		expect(paid.items?.[0].json).toMatchObject({ nbMail: 2, cost: 0.1, currency: 'EUR', scheduledDeliveryDate: null });
		expect(balance()).toBeCloseTo(before - 0.1, 3);
		const dry = await runNode({ parameters: withFormat({ ...send, to: 'a@example.com', sandbox: true }, format), credentials: sandboxCredentials });
		expect(dry.items?.[0].json).toMatchObject({ nbMail: 1, cost: 0 });
		expect(balance()).toBeCloseTo(before - 0.1, 3);
		expect(everythingIn([paid.run, dry.run])).not.toContain(DEMO_KEY);
	});

	// The send table of the error-code page (docs/mailpartner-api.md#send): each code, with MailPartner's
	// own words as the sandbox answers them, reads as a known English message with its code.
	const sendCodes = Object.entries(documentedErrors.send);
	it('the table has the 34 documented codes', () => expect(sendCodes).toHaveLength(34));
	describe.each<Format>(['json', 'xml'])('every documented send code (%s)', (format) => {
		it.each(sendCodes)('code %s', async (code, french) => {
			sandbox.setFaults({ forceError: { code: Number(code), path: '/send' } });
			const result = await runNode({ parameters: withFormat({ ...send, to: 'a@example.com' }, format), credentials: sandboxCredentials });
			expect(result.items).toBeUndefined();
			expect(result.error?.message).toMatch(new RegExp(`^[A-Z].* \\(MailPartner code ${code}: ${french.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
			expect(result.error?.message).not.toMatch(/^MailPartner refused the request/);
			// n8n's error panel shows this as "Error code": MailPartner's own code.
			expect((result.error as unknown as { httpCode?: string }).httpCode).toBe(code);
		});
	});
});
