import nock from 'nock';
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from './harness/engine';
import { apiKey, credentials, origin, pageJson, pageSample } from './harness/fixtures';
import { expectNoApiKey } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

const create = { resource: 'subaccount', operation: 'create' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

/** Records the body of each create call, and answers with the page's sample. */
function serveCreate(format: Format) {
	const bodies: unknown[] = [];
	const scope = nock(origin)
		.post('/v1/subaccount/create', (body: unknown) => {
			bodies.push(body);
			return true;
		})
		.reply(200, pageSample(format === 'json' ? 'create.json' : 'create.xml'));
	return { scope, bodies };
}

const createAnswer = pageJson('create.json');
const expectedItem = {
	subaccount: createAnswer.subaccount,
	sendConfirmMailTo: createAnswer.sendConfirmMailTo,
	parent_email: createAnswer.parent_email,
};

describe.each<Format>(['json', 'xml'])('Subaccount → Create (%s)', (format) => {
	it('sends the page’s advanced example as the page writes it, key in the body', async () => {
		const { scope, bodies } = serveCreate(format);
		const parameters = {
			...create,
			type: 'advanced',
			email: 'client@example.com',
			isBuyer: 0,
			additionalFields: { creditToAttribute: 10, firstname: 'prenom', lastname: 'nom' },
		};
		const result = await runNode({ parameters: withFormat(parameters, format), credentials });
		expect(scope.isDone()).toBe(true);
		expect(bodies).toEqual([
			{
				apiKey,
				type: 'advanced',
				parameters: { email: 'client@example.com', creditToAttribute: 10, isBuyer: 0, firstname: 'prenom', lastname: 'nom' },
				...(format === 'xml' ? { _format: 'xml' } : {}),
			},
		]);
		expect(result.items?.map((item) => item.json)).toEqual([expectedItem]);
		expectNoApiKey(result.items);
	});

	it('leaves out a Credit To Attribute whose expression resolves to nothing', async () => {
		const { bodies } = serveCreate(format);
		const parameters = { ...create, type: 'simple', additionalFields: { creditToAttribute: '={{ $json.credit }}' } };
		const result = await runNode({ parameters: withFormat(parameters, format), credentials });
		expect(result.error).toBeUndefined();
		expect(bodies).toEqual([expect.objectContaining({ type: 'simple', parameters: {} })]);
	});

	it('sends a simple subaccount with only what was filled in', async () => {
		const { bodies } = serveCreate(format);
		const parameters = { ...create, type: 'simple', email: '', additionalFields: { title: 'Client A' } };
		const result = await runNode({ parameters: withFormat(parameters, format), credentials });
		expect(result.error).toBeUndefined();
		expect(bodies).toEqual([
			expect.objectContaining({ type: 'simple', parameters: { title: 'Client A' } }),
		]);
	});
});

describe('Subaccount → Create takes Is Buyer in the forms an expression may give it', () => {
	it.each([
		[true, 1],
		['1', 1],
		[1, 1],
		[false, 0],
		['no', 0],
	])('%p is sent as %p', async (isBuyer, sent) => {
		const { bodies } = serveCreate('json');
		await runNode({
			parameters: { ...create, type: 'advanced', email: 'client@example.com', isBuyer } as INodeParameters,
			credentials,
		});
		expect(bodies).toEqual([expect.objectContaining({ parameters: { email: 'client@example.com', isBuyer: sent } })]);
	});
});

describe('Subaccount → Create checks its inputs before spending anything', () => {

	it.each<[string, INodeParameters, string]>([
		['a type expression that resolves to nothing', { type: '={{ $json.missing }}' }, 'Type is required'],
		['an unknown type', { type: 'premium' }, 'Type must be exactly one of "simple", "advanced", got "premium"'],
		['a type n8n would not match (spaces around it)', { type: '={{ " advanced " }}', email: 'a@b.fr', isBuyer: 1 }, 'Type must be exactly one of "simple", "advanced", got " advanced "'],
		['an advanced subaccount without email', { type: 'advanced', isBuyer: 1 }, 'Email is required for an advanced subaccount'],
		['an advanced subaccount whose email resolves to nothing', { type: 'advanced', email: '={{ $json.missing }}', isBuyer: 1 }, 'Email is required for an advanced subaccount'],
		['an advanced subaccount whose Is Buyer resolves to nothing', { type: 'advanced', email: 'a@b.fr', isBuyer: '={{ $json.missing }}' }, 'Is Buyer is required for an advanced subaccount'],
		['an Is Buyer that is neither yes nor no', { type: 'advanced', email: 'a@b.fr', isBuyer: 'maybe' }, 'Is Buyer is required for an advanced subaccount'],
		['an invalid email', { type: 'simple', email: 'not-an-email' }, 'Email "not-an-email" is not a valid e-mail address'],
		['a credit of 0', { type: 'simple', additionalFields: { creditToAttribute: 0 } }, 'Credit To Attribute must be greater than 0, got 0'],
		['a negative credit', { type: 'simple', additionalFields: { creditToAttribute: -5 } }, 'Credit To Attribute must be greater than 0, got -5'],
	])('%s: a clear error naming the field, and no request', async (_case, inputs, message) => {
		const { scope } = serveCreate('json');
		const result = await runNode({ parameters: { ...create, ...inputs }, credentials });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe(message);
		expect(result.error?.description).toMatch(/Nothing was sent and no credit was spent/);
		expect(scope.isDone()).toBe(false);
	});
});

describe('Subaccount → Create left empty in the editor', () => {
	it.each<[string, INodeParameters, string]>([
		['Type', { type: '' }, 'Parameter "Type" is required'],
		['Is Buyer', { type: 'advanced', email: 'a@b.fr', isBuyer: '' }, 'Parameter "Is Buyer" is required'],
	])('is stopped by n8n itself before the run when %s is empty, with no request', async (_field, inputs, message) => {
		const { scope } = serveCreate('json');
		await expect(runNode({ parameters: { ...create, ...inputs }, credentials })).rejects.toThrow(message);
		expect(scope.isDone()).toBe(false);
	});
});

describe('Subaccount → Create with several items', () => {
	const items = [{ email: 'a@example.com' }, { email: 'not-an-email' }, { email: 'c@example.com' }];
	const parameters = { ...create, type: 'simple', email: '={{ $json.email }}' };

	it('sends nothing at all when one item is invalid, and names that item and its field', async () => {
		const { scope, bodies } = serveCreate('json');
		const result = await runNode({ parameters, items, credentials });
		expect(bodies).toEqual([]);
		expect(scope.isDone()).toBe(false);
		expect(result.error?.message).toBe('Not sent: item 2 is invalid (Email "not-an-email" is not a valid e-mail address)');
	});

	it('with Continue On Fail, creates the valid ones and gives an error item for the invalid one', async () => {
		const bodies: unknown[] = [];
		nock(origin)
			.post('/v1/subaccount/create', (body: unknown) => bodies.push(body) > 0)
			.times(2)
			.reply(200, pageSample('create.json'));
		const result = await runNode({ parameters, items, credentials, continueOnFail: true });
		expect(bodies).toEqual([
			expect.objectContaining({ parameters: { email: 'a@example.com' } }),
			expect.objectContaining({ parameters: { email: 'c@example.com' } }),
		]);
		expect(result.items?.map((item) => item.json.error ?? item.json.parent_email)).toEqual([
			createAnswer.parent_email,
			'Email "not-an-email" is not a valid e-mail address',
			createAnswer.parent_email,
		]);
	});
});

describe('Subaccount → Create costs money, so it is never sent twice', () => {
	it('refuses to run with Retry On Fail on, before sending anything', async () => {
		const { scope } = serveCreate('json');
		const result = await runNode({
			parameters: { ...create, type: 'simple' },
			credentials,
			settings: { retryOnFail: true, maxTries: 3, waitBetweenTries: 0 },
		});
		expect(scope.isDone()).toBe(false);
		expect(result.error?.message).toBe('Retry On Fail is on: a retry would run this call again and spend the money again');
	});

	it('a server error is reported once, without a retry', async () => {
		const bodies: unknown[] = [];
		const scope = nock(origin)
			.post('/v1/subaccount/create', (body: unknown) => bodies.push(body) > 0)
			.times(2)
			.reply(500, JSON.stringify({ success: false, code: 9, message: 'La balance doit être supérieure à 0' }));
		const result = await runNode({ parameters: { ...create, type: 'simple' }, credentials });
		expect(bodies).toHaveLength(1);
		expect(scope.isDone()).toBe(false);
		expect(result.error?.message).toBe(
			'Your main account balance must be greater than 0 (MailPartner code 9: La balance doit être supérieure à 0)',
		);
	});

	it('Retry On Fail does re-send a read: Get Credits is retried after a server error', async () => {
		// The contrast that shows the setting reaches the engine in these tests.
		nock(origin).get('/v1/me').query(true).reply(503, JSON.stringify({ success: false, code: 503, message: 'indisponible' }));
		nock(origin).get('/v1/me').query(true).reply(200, pageSample('me.json'));
		const result = await runNode({
			parameters: { resource: 'account', operation: 'getCredits' },
			credentials,
			settings: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
	});
});
