import nock from 'nock';

import { runNode } from './harness/engine';
import { apiKey, credentials, origin, pageJson, pageSample, toPositionalXml } from './harness/fixtures';
import { expectNoApiKey } from './harness/leaks';
import { withFormat } from './harness/operations';

const getCredits = { resource: 'account', operation: 'getCredits' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

describe('Account → Get Credits', () => {
	const meAnswer = pageJson('me.json');
	const expected = { user: meAnswer.user, credits: meAnswer.credits };

	it('outputs the account and its credits from the JSON answer', async () => {
		const scope = nock(origin).get('/v1/me').query({ apiKey }).reply(200, pageSample('me.json'));
		const result = await runNode({ parameters: getCredits, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.error).toBeUndefined();
		expect(result.items?.map((item) => item.json)).toEqual([expected]);
		expectNoApiKey(result.run);
	});

	it('outputs the very same item from the XML answer of the same data', async () => {
		const scope = nock(origin)
			.get('/v1/me')
			.query({ apiKey, _format: 'xml' })
			.reply(200, toPositionalXml(meAnswer), { 'Content-Type': 'application/xml' });
		const result = await runNode({ parameters: withFormat(getCredits, 'xml'), credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json)).toEqual([expected]);
	});

	it('reads the page’s own XML sample, named <username> included', async () => {
		nock(origin).get('/v1/me').query({ apiKey, _format: 'xml' }).reply(200, pageSample('me.xml'));
		const result = await runNode({ parameters: withFormat(getCredits, 'xml'), credentials });
		expect(result.items?.map((item) => item.json)).toEqual([
			{ user: meAnswer.user, credits: { creditMail: 269070, currency: 'EUR', balance: '10224.688' } },
		]);
	});

	it('gives one item per input item, each paired with its input', async () => {
		nock(origin).get('/v1/me').query({ apiKey }).times(2).reply(200, pageSample('me.json'));
		const result = await runNode({ parameters: getCredits, items: [{ a: 1 }, { a: 2 }], credentials });
		expect(result.items?.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});
