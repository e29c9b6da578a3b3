import type { IDataObject, INodeParameters } from 'n8n-workflow';
import nock from 'nock';

import { PAGES_KEY } from '../dev/sandbox/server';
import { startDemoSandbox, type Sandbox } from './harness/sandbox';
import { runNode } from './harness/engine';
import { apiKey, credentials, failureJson, failureXml, origin, toPositionalXml } from './harness/fixtures';
import { everythingIn, expectNoApiKey } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

/**
 * Unsubscribe → Get Many / Add / Remove through n8n's engine, against nock (what is sent, every
 * documented code, the pages' samples) and the sandbox (a list that changes).
 */

const getAll = { resource: 'unsubscribe', operation: 'getAll' };
const add = (email: string): INodeParameters => ({ resource: 'unsubscribe', operation: 'add', email });
const removeById = (id: string | number): INodeParameters => ({ resource: 'unsubscribe', operation: 'remove', removeBy: 'id', id });
const removeByEmail = (email: string): INodeParameters => ({ resource: 'unsubscribe', operation: 'remove', removeBy: 'email', email });

/** The list page's sample (docs/mailpartner-api.md#unsubscribe-list), and a longer list of the same shape. */
const listSample = { success: true, code: 200, nbData: 1, data: [{ id: 19, email: 'xxx@www.com', createdAt: '2015-07-20 10:19:45' }] };
const threeEntries = {
	success: true,
	code: 200,
	nbData: 3,
	data: [
		{ id: 19, email: 'xxx@www.com', createdAt: '2015-07-20 10:19:45' },
		{ id: 300, email: 'Client@Example.com', createdAt: '2024-01-02 03:04:05' },
		{ id: 301, email: 'other@example.com', createdAt: '2024-01-03 03:04:05' },
	],
};
const answer = (format: Format, body: IDataObject) => (format === 'json' ? JSON.stringify(body) : toPositionalXml(body));
const json = (result: Awaited<ReturnType<typeof runNode>>) => result.items?.map((item) => item.json);

describe('against nock', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.restore());

	describe.each<Format>(['json', 'xml'])('%s', (format) => {
		const query = format === 'json' ? { apiKey } : { apiKey, _format: 'xml' };

		it('Get Many outputs the page’s sample as one item per address', async () => {
			const scope = nock(origin).get('/v1/unsubscribe/list').query(query).reply(200, answer(format, listSample));
			const result = await runNode({ parameters: withFormat({ ...getAll, returnAll: true }, format), credentials });
			expect(scope.isDone()).toBe(true);
			expect(json(result)).toEqual(listSample.data);
			expectNoApiKey(result.run);
		});

		it('Get Many with a Limit keeps the first addresses, in MailPartner’s order', async () => {
			nock(origin).get('/v1/unsubscribe/list').query(query).reply(200, answer(format, threeEntries));
			const result = await runNode({ parameters: withFormat({ ...getAll, limit: 2 }, format), credentials });
			expect(json(result)?.map((entry) => entry.id)).toEqual([19, 300]);
		});

		it('Add sends the address with the key in the body and outputs it with its new ID', async () => {
			const bodies: unknown[] = [];
			nock(origin)
				.post('/v1/unsubscribe/add', (body: unknown) => bodies.push(body) > 0)
				.reply(200, answer(format, { success: true, code: 200, stopId: 300 }));
			const result = await runNode({ parameters: withFormat(add(' client@example.com '), format), credentials });
			expect(bodies).toEqual([{ email: 'client@example.com', apiKey, ...(format === 'xml' ? { _format: 'xml' } : {}) }]);
			expect(json(result)).toEqual([{ email: 'client@example.com', stopId: 300 }]);
		});

		it('Remove by ID sends a GET with the id in the query, as every sample of the page does', async () => {
			const scope = nock(origin).get('/v1/unsubscribe/delete').query({ ...query, id: '300' }).reply(200, answer(format, { success: true, code: 200 }));
			const result = await runNode({ parameters: withFormat(removeById('300'), format), credentials });
			expect(scope.isDone()).toBe(true);
			expect(json(result)).toEqual([{ deleted: true, id: 300 }]);
		});

		it('Remove by e-mail finds the ID in the list (any case) and deletes that one', async () => {
			const list = nock(origin).get('/v1/unsubscribe/list').query(query).reply(200, answer(format, threeEntries));
			const remove = nock(origin).get('/v1/unsubscribe/delete').query({ ...query, id: '300' }).reply(200, answer(format, { success: true, code: 200 }));
			const result = await runNode({ parameters: withFormat(removeByEmail('client@EXAMPLE.com'), format), credentials });
			expect(list.isDone() && remove.isDone()).toBe(true);
			expect(json(result)).toEqual([{ deleted: true, id: 300, email: 'Client@Example.com', createdAt: '2024-01-02 03:04:05' }]);
		});
	});

	it('Remove by e-mail reads the list once for all items, and an address not on it is an error that deletes nothing', async () => {
		const list = nock(origin).get('/v1/unsubscribe/list').query({ apiKey }).once().reply(200, JSON.stringify(threeEntries));
		const deleted: string[] = [];
		nock(origin)
			.get('/v1/unsubscribe/delete')
			.query((query) => deleted.push(String(query.id)) > 0)
			.times(2)
			.reply(200, '{"success":true,"code":200}');
		const result = await runNode({
			parameters: removeByEmail('={{ $json.email }}'),
			items: [{ email: 'xxx@www.com' }, { email: 'nobody@example.com' }, { email: 'other@example.com' }],
			continueOnFail: true,
			credentials,
		});
		expect(list.isDone()).toBe(true);
		expect(deleted.sort()).toEqual(['19', '301']);
		expect(json(result)?.map((item) => item.id ?? item.error)).toEqual([19, '"nobody@example.com" is not on the unsubscribe list', 301]);
	});

	it('Get Many refuses a list whose count does not match its entries rather than output part of it', async () => {
		nock(origin).get('/v1/unsubscribe/list').query(true).reply(200, JSON.stringify({ ...listSample, nbData: 40 }));
		const result = await runNode({ parameters: { ...getAll, returnAll: true }, credentials });
		expect(result.error?.message).toBe('MailPartner’s unsubscribe list says it holds 40 addresses but sent 1');
	});

	it.each<[string, INodeParameters, RegExp]>([
		['an address to add that an expression leaves empty', add('={{ $json.nothing ?? "" }}'), /^Email is required$/],
		['an invalid address to add', add('not-an-address'), /^Email "not-an-address" is not a valid e-mail address$/],
		['an invalid address to remove', removeByEmail('a@b'), /^Email "a@b" is not a valid e-mail address$/],
		['an ID that is not a number', removeById('300 OR 1=1'), /^ID must be a whole number, got "300 OR 1=1"$/],
		['an ID of 0', removeById('0'), /^ID must be a whole number, got "0"$/],
	])('refuses %s before sending anything', async (_case, parameters, message) => {
		const result = await runNode({ parameters, credentials });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(/Nothing was sent\.$/);
	});

	/** The pages' codes with their French words (§2.4-2.6); delete's 3 and 4 exist only in English. */
	const documented: Array<[string, INodeParameters, 'get' | 'post', string, number, string, RegExp]> = [
		['Get Many', { ...getAll, returnAll: true }, 'get', '/v1/unsubscribe/list', 1, 'La Clé API est requise', /^API key is missing/],
		['Get Many', { ...getAll, returnAll: true }, 'get', '/v1/unsubscribe/list', 10, 'Clé API incorrecte', /^Invalid API key/],
		['Add', add('a@b.fr'), 'post', '/v1/unsubscribe/add', 1, 'La Clé API est requise', /^API key is missing/],
		['Add', add('a@b.fr'), 'post', '/v1/unsubscribe/add', 2, 'Le mail est requis', /^The e-mail address is required/],
		['Add', add('a@b.fr'), 'post', '/v1/unsubscribe/add', 3, 'Le mail est déjà dans la liste', /^This e-mail address is already on the unsubscribe list/],
		['Add', add('a@b.fr'), 'post', '/v1/unsubscribe/add', 9, 'Le mail est invalide', /^The e-mail address is invalid/],
		['Add', add('a@b.fr'), 'post', '/v1/unsubscribe/add', 10, 'Clé API incorrecte', /^Invalid API key/],
		['Remove', removeById('300'), 'get', '/v1/unsubscribe/delete', 1, 'La Clé API est requise', /^API key is missing/],
		['Remove', removeById('300'), 'get', '/v1/unsubscribe/delete', 2, 'Le mail est requis', /^The e-mail address is required/],
		['Remove', removeById('300'), 'get', '/v1/unsubscribe/delete', 3, 'ID of the mail is required', /^The ID of the address is required/],
		['Remove', removeById('300'), 'get', '/v1/unsubscribe/delete', 4, 'ID of the mail is not found', /^No address with this ID on the unsubscribe list/],
		['Remove', removeById('300'), 'get', '/v1/unsubscribe/delete', 9, 'Le mail est invalide', /^The e-mail address is invalid/],
		['Remove', removeById('300'), 'get', '/v1/unsubscribe/delete', 10, 'Clé API incorrecte', /^Invalid API key/],
	];

	describe.each<Format>(['json', 'xml'])('documented codes (%s)', (format) => {
		it.each(documented)('%s: code %i', async (_operation, parameters, method, route, code, french, meaning) => {
			const body = format === 'json' ? failureJson(code, french) : failureXml(code, french);
			const scope = method === 'get' ? nock(origin).get(route).query(true).reply(400, body) : nock(origin).post(route).reply(400, body);
			const result = await runNode({ parameters: withFormat(parameters, format), credentials });
			expect(result.error?.message).toMatch(meaning);
			expect(scope.isDone()).toBe(true);
			expect(result.error?.message).toContain(`(MailPartner code ${code}: ${french})`);
			expectNoApiKey(result.run);
		});
	});
});

describe('against the sandbox', () => {
	let sandbox: Sandbox;
	let demo: { apiKey: string; baseUrl: string };

	beforeAll(async () => {
		({ sandbox, credentials: demo } = await startDemoSandbox());
	});
	beforeEach(() => sandbox.reset());
	afterAll(async () => await sandbox.close());

	const emails = async (format: Format) =>
		json(await runNode({ parameters: withFormat({ ...getAll, returnAll: true }, format), credentials: demo }))?.map((entry) => entry.email);

	it.each<Format>(['json', 'xml'])('adds, lists with IDs and dates, and removes by e-mail and by ID (%s)', async (format) => {
		expect(await emails(format)).toEqual(['former-client@sandbox.mailpartner.invalid', 'no-more-news@sandbox.mailpartner.invalid']);

		const added = await runNode({ parameters: withFormat(add('new@example.com'), format), credentials: demo });
		expect(json(added)).toEqual([{ email: 'new@example.com', stopId: 3 }]);
		const listed = json(await runNode({ parameters: withFormat({ ...getAll, returnAll: true }, format), credentials: demo }));
		expect(listed?.[2]).toEqual({ id: 3, email: 'new@example.com', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });

		const byEmail = await runNode({ parameters: withFormat(removeByEmail('NEW@example.com'), format), credentials: demo });
		expect(json(byEmail)).toEqual([expect.objectContaining({ deleted: true, id: 3, email: 'new@example.com' })]);
		const byId = await runNode({ parameters: withFormat(removeById(1), format), credentials: demo });
		expect(json(byId)).toEqual([{ deleted: true, id: 1 }]);
		expect(await emails(format)).toEqual(['no-more-news@sandbox.mailpartner.invalid']);
		// The node deletes with a GET, and the sandbox took it as one.
		expect(sandbox.state.requests.byRoute['GET /unsubscribe/delete']).toBe(2);
		expect(sandbox.state.requests.byRoute['POST /unsubscribe/delete']).toBeUndefined();
	});

	it.each<[string, INodeParameters, RegExp]>([
		['an address already listed', add('FORMER-CLIENT@sandbox.mailpartner.invalid'), /^This e-mail address is already on the unsubscribe list \(MailPartner code 3: Le mail est déjà dans la liste\)$/],
		['an ID not on the list', removeById(999), /^No address with this ID on the unsubscribe list \(MailPartner code 4: ID of the mail is not found\)$/],
	])('MailPartner refuses %s', async (_case, parameters, message) => {
		const result = await runNode({ parameters, credentials: demo });
		expect(result.error?.message).toMatch(message);
	});

	it('the pages’ own account lists the page’s sample entry, and a new address takes the add sample’s stopId 300', async () => {
		const pages = { ...demo, apiKey: PAGES_KEY };
		sandbox.options.state = 'pages';
		try {
			sandbox.reset();
			// The pages' key is "xxx", so the sample's "xxx@www.com" comes out with the key redacted.
			const listed = json(await runNode({ parameters: { ...getAll, returnAll: true }, credentials: pages }));
			expect(listed).toEqual([{ ...listSample.data[0], email: '[API key]@www.com' }]);
			expect(json(await runNode({ parameters: add('xxxx@example.com'), credentials: pages }))).toEqual([{ email: 'xxxx@example.com', stopId: 300 }]);
		} finally {
			sandbox.options.state = 'demo';
		}
	});

	it('a wrong key is refused clearly, without showing the key', async () => {
		const result = await runNode({ parameters: { ...getAll, returnAll: true }, credentials: { ...demo, apiKey: 'wrong-unsubscribe-key-must-not-leak' } });
		expect(result.error?.message).toBe('Invalid API key (MailPartner code 10: Clé API incorrecte)');
		expect(everythingIn(result.run)).not.toContain('wrong-unsubscribe-key-must-not-leak');
	});
});
