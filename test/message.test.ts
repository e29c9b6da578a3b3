import nock from 'nock';
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from './harness/engine';
import { apiKey, credentials, origin, pageJson, pageSample, toPositionalXml } from './harness/fixtures';
import { expectNoApiKey } from './harness/leaks';
import { withFormat } from './harness/operations';

const getStatus = { resource: 'message', operation: 'getStatus' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

describe('Message → Get Status', () => {
	const sample = pageJson('status.json');
	const expected = { messageId: sample.messageId, StatutResponseList: sample.StatutResponseList };

	it('outputs the messageId and every recipient’s status from the JSON answer', async () => {
		const scope = nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '300' }).reply(200, pageSample('status.json'));
		const result = await runNode({ parameters: { ...getStatus, messageId: '300' }, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json)).toEqual([expected]);
		expectNoApiKey(result.run);
	});

	it('outputs the very same item from the page’s XML sample', async () => {
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '300', _format: 'xml' }).reply(200, pageSample('status.xml'));
		const result = await runNode({ parameters: withFormat({ ...getStatus, messageId: '300' }, 'xml'), credentials });
		expect(result.items?.map((item) => item.json)).toEqual([expected]);
	});

	it('passes statuses other than Delivered through untouched, in both formats', async () => {
		const answer = {
			...sample,
			StatutResponseList: [
				{ email: 'a@b.fr', token: 't1', status: 'Bounced', cost: 1, stopMail: false, date: '1599061044' },
				{ email: 'c@d.fr', token: 't2', status: 'Pending', cost: 0, stopMail: false, date: '1599061050' },
			],
		};
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '42' }).reply(200, JSON.stringify(answer));
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '42', _format: 'xml' }).reply(200, toPositionalXml(answer));
		const fromJson = await runNode({ parameters: { ...getStatus, messageId: '42' }, credentials });
		const fromXml = await runNode({ parameters: withFormat({ ...getStatus, messageId: '42' }, 'xml'), credentials });
		expect(fromJson.items?.[0].json.StatutResponseList).toEqual(answer.StatutResponseList);
		expect(fromXml.items?.map((item) => item.json)).toEqual(fromJson.items?.map((item) => item.json));
	});

	it('takes the Message ID from an expression, as a number or padded text', async () => {
		nock(origin).get('/v1/bulk-status').query({ apiKey, messageId: '300' }).times(2).reply(200, pageSample('status.json'));
		const result = await runNode({
			parameters: { ...getStatus, messageId: '={{ $json.id }}' },
			items: [{ id: 300 }, { id: ' 300 ' }],
			credentials,
		});
		expect(result.items).toHaveLength(2);
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
