import nock from 'nock';
import {
	Workflow,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypes,
} from 'n8n-workflow';

import { MailPartner } from '../nodes/MailPartner/MailPartner.node';
import nodeCodex from '../nodes/MailPartner/MailPartner.node.json';
import { MailPartnerTrigger } from '../nodes/MailPartnerTrigger/MailPartnerTrigger.node';
import triggerCodex from '../nodes/MailPartnerTrigger/MailPartnerTrigger.node.json';
import { startDemoSandbox, type Sandbox } from './harness/sandbox';
import { runNode } from './harness/engine';
import { credentials, origin } from './harness/fixtures';

/**
 * What a new user sees in n8n's editor: the node picker's MailPartner entry, the canvas
 * subtitles, and a Get Status or Cancel added after a Send, ready to run.
 */

const node = new MailPartner();
const trigger = new MailPartnerTrigger();
const packageName = 'n8n-nodes-mailpartner';

const options = (property: INodeProperties | undefined): INodePropertyOptions[] =>
	(property?.options ?? []).filter((option): option is INodePropertyOptions => 'value' in option);

describe('the node picker’s MailPartner entry', () => {
	// n8n's editor (packages/frontend/editor-ui/src/features/shared/nodeCreator/composables/
	// useActionsGeneration.ts, generateMergedNodesAndActions) merges a trigger named `<node>Trigger`
	// into the node `<node>` when that node has actions: one entry, the node's codex, and
	// `app.description = trigger.description`.
	const operationCount = node.description.properties
		.filter((property) => property.name === 'operation')
		.reduce((count, property) => count + options(property).length, 0);

	it('is one entry for the node and its trigger, as n8n merges them', () => {
		expect(trigger.description.name.replace('Trigger', '')).toBe(node.description.name);
		expect(operationCount).toBe(12);
	});

	it('describes the actions first, then the trigger, since n8n shows the trigger’s description for the entry', () => {
		const shown = trigger.description.description;
		expect(shown.startsWith(`${node.description.description}, or start a workflow when`)).toBe(true);
		expect(shown).toMatch(/credits run low or an address unsubscribes$/);
	});

	it('is found by every word that finds the trigger: n8n searches the entry with the node’s codex only', () => {
		expect(nodeCodex.alias).toEqual(expect.arrayContaining(triggerCodex.alias));
		expect(nodeCodex.categories).toEqual(triggerCodex.categories);
	});
});

describe('canvas subtitles', () => {
	const types: Record<string, INodeType> = {
		[`${packageName}.mailPartner`]: node,
		[`${packageName}.mailPartnerTrigger`]: trigger,
	};
	const nodeTypes: INodeTypes = {
		getByName: (type) => types[type],
		getByNameAndVersion: (type) => types[type],
		getKnownTypes: () => ({}),
	};

	/** The subtitle as n8n's editor computes it (useNodeHelpers.ts, getNodeSubtitle). */
	function subtitle(type: INodeType, parameters: INodeParameters): unknown {
		const name = type.description.defaults.name as string;
		const workflow = new Workflow({
			nodes: [
				{ id: '1', name, type: `${packageName}.${type.description.name}`, typeVersion: 1, position: [0, 0], parameters },
			],
			connections: {},
			active: false,
			nodeTypes,
		});
		return workflow.expression.getSimpleParameterValue(workflow.getNode(name) as INode, type.description.subtitle, 'internal', {});
	}

	it('says the operation and the resource as the panel names them', () => {
		expect(subtitle(node, { resource: 'message', operation: 'send' })).toBe('Send · Message');
		expect(subtitle(node, { resource: 'account', operation: 'getCredits' })).toBe('Get Credits · Account');
		expect(subtitle(node, { resource: 'subaccount', operation: 'getAll' })).toBe('Get Many · Subaccount');
		// A new node, with nothing changed yet.
		expect(subtitle(node, {})).toBe('Get Credits · Account');
	});

	it('has a label for every operation of every resource', () => {
		const resources = options(node.description.properties.find((property) => property.name === 'resource'));
		const seen: string[] = [];
		for (const resource of resources) {
			const selector = node.description.properties.find(
				(property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource.value),
			);
			for (const operation of options(selector)) {
				const shown = subtitle(node, { resource: resource.value, operation: operation.value });
				expect(shown).toBe(`${operation.name} · ${resource.name}`);
				seen.push(String(shown));
			}
		}
		expect(seen).toHaveLength(12);
	});

	it('gives the trigger’s threshold with its unit', () => {
		expect(subtitle(trigger, {})).toBe('Credits below 10 €');
		expect(subtitle(trigger, { event: 'creditsBelow', unit: 'euros', threshold: 20 })).toBe('Credits below 20 €');
		expect(subtitle(trigger, { event: 'creditsBelow', unit: 'emails', threshold: 500 })).toBe('Credits below 500 e-mails');
		expect(subtitle(trigger, { event: 'newUnsubscribe' })).toBe('New unsubscribe');
	});
});

describe('Message ID after a Send', () => {
	let sandbox: Sandbox;
	let sandboxCredentials: { apiKey: string; baseUrl: string };

	beforeAll(async () => {
		nock.disableNetConnect();
		nock.enableNetConnect('127.0.0.1');
		({ sandbox, credentials: sandboxCredentials } = await startDemoSandbox());
	});
	afterEach(() => nock.cleanAll());
	afterAll(async () => {
		await sandbox.close();
		nock.restore();
	});

	it('defaults to the input item’s messageId in Get Status and Cancel', () => {
		const defaults = node.description.properties
			.filter((property) => property.name === 'messageId')
			.map((property) => [property.displayOptions?.show?.operation, property.default]);
		expect(defaults).toEqual([
			[['cancel'], '={{ $json.messageId }}'],
			[['getStatus'], '={{ $json.messageId }}'],
		]);
	});

	it('Get Status and Cancel added after a Send run as they come, on the message that Send sent', async () => {
		const later = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
		const sent = await runNode({
			parameters: { resource: 'message', operation: 'send', subject: 'Later', htmlContent: '<p>x</p>', to: 'a@example.com', additionalFields: { scheduledAt: later } },
			credentials: sandboxCredentials,
		});
		expect(sent.error).toBeUndefined();
		const sendOutput = (sent.items ?? []).map((item) => item.json);
		const messageId = sendOutput[0]?.messageId;
		expect(messageId).toMatch(/^\d+$/);

		const status = await runNode({ parameters: { resource: 'message', operation: 'getStatus' }, items: sendOutput, credentials: sandboxCredentials });
		expect(status.error).toBeUndefined();
		expect(status.items?.map((item) => [item.json.messageId, item.json.email])).toEqual([[messageId, 'a@example.com']]);

		const cancelled = await runNode({ parameters: { resource: 'message', operation: 'cancel' }, items: sendOutput, credentials: sandboxCredentials });
		expect(cancelled.items?.map((item) => item.json)).toEqual([{ messageId, cancelled: true, message: 'L\'envoi du mail a été annulé.' }]);
	});

	it.each(['getStatus', 'cancel'])('%s after a step without messageId says so, naming the field, and sends nothing', async (operation) => {
		const scope = nock(origin).get(/.*/).reply(200, '{}');
		const result = await runNode({ parameters: { resource: 'message', operation }, items: [{ email: 'a@example.com' }], credentials });
		expect(result.error?.message).toBe('Message ID is empty');
		expect(result.error?.description).toBe(
			'The input item has no messageId: put this step after Message → Send, or type the ID in Message ID. Use the messageId that MailPartner returned for the send. Nothing was sent.',
		);
		expect(scope.isDone()).toBe(false);
	});

	it('an expression of the user’s that gives nothing is named in the error', async () => {
		const result = await runNode({
			parameters: { resource: 'message', operation: 'getStatus', messageId: '={{ $json.id }}' },
			items: [{ email: 'a@example.com' }],
			credentials,
		});
		expect(result.error?.message).toBe('Message ID is empty');
		expect(result.error?.description).toMatch(/^Its expression \{\{ \$json\.id \}\} gave nothing for this item\. /);
	});
});

describe('Wait For Final Status', () => {
	it('tells, under the field, what the step does while it waits', () => {
		const field = node.description.properties.find((property) => property.name === 'waitForFinalStatus');
		expect(field?.hint).toMatch(/every Poll Interval, for up to Max Wait \(300 s at most\)/);
		expect(field?.hint).toContain('"Executing node…"');
	});
});
