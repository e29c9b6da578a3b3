import { PollContext, TriggersAndPollers } from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import nock from 'nock';

import { MailPartnerTrigger } from '../nodes/MailPartnerTrigger/MailPartnerTrigger.node';
import { startDemoSandbox, type Sandbox } from './harness/sandbox';
import { MemoryCredentialsHelper, runNode } from './harness/engine';
import { apiKey, credentials as nockCredentials, origin } from './harness/fixtures';
import { everythingIn } from './harness/leaks';

/**
 * The trigger through n8n's poll path: n8n-core's PollContext (the `this` of `poll()` in a running
 * n8n: parameters, credentials, helpers.httpRequest, static data) and TriggersAndPollers, which
 * calls `poll` as n8n's poll executor does. HTTP is answered by the sandbox on 127.0.0.1 or nock.
 *
 * n8n stores a workflow's static data (legacy poll mode, the default in n8n 2.41) after the poll
 * made at activation and whenever a poll emits items; a poll that returns null changes nothing
 * stored (read in n8n 2.41.1: PollTriggerExecutor, getExecutePollFunctions, ActiveWorkflowManager).
 * `Activation` below keeps a stored copy by the same rule, and `restart()` starts again from it,
 * as an n8n restart does.
 */

const triggerType: INodeType = new MailPartnerTrigger();
const nodeTypes: INodeTypes = {
	getByName: () => triggerType,
	getByNameAndVersion: () => triggerType,
	getKnownTypes: () => ({}),
};
const pollers = new TriggersAndPollers();

class Activation {
	/** The workflow's static data as n8n's database holds it (JSON). */
	stored: IDataObject = {};

	private workflow!: Workflow;

	private node!: INode;

	constructor(
		private readonly parameters: INodeParameters,
		private readonly credentials: { apiKey: string; baseUrl: string },
	) {}

	/** Activation (or n8n's start): a fresh Workflow from the stored data, then its first poll. */
	async activate(): Promise<INodeExecutionData[][] | null> {
		this.workflow = new Workflow({
			id: 'trigger-workflow',
			nodes: [
				{
					id: 'a6f0f7d4-2b5e-4f3a-9a43-6a0e1c1d2f11',
					name: 'MailPartner Trigger',
					type: 'n8n-nodes-mailpartner.mailPartnerTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: this.parameters,
					credentials: { mailPartnerApi: { id: '1', name: 'MailPartner account' } },
				},
			],
			connections: {},
			active: true,
			nodeTypes,
			staticData: JSON.parse(JSON.stringify(this.stored)) as IDataObject,
		});
		this.node = this.workflow.getNode('MailPartner Trigger') as INode;
		const result = await this.poll('trigger');
		this.store();
		return result;
	}

	/** One scheduled poll; n8n stores the static data only when it emits. */
	async tick(): Promise<INodeExecutionData[][] | null> {
		const result = await this.poll('trigger');
		if (result !== null) this.store();
		return result;
	}

	/** "Fetch Test Event" in the editor. */
	async manual(): Promise<INodeExecutionData[][] | null> {
		return await this.poll('manual');
	}

	get staticData(): IDataObject {
		return this.workflow.getStaticData('node', this.node);
	}

	private store(): void {
		this.stored = JSON.parse(JSON.stringify(this.workflow.staticData)) as IDataObject;
	}

	private async poll(mode: WorkflowExecuteMode): Promise<INodeExecutionData[][] | null> {
		const additionalData = {
			credentialsHelper: new MemoryCredentialsHelper(this.credentials),
			restApiUrl: 'http://localhost:5678/rest',
			instanceBaseUrl: 'http://localhost:5678',
			webhookBaseUrl: 'http://localhost:5678/webhook',
			webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
			formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
			variables: {},
		} as unknown as IWorkflowExecuteAdditionalData;
		const emitted: unknown[] = [];
		const context = new PollContext(
			this.workflow,
			this.node,
			additionalData,
			mode,
			mode === 'manual' ? 'manual' : 'activate',
			(data) => emitted.push(data),
			(error) => emitted.push(error),
		);
		return await pollers.runPollFunction(this.workflow, this.node, context);
	}
}

const jsonOf = (result: INodeExecutionData[][] | null) => result?.[0].map((item) => item.json);

describe('MailPartner Trigger through n8n’s poll path, against the sandbox', () => {
	let sandbox: Sandbox;
	let credentials: { apiKey: string; baseUrl: string };

	beforeAll(async () => {
		({ sandbox, credentials } = await startDemoSandbox());
	});
	beforeEach(() => sandbox.reset());
	afterAll(async () => await sandbox.close());

	/** Moves euros between the main balance and subaccount 01 with the node's own operations. */
	async function moveCredit(direction: 'addCredit' | 'removeCredit', euros: number): Promise<void> {
		const result = await runNode({
			parameters: { resource: 'subaccount', operation: direction, subaccount: { __rl: true, mode: 'reference', value: 'demo-token-01' }, credit: euros },
			credentials,
		});
		expect(result.error).toBeUndefined();
	}

	const creditsBelow = (threshold: number, unit = 'euros') => ({ event: 'creditsBelow', unit, threshold });

	it('Credits Below: baseline first, one event on the way down, none while low, none again after a restart', async () => {
		const trigger = new Activation(creditsBelow(200), credentials);
		expect(await trigger.activate()).toBeNull();
		expect(await trigger.tick()).toBeNull();

		await moveCredit('addCredit', 60); // 250 → 190 EUR
		const fired = jsonOf(await trigger.tick());
		expect(fired).toEqual([
			{
				event: 'creditsBelow',
				below: true,
				threshold: 200,
				unit: 'euros',
				value: 190,
				currency: 'EUR',
				user: { username: 'demo@sandbox.mailpartner.invalid' },
				// The balance in euros is a number, as Account → Get Credits outputs it.
				credits: { creditMail: 3800, currency: 'EUR', balance: 190 },
			},
		]);
		expect(await trigger.tick()).toBeNull();

		// n8n restarts while the account is still low: the stored state says it already fired.
		expect(await trigger.activate()).toBeNull();
		expect(await trigger.tick()).toBeNull();
		await moveCredit('addCredit', 10); // lower still: 180 EUR, still the same drop
		expect(await trigger.tick()).toBeNull();

		// Back above (re-armed), then below again: a second event, exactly one.
		await moveCredit('removeCredit', 70); // 250 EUR
		expect(await trigger.tick()).toBeNull();
		await moveCredit('addCredit', 100); // 150 EUR
		expect(jsonOf(await trigger.tick())).toEqual([expect.objectContaining({ value: 150, below: true })]);
		expect(await trigger.tick()).toBeNull();
	});

	it('Credits Below in e-mails compares the e-mails the balance buys', async () => {
		const trigger = new Activation(creditsBelow(4000, 'emails'), credentials);
		expect(await trigger.activate()).toBeNull(); // 5 000 e-mails
		await moveCredit('addCredit', 50.05); // 199.95 EUR = 3 999 e-mails
		expect(jsonOf(await trigger.tick())).toEqual([expect.objectContaining({ unit: 'emails', value: 3999, currency: 'e-mails' })]);
	});

	it('the threshold is a strict bound: equal is not below, and re-arms', async () => {
		const trigger = new Activation(creditsBelow(190), credentials);
		await trigger.activate();
		await moveCredit('addCredit', 60); // exactly 190
		expect(await trigger.tick()).toBeNull();
		await moveCredit('addCredit', 0.001); // 189.999
		expect(jsonOf(await trigger.tick())).toEqual([expect.objectContaining({ value: 189.999 })]);
	});

	it('an account already low at activation is the baseline: no event until it went back above', async () => {
		await moveCredit('addCredit', 100); // 150 EUR
		const trigger = new Activation(creditsBelow(200), credentials);
		expect(await trigger.activate()).toBeNull();
		expect(await trigger.tick()).toBeNull();
		await moveCredit('removeCredit', 100); // 250
		expect(await trigger.tick()).toBeNull();
		await moveCredit('addCredit', 100); // 150
		expect(jsonOf(await trigger.tick())).toHaveLength(1);
	});

	it('a new threshold starts from a new baseline instead of firing at once', async () => {
		const trigger = new Activation(creditsBelow(100), credentials);
		await trigger.activate();
		const raised = new Activation(creditsBelow(300), credentials);
		raised.stored = trigger.stored; // the same node, its threshold edited and the workflow re-activated
		expect(await raised.activate()).toBeNull();
		expect(raised.staticData.credits).toEqual({ settings: 'euros:300', below: true });
	});

	it('New Unsubscribe: baseline first, then one event per new address, in order, across a restart', async () => {
		const trigger = new Activation({ event: 'newUnsubscribe' }, credentials);
		expect(await trigger.activate()).toBeNull(); // the two seeded addresses are the baseline

		for (const email of ['first@example.com', 'second@example.com']) {
			const added = await runNode({ parameters: { resource: 'unsubscribe', operation: 'add', email }, credentials });
			expect(added.error).toBeUndefined();
		}
		const fired = jsonOf(await trigger.tick());
		expect(fired).toEqual([
			{ event: 'newUnsubscribe', id: 3, email: 'first@example.com', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) },
			{ event: 'newUnsubscribe', id: 4, email: 'second@example.com', createdAt: expect.any(String) },
		]);
		expect(await trigger.tick()).toBeNull();

		expect(await trigger.activate()).toBeNull(); // restart: nothing repeated
		await runNode({ parameters: { resource: 'unsubscribe', operation: 'add', email: 'third@example.com' }, credentials });
		expect(await trigger.activate()).toEqual([[{ json: expect.objectContaining({ id: 5, email: 'third@example.com' }) }]]); // restart: nothing lost
		expect(await trigger.tick()).toBeNull();

		// An address removed and added again is a new unsubscribe (it gets a new ID).
		await runNode({ parameters: { resource: 'unsubscribe', operation: 'remove', removeBy: 'email', email: 'first@example.com' }, credentials });
		expect(await trigger.tick()).toBeNull();
		await runNode({ parameters: { resource: 'unsubscribe', operation: 'add', email: 'first@example.com' }, credentials });
		expect(jsonOf(await trigger.tick())).toEqual([expect.objectContaining({ id: 6, email: 'first@example.com' })]);
	});

	it('a test run in the editor shows an event and stores nothing', async () => {
		const credits = new Activation(creditsBelow(200), credentials);
		await credits.activate();
		expect(jsonOf(await credits.manual())).toEqual([
			expect.objectContaining({ event: 'creditsBelow', below: false, value: 250, credits: { creditMail: 5000, currency: 'EUR', balance: 250 } }),
		]);
		expect(credits.staticData.credits).toEqual({ settings: 'euros:200', below: false });

		const unsubscribes = new Activation({ event: 'newUnsubscribe' }, credentials);
		await unsubscribes.activate();
		expect(jsonOf(await unsubscribes.manual())).toEqual([
			{ event: 'newUnsubscribe', id: 2, email: 'no-more-news@sandbox.mailpartner.invalid', createdAt: '2024-03-02 17:40:00' },
		]);
		expect(unsubscribes.staticData.lastUnsubscribeId).toBe(2);
	});

	it('a wrong key stops the poll with the clear message, records nothing, and does not show the key', async () => {
		const trigger = new Activation(creditsBelow(200), { ...credentials, apiKey: 'wrong-trigger-key-must-not-leak' });
		const failure = await trigger.activate().catch((error: unknown) => error);
		expect((failure as Error).message).toBe('Invalid API key (MailPartner code 10: Clé API incorrecte)');
		expect(everythingIn(failure)).not.toContain('wrong-trigger-key-must-not-leak');
		expect(trigger.stored).toEqual({});
	});
});

describe('MailPartner Trigger requests (nock)', () => {
	beforeAll(() => nock.disableNetConnect());
	afterEach(() => nock.cleanAll());
	afterAll(() => nock.restore());

	it('Credits Below asks GET /me with the key in the query, and an unreadable answer records nothing', async () => {
		const trigger = new Activation({ event: 'creditsBelow', unit: 'euros', threshold: 10 }, nockCredentials);
		const me = nock(origin)
			.get('/v1/me')
			.query({ apiKey })
			.reply(200, { success: true, code: 200, user: { username: 'u' }, credits: { creditMail: 100, currency: 'EUR', balance: '5.000' } });
		expect(await trigger.activate()).toBeNull();
		expect(me.isDone()).toBe(true);
		expect(trigger.stored).toEqual({ 'node:MailPartner Trigger': { credits: { settings: 'euros:10', below: true } } });

		nock(origin).get('/v1/me').query(true).reply(200, { success: true, code: 200, user: { username: 'u' }, credits: { creditMail: 100, currency: 'EUR', balance: null } });
		await expect(trigger.tick()).rejects.toThrow('MailPartner’s answer has no balance to compare with the threshold');
	});

	it('New Unsubscribe refuses a list whose count does not match its entries', async () => {
		const trigger = new Activation({ event: 'newUnsubscribe' }, nockCredentials);
		nock(origin)
			.get('/v1/unsubscribe/list')
			.query({ apiKey })
			.reply(200, { success: true, code: 200, nbData: 3, data: [{ id: 19, email: 'xxx@www.com', createdAt: '2015-07-20 10:19:45' }] });
		await expect(trigger.activate()).rejects.toThrow('MailPartner’s unsubscribe list says it holds 3 addresses but sent 1');
		expect(trigger.stored).toEqual({});
	});
});
