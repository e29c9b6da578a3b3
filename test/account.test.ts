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
	// The page writes the balance as text ("10225.119"); the node outputs the euros as a number.
	const expected = { user: meAnswer.user, credits: { creditMail: 269082, currency: 'EUR', balance: 10225.119 } };

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
			{ user: meAnswer.user, credits: { creditMail: 269070, currency: 'EUR', balance: 10224.688 } },
		]);
	});

	it.each([
		['160.120', 160.12],
		['0.000', 0],
		['0.005', 0.005],
		['10225.119', 10225.119],
		['7', 7],
	])('reads the balance "%s" as the number %d, the same in JSON and XML', async (written, euros) => {
		const answer = { success: true, code: 200, user: { username: 'u' }, credits: { creditMail: 1, currency: 'EUR', balance: written } };
		nock(origin).get('/v1/me').query({ apiKey }).reply(200, JSON.stringify(answer));
		nock(origin).get('/v1/me').query({ apiKey, _format: 'xml' }).reply(200, toPositionalXml(answer));
		const json = await runNode({ parameters: getCredits, credentials });
		const xml = await runNode({ parameters: withFormat(getCredits, 'xml'), credentials });
		expect(json.items?.[0].json.credits).toEqual({ creditMail: 1, currency: 'EUR', balance: euros });
		expect(xml.items?.map((item) => item.json)).toEqual(json.items?.map((item) => item.json));
	});

	it.each(['160,120', '1e3', 'lots', ''])('a balance that is not decimal euros ("%s") is an error, not a guess', async (written) => {
		const answer = { success: true, code: 200, user: { username: 'u' }, credits: { creditMail: 1, currency: 'EUR', balance: written } };
		nock(origin).get('/v1/me').query({ apiKey }).reply(200, JSON.stringify(answer));
		const result = await runNode({ parameters: getCredits, credentials });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toMatch(/^MailPartner’s JSON answer did not match the expected layout at credits\.balance: expected a number/);
	});

	it('gives one item per input item, each paired with its input', async () => {
		nock(origin).get('/v1/me').query({ apiKey }).times(2).reply(200, pageSample('me.json'));
		const result = await runNode({ parameters: getCredits, items: [{ a: 1 }, { a: 2 }], credentials });
		expect(result.items?.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});
