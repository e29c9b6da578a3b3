import { LoadOptionsContext } from 'n8n-core';
import { Workflow, type IDataObject, type INodeParameters, type INodeType, type IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import nock from 'nock';

import { MailPartner } from '../nodes/MailPartner/MailPartner.node';
import { DEMO_KEY, EMPTY_KEY, HOSTILE_KEY } from '../dev/sandbox/server';
import { startDemoSandbox, type Sandbox } from './harness/sandbox';
import { MemoryCredentialsHelper, runNode } from './harness/engine';
import { apiKey, credentials, failureJson, failureXml, origin, toPositionalXml } from './harness/fixtures';
import { everythingIn, expectNoApiKey } from './harness/leaks';
import { withFormat, type Format } from './harness/operations';

/**
 * Subaccount → Add Credit / Remove Credit through n8n's engine, against nock (what is sent, every
 * documented code) and the sandbox (balances that really move, and the count of calls received).
 */

type Direction = 'addCredit' | 'removeCredit';
const path: Record<Direction, string> = { addCredit: '/v1/subaccount/credit/add', removeCredit: '/v1/subaccount/credit/remove' };

const byToken = (token: string) => ({ __rl: true, mode: 'reference', value: token });
const parametersFor = (operation: Direction, credit: number | string | null, token = 'token1'): INodeParameters => ({
	resource: 'subaccount',
	operation,
	subaccount: byToken(token),
	credit,
});

/** The success sample of both pages (docs/mailpartner-api.md#credit-moves). */
const sample = { success: true, code: 200, credit: 2869.2, subaccountCredit: 61.8, currency: 'EUR' };

/** The pages' codes, French as the add page writes them (the remove page copies the table). */
const documented: Array<[number, string, RegExp]> = [
	[1, 'La Clé API est requise', /^API key is missing/],
	[2, 'Le crédit est requis', /^The amount of credit is required/],
	[3, 'L’identifiant du sous-compte est requis', /^The subaccount token is required/],
	[4, 'Vous n’avez pas l’authorisation', /^You are not authorised to move credit/],
	[5, 'Le crédit à attribuer doit être supérieur à 0', /^The amount must be greater than 0/],
	[6, 'La balance doit être supérieur à 0', /^The balance of (your main account|the subaccount) must be greater than 0/],
	[7, 'Le sous-compte n’exsite pas', /^The subaccount does not exist/],
	[8, 'Crédits insuffisant', /^Insufficient credit on (your main account|the subaccount)/],
	[10, 'Clé API incorrecte', /^Invalid API key/],
];

describe('against nock', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.restore());

	describe.each<[Direction, Format]>([
		['addCredit', 'json'],
		['addCredit', 'xml'],
		['removeCredit', 'json'],
		['removeCredit', 'xml'],
	])('%s (%s)', (operation, format) => {
		it('sends the amount and the token in the body with the key, and outputs the subaccount, the amount and both balances', async () => {
			const bodies: unknown[] = [];
			const scope = nock(origin)
				.post(path[operation], (body: unknown) => bodies.push(body) > 0)
				.reply(200, format === 'json' ? JSON.stringify(sample) : toPositionalXml(sample));
			const result = await runNode({ parameters: withFormat(parametersFor(operation, 12.5), format), credentials });
			expect(scope.isDone()).toBe(true);
			expect(bodies).toEqual([{ credit: 12.5, tokenSubaccount: 'token1', apiKey, ...(format === 'xml' ? { _format: 'xml' } : {}) }]);
			expect(result.items?.map((item) => item.json)).toEqual([
				{ subaccount: 'token1', amount: 12.5, credit: 2869.2, subaccountCredit: 61.8, currency: 'EUR' },
			]);
			expect(result.items?.[0].pairedItem).toEqual({ item: 0 });
			expectNoApiKey(result.run);
		});

		it.each(documented)('code %i is an error with its meaning and MailPartner’s words', async (code, french, meaning) => {
			nock(origin)
				.post(path[operation])
				.reply(code === 1 || code === 10 ? 401 : 400, format === 'json' ? failureJson(code, french) : failureXml(code, french));
			const result = await runNode({ parameters: withFormat(parametersFor(operation, 10), format), credentials });
			expect(result.items).toBeUndefined();
			expect(result.error?.message).toMatch(meaning);
			expect(result.error?.message).toContain(`(MailPartner code ${code}: ${french})`);
			expectNoApiKey(result.run);
		});
	});

	it.each<[string, number | string | null, RegExp]>([
		['0', 0, /^Amount \(€\) must be greater than 0, got 0$/],
		['a negative amount', -5, /^Amount \(€\) must be greater than 0/],
		['a hexadecimal text', '0x10', /^Amount \(€\) must be euros in decimal notation/],
		['an exponent', '1e3', /^Amount \(€\) must be euros in decimal notation/],
		['more than 3 decimals', 10.0001, /with at most 3 decimals/],
		['an expression that gives nothing', '={{ $json.missing }}', /^Amount \(€\) is required$/],
		['an empty field', null, /^Amount \(€\) is required$/],
	])('refuses %s as the amount before sending anything', async (_case, credit, message) => {
		const result = await runNode({ parameters: parametersFor('addCredit', credit), credentials });
		expect(result.error?.message).toMatch(message);
		expect(result.error?.description).toMatch(/Nothing was sent and no credit moved\.$/);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it.each<[string, number | string, number]>([
		['1.125 typed in the field', 1.125, 1.125],
		['a sum that floating point writes 0.30000000000000004', '={{ 0.1 + 0.2 }}', 0.3],
	])('sends %s to the tenth of a cent, and outputs that amount', async (_case, credit, sent) => {
		const bodies: unknown[] = [];
		nock(origin)
			.post(path.addCredit, (body: unknown) => bodies.push(body) > 0)
			.reply(200, JSON.stringify(sample));
		const result = await runNode({ parameters: parametersFor('addCredit', credit), credentials });
		expect(result.error).toBeUndefined();
		expect(bodies).toEqual([expect.objectContaining({ credit: sent })]);
		expect(result.items?.[0].json.amount).toBe(sent);
	});

	it('accepts the amount as text with a decimal point, as an expression may give it, and outputs it as a number', async () => {
		const bodies: unknown[] = [];
		nock(origin)
			.post(path.addCredit, (body: unknown) => bodies.push(body) > 0)
			.reply(200, JSON.stringify(sample));
		const result = await runNode({ parameters: parametersFor('addCredit', '={{ "7.250" }}'), credentials });
		expect(result.error).toBeUndefined();
		expect(bodies).toEqual([expect.objectContaining({ credit: 7.25 })]);
		expect(result.items?.[0].json.amount).toBe(7.25);
	});

	it.each<[string, string, RegExp]>([
		['an empty token', '', /^Subaccount is required$/],
		['a token with a space', 'token 1', /^Subaccount token "token 1" is not a token$/],
	])('refuses %s from an expression before sending anything', async (_case, token, message) => {
		const subaccount = byToken('={{ $json.token }}');
		const result = await runNode({ parameters: { ...parametersFor('addCredit', 10), subaccount }, items: [{ token }], credentials });
		expect(result.error?.message).toMatch(message);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('a typed token with a space is refused by n8n itself, through the field’s validation', async () => {
		await expect(runNode({ parameters: { ...parametersFor('addCredit', 10), subaccount: byToken('token 1') }, credentials })).rejects.toThrow(
			'A token has no spaces',
		);
	});

	it('checks every item before sending any: one bad amount and nothing moves', async () => {
		const scope = nock(origin).post(path.addCredit).reply(200, JSON.stringify(sample));
		const result = await runNode({
			parameters: parametersFor('addCredit', '={{ $json.amount }}'),
			items: [{ amount: 5 }, { amount: 'ten' }],
			credentials,
		});
		expect(result.error?.message).toMatch(/^Not sent: item 2 is invalid \(Amount \(€\) must be euros/);
		expect(scope.isDone()).toBe(false);
	});

	it('refuses to run with Retry On Fail, before sending anything', async () => {
		const result = await runNode({ parameters: parametersFor('removeCredit', 10), settings: { retryOnFail: true, maxTries: 3 }, credentials });
		expect(result.error?.message).toBe('Retry On Fail is on: a retry would run this call again and spend the money again');
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

	const received = (operation: Direction) => sandbox.state.requests.byRoute[`POST ${path[operation].slice(3)}`] ?? 0;
	const sub01 = () => sandbox.state.accounts[DEMO_KEY].subaccounts[0] as { balance: number };

	it.each<Format>(['json', 'xml'])('moves euros both ways and both balances follow (%s)', async (format) => {
		// Subaccount 01 starts with 1.25 EUR, the main account with 250.
		const added = await runNode({ parameters: withFormat(parametersFor('addCredit', 10, 'demo-token-01'), format), credentials: demo });
		expect(added.items?.map((item) => item.json)).toEqual([
			{ subaccount: 'demo-token-01', amount: 10, credit: 240, subaccountCredit: 11.25, currency: 'EUR' },
		]);
		const removed = await runNode({ parameters: withFormat(parametersFor('removeCredit', 11.25, 'demo-token-01'), format), credentials: demo });
		expect(removed.items?.map((item) => item.json)).toEqual([
			{ subaccount: 'demo-token-01', amount: 11.25, credit: 251.25, subaccountCredit: 0, currency: 'EUR' },
		]);

		// The three operations give the euros of one account as the same number: the main balance
		// after the remove is Get Credits' balance, the subaccount's is Get Many's.
		const me = await runNode({ parameters: withFormat({ resource: 'account', operation: 'getCredits' }, format), credentials: demo });
		expect((me.items?.[0].json.credits as IDataObject).balance).toBe(removed.items?.[0].json.credit);
		expect((me.items?.[0].json.credits as IDataObject).balance).toBe(251.25);
		const list = await runNode({ parameters: withFormat({ resource: 'subaccount', operation: 'getAll', limit: 1 }, format), credentials: demo });
		expect(list.items?.[0].json.credits).toEqual({ balance: 0, currency: 'EUR' });
		expect(list.items?.[0].json.token).toBe(removed.items?.[0].json.subaccount);
	});

	it.each<[string, Direction, string, number, { apiKey?: string }, RegExp]>([
		['more than the main balance', 'addCredit', 'demo-token-01', 250.001, {}, /^Insufficient credit on your main account \(MailPartner code 8: Crédits insuffisant\)$/],
		['more than the subaccount holds', 'removeCredit', 'demo-token-01', 1.26, {}, /^Insufficient credit on the subaccount \(MailPartner code 8/],
		['from an empty subaccount', 'removeCredit', 'demo-token-05', 1, {}, /^The balance of the subaccount must be greater than 0 \(MailPartner code 6/],
		['to an unknown token', 'addCredit', 'no-such-token', 1, {}, /^The subaccount does not exist \(MailPartner code 7: Le sous-compte n’exsite pas\)$/],
		['to another account’s subaccount', 'addCredit', 'hostile-demo-token-01', 1, {}, /^You are not authorised to move credit to or from this subaccount \(MailPartner code 4/],
	])('refuses a move %s, and nothing moves', async (_case, operation, token, credit, account, message) => {
		const before = JSON.stringify(sandbox.state.accounts);
		const result = await runNode({ parameters: parametersFor(operation, credit, token), credentials: { ...demo, ...account } });
		expect(result.error?.message).toMatch(message);
		expect(JSON.stringify(sandbox.state.accounts)).toBe(before);
	});

	it('the empty account’s add is refused with code 6 (its balance is 0)', async () => {
		// The empty account has no subaccounts of its own: give it one so the check reaches the balance.
		sandbox.state.accounts[EMPTY_KEY].subaccounts.push({ ...sandbox.state.accounts[DEMO_KEY].subaccounts[0], token: 'empty-sub' });
		const result = await runNode({ parameters: parametersFor('addCredit', 1, 'empty-sub'), credentials: { ...demo, apiKey: EMPTY_KEY } });
		expect(result.error?.message).toMatch(/^The balance of your main account must be greater than 0 \(MailPartner code 6: La balance doit être supérieur à 0\)$/);
	});

	it.each<[string, Record<string, unknown>]>([
		['an HTTP 503', { httpStatus: 503 }],
		['a dropped connection', { dropConnection: true }],
		['an HTML error page', { htmlErrorPage: true }],
	])('is sent once, never again, after %s', async (_case, faults) => {
		sandbox.setFaults(faults);
		const before = sub01().balance;
		const result = await runNode({ parameters: parametersFor('addCredit', 5, 'demo-token-01'), credentials: demo });
		expect(result.items).toBeUndefined();
		expect(received('addCredit')).toBe(1);
		expect(sub01().balance).toBe(before);
		expect(everythingIn(result.run)).not.toContain(DEMO_KEY);
	});

	it('after a 429 with Retry-After (refused before anything is done) goes again once, and moves once', async () => {
		sandbox.setFaults({ tooManyRequests: { count: 1, retryAfterSeconds: 1 } });
		const before = sub01().balance;
		const result = await runNode({ parameters: parametersFor('addCredit', 5, 'demo-token-01'), credentials: demo });
		expect(result.error).toBeUndefined();
		expect(result.items?.map(({ json }) => json)).toEqual([expect.objectContaining({ amount: 5, subaccount: 'demo-token-01' })]);
		// The refused request and the one let through.
		expect(received('addCredit')).toBe(2);
		expect(sub01().balance).toBe(before + 5);
		expect(everythingIn(result.run)).not.toContain(DEMO_KEY);
	});

	it('a lost answer says the move may have happened', async () => {
		sandbox.setFaults({ dropConnection: true });
		const result = await runNode({ parameters: parametersFor('removeCredit', 1, 'demo-token-01'), credentials: demo });
		expect(received('removeCredit')).toBe(1);
		expect(result.error?.message).toMatch(/^The credit may have been moved: the connection to .* closed unexpectedly$/);
		expect(result.error?.description).toMatch(/^MailPartner may have carried it out before the answer was lost.* Before running it again, check whether it was: Subaccount → Get Many shows the subaccount’s balance and Account → Get Credits the main balance\./);
		expect(result.error?.description).not.toMatch(/try again later/i);
	});

	it('three items are three moves, each sent once, in order', async () => {
		const result = await runNode({
			parameters: parametersFor('addCredit', '={{ $json.amount }}', 'demo-token-01'),
			items: [{ amount: 1 }, { amount: 2 }, { amount: 3.5 }],
			credentials: demo,
		});
		expect(result.items?.map((item) => [item.json.amount, item.json.subaccountCredit])).toEqual([
			[1, 2.25],
			[2, 4.25],
			[3.5, 7.75],
		]);
		expect(received('addCredit')).toBe(3);
		expect(sub01().balance).toBe(7.75);
	});

	it('the key with + / = % & moves credit like any other', async () => {
		const result = await runNode({ parameters: parametersFor('addCredit', 1, 'hostile-demo-token-01'), credentials: { ...demo, apiKey: HOSTILE_KEY } });
		expect(result.items?.map((item) => item.json)).toEqual([
			{ subaccount: 'hostile-demo-token-01', amount: 1, credit: 99, subaccountCredit: 2.25, currency: 'EUR' },
		]);
	});

	describe('the Subaccount dropdown (n8n-core’s LoadOptionsContext, the same client)', () => {
		const nodeType: INodeType = new MailPartner();
		const search = nodeType.methods?.listSearch?.searchSubaccounts;

		function context(key = DEMO_KEY): LoadOptionsContext {
			const workflow = new Workflow({
				id: 'editor',
				nodes: [],
				connections: {},
				active: false,
				nodeTypes: { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) },
			});
			const node = {
				id: 'c1e7d0f2-1111-4a5b-8c9d-0e1f2a3b4c5d',
				name: 'MailPartner',
				type: 'n8n-nodes-mailpartner.mailPartner',
				typeVersion: 1,
				position: [0, 0] as [number, number],
				parameters: { resource: 'subaccount', operation: 'addCredit' },
				credentials: { mailPartnerApi: { id: '1', name: 'MailPartner account' } },
			};
			const additionalData = { credentialsHelper: new MemoryCredentialsHelper({ ...demo, apiKey: key }), variables: {} } as unknown as IWorkflowExecuteAdditionalData;
			return new LoadOptionsContext(workflow, node, additionalData, 'parameters.subaccount');
		}

		it('lists a page of subaccounts by e-mail, with the token as the value, then the next page', async () => {
			const first = await search!.call(context());
			expect(first.results).toHaveLength(20);
			expect(first.results[0]).toEqual({ name: 'client-01@sandbox.mailpartner.invalid (simple, demo-token-01)', value: 'demo-token-01' });
			expect(first.paginationToken).toBe('2');
			const last = await search!.call(context(), undefined, '3');
			expect(last.results.map((result) => result.value)).toEqual(['demo-token-41', 'demo-token-42', 'demo-token-43', 'demo-token-44', 'demo-token-45']);
			expect(last.paginationToken).toBeUndefined();
		});

		it('filters by e-mail or token across pages', async () => {
			const found = await search!.call(context(), 'CLIENT-4');
			expect(found.results.map((result) => result.value)).toEqual(['demo-token-40', 'demo-token-41', 'demo-token-42', 'demo-token-43', 'demo-token-44', 'demo-token-45']);
			expect(found.paginationToken).toBeUndefined();
		});

		it('a wrong key gives the node’s clear error, without the key', async () => {
			const failure = await search!.call(context('wrong-dropdown-key-must-not-leak')).catch((error: unknown) => error);
			expect((failure as Error).message).toBe('Invalid API key (MailPartner code 10: Clé API incorrecte)');
			expect(everythingIn(failure)).not.toContain('wrong-dropdown-key-must-not-leak');
		});
	});
});
