import nock from 'nock';
import type { IDataObject } from 'n8n-workflow';

import { runNode } from './harness/engine';
import {
	apiKey,
	credentials,
	failureJson,
	listPage,
	origin,
	pageJson,
	subaccounts,
	toPositionalXml,
} from './harness/fixtures';
import { everythingIn, expectNoApiKey } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

const list = { resource: 'subaccount', operation: 'getAll' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.restore());

function render(answer: object, format: Format): string {
	return format === 'json' ? JSON.stringify(answer) : toPositionalXml(answer as Record<string, never>);
}

/** Answers `GET /subaccount/list?page=N` for each page of `all`, in JSON or XML. */
function servePages(all: ReturnType<typeof subaccounts>, pages: number[], format: Format) {
	return pages.map((page) =>
		nock(origin)
			.get('/v1/subaccount/list')
			.query(format === 'json' ? { apiKey, page } : { apiKey, page, _format: 'xml' })
			.reply(200, render(listPage(all, page), format)),
	);
}

/**
 * A subaccount as the node outputs it: its balance in euros as a number (MailPartner writes the
 * text "0.125"; the fixtures are written to 3 decimals, which a number holds exactly enough).
 */
const asOutput = (subaccount: IDataObject): IDataObject => {
	const credits = subaccount.credits as IDataObject;
	return { ...subaccount, credits: { ...credits, balance: Number(credits.balance) } };
};

/** A subaccount as the node outputs it by default: without its own API key. */
const withoutKey = (subaccount: IDataObject): IDataObject =>
	Object.fromEntries(Object.entries(asOutput(subaccount)).filter(([name]) => name !== 'apiKey'));

describe.each<Format>(['json', 'xml'])('Subaccount → Get Many (%s)', (format) => {
	const all = subaccounts(45);

	it('Return All fetches every page and outputs one item per subaccount, in order, without their API keys', async () => {
		const scopes = servePages(all, [1, 2, 3], format);
		const result = await runNode({ parameters: withFormat({ ...list, returnAll: true }, format), credentials });
		expect(scopes.every((scope) => scope.isDone())).toBe(true);
		expect(result.error).toBeUndefined();
		expect(result.items?.map((item) => item.json)).toEqual(all.map(withoutKey));
		// Subaccount 1's balance, "0.125" in the answer.
		expect(result.items?.[0].json.credits).toEqual({ balance: 0.125, currency: 'EUR' });
		expect(result.items?.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		expect(everythingIn(result.run)).not.toContain('ApiKey1 du sous compte');
		expectNoApiKey(result.items);
	});

	it('Include API Keys outputs each subaccount’s own key, as MailPartner sends it', async () => {
		servePages(all, [1, 2, 3], format);
		const result = await runNode({ parameters: withFormat({ ...list, returnAll: true, includeApiKeys: true }, format), credentials });
		expect(result.items?.map((item) => item.json)).toEqual(all.map(asOutput));
		expectNoApiKey(result.items);
	});

	it('Limit 25 fetches two pages, not three, and outputs 25 items', async () => {
		const [first, second, third] = servePages(all, [1, 2, 3], format);
		const result = await runNode({ parameters: withFormat({ ...list, returnAll: false, limit: 25 }, format), credentials });
		expect(first.isDone() && second.isDone()).toBe(true);
		expect(third.isDone()).toBe(false);
		expect(result.items?.map((item) => item.json)).toEqual(all.slice(0, 25).map(withoutKey));
	});

	it('Limit 5 fetches only the first page', async () => {
		const [first, second] = servePages(all, [1, 2], format);
		const result = await runNode({ parameters: withFormat({ ...list, returnAll: false, limit: 5 }, format), credentials });
		expect(first.isDone()).toBe(true);
		expect(second.isDone()).toBe(false);
		expect(result.items?.map((item) => item.json)).toEqual(all.slice(0, 5).map(withoutKey));
	});

	it('an account without subaccounts outputs no item', async () => {
		servePages([], [1], format);
		const result = await runNode({ parameters: withFormat({ ...list, returnAll: true }, format), credentials });
		expect(result.error).toBeUndefined();
		expect(result.items ?? []).toEqual([]);
	});
});

describe('Subaccount → Get Many, the page’s sample', () => {
	it('outputs the two subaccounts of the JSON sample (with Include API Keys), their balances as numbers, the page param included', async () => {
		const sample = pageJson('list.json');
		nock(origin).get('/v1/subaccount/list').query({ apiKey, page: 1 }).reply(200, { ...sample, total: 2 });
		const result = await runNode({ parameters: { ...list, returnAll: true, includeApiKeys: true }, credentials });
		const data = sample.data as IDataObject[];
		// The sample's balances are "0.800" and "10.245".
		expect(result.items?.map((item) => item.json)).toEqual([
			{ ...data[0], credits: { balance: 0.8, currency: 'EUR' } },
			{ ...data[1], credits: { balance: 10.245, currency: 'EUR' } },
		]);
	});
});

describe('Subaccount → Get Many, pages after the first', () => {
	it('are fetched at most 4 at once, and the output keeps the API’s order whatever answers first', async () => {
		const all = subaccounts(200);
		let inFlight = 0;
		let mostInFlight = 0;
		const scope = nock(origin);
		for (let page = 1; page <= 10; page++) {
			scope
				.get('/v1/subaccount/list')
				.query({ apiKey, page })
				// Later pages answer sooner, so a paginator that output in arrival order would fail.
				.delay(page === 1 ? 0 : (11 - page) * 15)
				.reply(() => {
					inFlight += 1;
					mostInFlight = Math.max(mostInFlight, inFlight);
					return [200, JSON.stringify(listPage(all, page))];
				});
		}
		scope.on('replied', () => {
			inFlight -= 1;
		});
		const result = await runNode({ parameters: { ...list, returnAll: true }, credentials });
		expect(scope.isDone()).toBe(true);
		expect(result.items?.map((item) => item.json.id)).toEqual(all.map((subaccount) => subaccount.id));
		expect(mostInFlight).toBeGreaterThan(1);
		expect(mostInFlight).toBeLessThanOrEqual(4);
	});

	it('a failing page fails the list with MailPartner’s message instead of returning part of it', async () => {
		const all = subaccounts(45);
		servePages(all, [1, 3], 'json');
		nock(origin)
			.get('/v1/subaccount/list')
			.query({ apiKey, page: 2 })
			.reply(401, JSON.stringify({ success: false, code: 10, message: 'Clé API incorrecte' }));
		const result = await runNode({ parameters: { ...list, returnAll: true }, credentials });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe('Invalid API key (MailPartner code 10: Clé API incorrecte)');
	});
});

describe('Subaccount → Get Many, answers that need care', () => {
	const all = subaccounts(45);

	it('a Return All expression that resolves to the text "false" means Limit', async () => {
		const [first, second] = servePages(all, [1, 2], 'json');
		const result = await runNode({ parameters: { ...list, returnAll: '={{ "false" }}', limit: 5 }, credentials });
		expect(first.isDone()).toBe(true);
		expect(second.isDone()).toBe(false);
		expect(result.items).toHaveLength(5);
	});

	it('a total given as text is read as the number', async () => {
		nock(origin).get('/v1/subaccount/list').query(true).reply(200, JSON.stringify({ ...listPage([], 1), total: '0' }));
		const result = await runNode({ parameters: { ...list, returnAll: true }, credentials });
		expect(result.error).toBeUndefined();
		expect(result.items ?? []).toEqual([]);
	});

	it('a null list of subaccounts is an error, not an empty list', async () => {
		nock(origin).get('/v1/subaccount/list').query(true).reply(200, JSON.stringify({ ...listPage([], 1), total: '0', data: null }));
		const result = await runNode({ parameters: { ...list, returnAll: true }, credentials });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe(
			'MailPartner’s JSON answer did not match the expected layout at data: expected a list, found a null (HTTP 200)',
		);
	});

	it('a list that changes while it is read fails clearly instead of repeating or skipping one', async () => {
		const grown = [...subaccounts(1, 100), ...all];
		nock(origin).get('/v1/subaccount/list').query({ apiKey, page: 1 }).reply(200, JSON.stringify(listPage(all, 1)));
		nock(origin).get('/v1/subaccount/list').query({ apiKey, page: 2 }).reply(200, JSON.stringify(listPage(grown, 2)));
		nock(origin).get('/v1/subaccount/list').query({ apiKey, page: 3 }).reply(200, JSON.stringify(listPage(grown, 3)));
		const result = await runNode({ parameters: { ...list, returnAll: true }, credentials });
		expect(result.items).toBeUndefined();
		expect(result.error?.message).toBe('The subaccount list changed while it was read (45 subaccounts, then 46)');
	});

	it('after a failed page, no further page is requested', async () => {
		const many = subaccounts(200);
		servePages(many, [1], 'json');
		const scope = nock(origin);
		scope.get('/v1/subaccount/list').query({ apiKey, page: 2 }).reply(200, failureJson(10, 'Clé API incorrecte'));
		// Pages 3-5 are in flight with page 2; the ones after them must not be asked for.
		scope.get('/v1/subaccount/list').query((query) => Number(query.page) >= 3).times(8).delay(20).reply(200, (uri) => {
			const page = Number(new URL(uri, origin).searchParams.get('page'));
			return JSON.stringify(listPage(many, page));
		});
		const result = await runNode({ parameters: { ...list, returnAll: true }, credentials });
		expect(result.error?.message).toBe('Invalid API key (MailPartner code 10: Clé API incorrecte)');
		expect(scope.pendingMocks().length).toBeGreaterThan(0);
	});

	it('with Continue On Fail, the error item says which input it belongs to', async () => {
		nock(origin).get('/v1/subaccount/list').query({ apiKey, page: 1 }).reply(200, JSON.stringify(listPage(subaccounts(3), 1)));
		nock(origin).get('/v1/subaccount/list').query({ apiKey, page: 1 }).reply(200, failureJson(10, 'Clé API incorrecte'));
		const result = await runNode({ parameters: { ...list, returnAll: true }, items: [{}, {}], credentials, continueOnFail: true });
		expect(result.items?.map((item) => [item.pairedItem, item.json.error ?? item.json.id])).toEqual([
			[{ item: 0 }, 1],
			[{ item: 0 }, 2],
			[{ item: 0 }, 3],
			[{ item: 1 }, 'Invalid API key (MailPartner code 10: Clé API incorrecte)'],
		]);
	});
});
