import nock from 'nock';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from './harness/engine';
import { apiKey, credentials, origin, pageJson, pageSample, toPositionalXml } from './harness/fixtures';
import { expectNoApiKey } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

const getStatus = { resource: 'message', operation: 'getStatus' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

describe('Message → Get Status', () => {
	const sample = pageJson('status.json');
	const expected = { messageId: sample.messageId, StatutResponseList: sample.StatutResponseList };
	// The sample's date, 1599061044, read as Unix seconds.
	const perRecipient = [
		{ messageId: 'xxx', email: 'email1', token: 'xxx', status: 'Delivered', cost: 1, stopMail: true, date: '1599061044', dateIso: '2020-09-02T15:37:24.000Z' },
		{ messageId: 'xxx', email: 'email2', token: 'yyy', status: 'Delivered', cost: 1, stopMail: true, date: '1599061044', dateIso: '2020-09-02T15:37:24.000Z' },
	];

	it('outputs one item per recipient by default, each paired with its input item', async () => {
		const scope = nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '300' }).reply(200, pageSample('status.json'));
		const result = await runNode({ parameters: { ...getStatus, messageId: '300' }, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json)).toEqual(perRecipient);
		expect(result.items?.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
		expectNoApiKey(result.run);
	});

	it('outputs the very same items from the page’s XML sample', async () => {
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '300', _format: 'xml' }).reply(200, pageSample('status.xml'));
		const result = await runNode({ parameters: withFormat({ ...getStatus, messageId: '300' }, 'xml'), credentials });
		expect(result.items?.map((item) => item.json)).toEqual(perRecipient);
	});

	it.each<Format>(['json', 'xml'])('with Simplify off, outputs MailPartner’s answer as it is (%s)', async (format) => {
		nock(origin)
			.get('/v1/bulk-status')
			.query({ apiKey, messageId: '300', ...(format === 'xml' ? { _format: 'xml' } : {}) })
			.reply(200, pageSample(format === 'xml' ? 'status.xml' : 'status.json'));
		const result = await runNode({ parameters: withFormat({ ...getStatus, messageId: '300', simplify: false }, format), credentials });
		expect(result.items?.map((item) => item.json)).toEqual([expected]);
	});

	it('passes statuses other than Delivered through untouched, in both formats; a date that is not Unix seconds gets a null dateIso', async () => {
		const answer = {
			...sample,
			StatutResponseList: [
				{ email: 'a@b.fr', token: 't1', status: 'Bounced', cost: 1, stopMail: false, date: '1599061044' },
				{ email: 'c@d.fr', token: 't2', status: 'Something New', cost: 0, stopMail: false, date: '2020-09-02' },
			],
		};
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '42' }).reply(200, JSON.stringify(answer));
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '42', _format: 'xml' }).reply(200, toPositionalXml(answer));
		const fromJson = await runNode({ parameters: { ...getStatus, messageId: '42' }, credentials });
		const fromXml = await runNode({ parameters: withFormat({ ...getStatus, messageId: '42' }, 'xml'), credentials });
		expect(fromJson.items?.map((item) => [item.json.status, item.json.dateIso])).toEqual([
			['Bounced', '2020-09-02T15:37:24.000Z'],
			['Something New', null],
		]);
		expect(fromXml.items?.map((item) => item.json)).toEqual(fromJson.items?.map((item) => item.json));
	});

	it('a message with no recipient gives no item', async () => {
		nock(origin).get('/v1/bulk-status').query(true).reply(200, JSON.stringify({ ...sample, StatutResponseList: [] }));
		const result = await runNode({ parameters: { ...getStatus, messageId: '42' }, credentials });
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([]);
	});

	it('takes the Message ID from an expression, as a number or padded text', async () => {
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '300' }).times(2).reply(200, pageSample('status.json'));
		const result = await runNode({
			parameters: { ...getStatus, messageId: '={{ $json.id }}' },
			items: [{ id: 300 }, { id: ' 300 ' }],
			credentials,
		});
		expect(result.items?.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 1 }, { item: 1 }]);
	});

	it('reads `{{ $json.field }}` from the item itself with the very result n8n’s expression gives', async () => {
		// The node reads a plain `$json` field without n8n's expression sandbox (see lib/parameter.ts);
		// every other expression goes through n8n. Both must see the same values, and the same mistakes.
		const items = [{ id: 300 }, { id: ' 300 ' }, { id: '12a' }, { other: 1 }, { id: { nested: true } }];
		const run = async (messageId: string) => {
			nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '300' }).times(2).reply(200, pageSample('status.json'));
			const result = await runNode({ parameters: { ...getStatus, messageId }, items, credentials, continueOnFail: true });
			nock.cleanAll();
			// An error's description quotes the user's own expression, which differs between the runs.
			const sameWords = (json: IDataObject) => JSON.parse(JSON.stringify(json).replace(/Its expression \{\{.*?\}\} gave/g, 'Its expression {{…}} gave')) as IDataObject;
			return result.items?.map((item) => ({ json: sameWords(item.json), pairedItem: item.pairedItem }));
		};
		const throughN8n = await run('={{ $json.id ?? undefined }}');
		expect(throughN8n?.map((item) => item.json.error ?? item.json.status)).toEqual([
			'Delivered', 'Delivered', 'Delivered', 'Delivered',
			'Message ID must be a number, got "12a"',
			'Message ID is empty',
			'Message ID is empty',
		]);
		for (const shortcut of ['={{ $json.id }}', '={{$json.id}}', '={{ $json["id"] }}', "={{ $json['id'] }}"]) {
			expect(await run(shortcut)).toEqual(throughN8n);
		}
	});

	it.each<[string, INodeParameters['messageId'], string]>([
		['blank', '   ', 'Message ID is empty'],
		['an expression that resolves to nothing', '={{ $json.missing }}', 'Message ID is empty'],
		['not a number', 'abc', 'Message ID must be a number, got "abc"'],
		['partly a number', '12a', 'Message ID must be a number, got "12a"'],
	])('refuses a Message ID that is %s, naming the field, without a request', async (_case, messageId, message) => {
		const scope = nock(origin).get('/v1/bulk-status').query(true).reply(200, pageSample('status.json'));
		const result = await runNode({ parameters: { ...getStatus, messageId }, credentials });
		expect(result.error?.message).toBe(message);
		expect(scope.isDone()).toBe(false);
	});

	it('is stopped by n8n itself before the run when Message ID is left empty, with no request', async () => {
		const scope = nock(origin).get('/v1/bulk-status').query(true).reply(200, pageSample('status.json'));
		await expect(runNode({ parameters: { ...getStatus, messageId: '' }, credentials })).rejects.toThrow(
			'Parameter "Message ID" is required',
		);
		expect(scope.isDone()).toBe(false);
	});
});

describe('Message → Get Status, waiting for final statuses', () => {
	const recipient = (status: string) => ({ email: 'a@b.fr', token: 't1', status, cost: 1, stopMail: false, date: '1599061044' });
	const report = (...statuses: string[]) => JSON.stringify({ success: true, code: 200, messageId: '7', StatutResponseList: statuses.map(recipient) });
	const waiting = { ...getStatus, messageId: '7', waitForFinalStatus: true, pollInterval: 1, maxWait: 30 };

	it('asks again while a recipient is Pending, and outputs the final statuses', async () => {
		const scope = nock(origin)
			.get('/v1/bulk-status')
			.query(true)
			.reply(200, report('Pending', 'Delivered'))
			.get('/v1/bulk-status')
			.query(true)
			.reply(200, report('Bounced', 'Delivered'));
		const result = await runNode({ parameters: waiting, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json.status)).toEqual(['Bounced', 'Delivered']);
	});

	it('treats an empty recipient list as "not in yet", in XML too', async () => {
		const empty = toPositionalXml({ success: true, code: 200, messageId: '7', StatutResponseList: [] });
		const scope = nock(origin)
			.get('/v1/bulk-status')
			.query(true)
			.reply(200, empty)
			.get('/v1/bulk-status')
			.query(true)
			.reply(200, toPositionalXml(JSON.parse(report('Delivered'))));
		const result = await runNode({ parameters: withFormat(waiting, 'xml'), credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json.status)).toEqual(['Delivered']);
	});

	it('does not wait for a status it does not know: it is final and passes through', async () => {
		const scope = nock(origin).get('/v1/bulk-status').query(true).once().reply(200, report('Opened'));
		const result = await runNode({ parameters: waiting, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json.status)).toEqual(['Opened']);
	});

	it('stops at Max Wait and outputs the statuses as they are (Max Wait 0: one request)', async () => {
		const scope = nock(origin).get('/v1/bulk-status').query(true).once().reply(200, report('Pending'));
		const result = await runNode({ parameters: { ...waiting, maxWait: 0 }, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json.status)).toEqual(['Pending']);
	});

	it('refuses a Max Wait above the 300-second ceiling before any request', async () => {
		const scope = nock(origin).get('/v1/bulk-status').query(true).reply(200, report('Pending'));
		const result = await runNode({ parameters: { ...waiting, maxWait: 3600 }, credentials });
		expect(result.error?.message).toBe('Max Wait must be from 0 to 300 seconds, got 3600');
		expect(scope.isDone()).toBe(false);
	});

	it('refuses it for the whole node, Continue On Fail or not: it is not an item’s value', async () => {
		const scope = nock(origin).get('/v1/bulk-status').query(true).reply(200, report('Pending'));
		const items = [{ row: 1 }, { row: 2 }];
		const result = await runNode({ parameters: { ...waiting, pollInterval: 0 }, items, credentials, continueOnFail: true });
		expect(result.error?.message).toBe('Poll Interval must be from 1 to 60 seconds, got 0');
		// n8n's Continue On Fail for a node-level error: the input items pass on as they were.
		expect(result.items?.map((item) => item.json)).toEqual(items);
		expect(scope.isDone()).toBe(false);
	});
});
