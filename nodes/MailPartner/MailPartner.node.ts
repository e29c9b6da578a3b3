import {
	NodeConnectionTypes,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { account } from './resources/account';
import { message } from './resources/message';
import { sendAndWaitTooltip, sendAndWaitWebhook, sendAndWaitWebhooks } from './resources/message/sendAndWait';
import { subaccount } from './resources/subaccount';
import { searchSubaccounts } from './resources/subaccount/creditMove';
import { unsubscribe } from './resources/unsubscribe';
import { credentialType, MailPartnerClient, readCredentials } from './lib/client';
import { optionsCollection, readSettings, runItems } from './lib/operation';

/** The resources, in the order the Resource selector lists them. */
const resources = [account, message, subaccount, unsubscribe];

/** The one Options collection: the operations' own options first, then those every operation has. */
const options: INodeProperties = {
	...optionsCollection,
	options: [...resources.flatMap((resource) => resource.options), ...(optionsCollection.options ?? [])],
};

const resourceSelector: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: resources.map((resource) => resource.option),
	default: 'account',
};

/**
 * The canvas subtitle, e.g. "Send · Message": n8n's editor evaluates `subtitle` as an expression
 * on the node's parameters (without one it would show the operation's name only). The labels are
 * read from the Resource and Operation options, so the canvas says what the panel says. (n8n's
 * lint asks for a literal subtitle only on a description whose properties it can read, which the
 * Resource selector above, a constant, is not: test/editor.test.ts evaluates this one instead.)
 */
function subtitleExpression(): string {
	const labels: Record<string, string> = {};
	for (const { option: resource, operations } of resources) {
		for (const { option } of Object.values(operations)) labels[`${resource.value}:${option.value}`] = `${option.name} · ${resource.name}`;
	}
	// A flat object: a nested one would hold "}}", which ends an n8n expression early.
	return `={{ (${JSON.stringify(labels)})[$parameter["resource"] + ":" + $parameter["operation"]] || $parameter["operation"] }}`;
}

/** What the node does, in one sentence: the node's description, and the start of the trigger's. */
export const summary =
	'Send e-mail and follow its delivery, manage subaccounts, credits and unsubscribes with MailPartner';

/**
 * What the MailPartner Trigger uses, from this file: the build keeps the trigger's import of it
 * external, so both nodes share one client module in n8n (one pacer under MailPartner's rate
 * limit per process, and the XML reader shipped once).
 */
export { creditsEndpoint } from './resources/account/getCredits';
export { readUnsubscribeList } from './resources/unsubscribe/getAll';
export { credentialType, MailPartnerClient, readCredentials } from './lib/client';
export { defaults } from './lib/operation';

export class MailPartner implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MailPartner',
		name: 'mailPartner',
		icon: { light: 'file:../../icons/mailpartner.svg', dark: 'file:../../icons/mailpartner.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: subtitleExpression(),
		description: summary,
		defaults: { name: 'MailPartner' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: credentialType, required: true }],
		// Message → Send and Wait for Response resumes the waiting execution through these.
		webhooks: sendAndWaitWebhooks,
		waitingNodeTooltip: sendAndWaitTooltip,
		properties: [resourceSelector, ...resources.flatMap((resource) => resource.properties), options],
	};

	methods = {
		// The Subaccount dropdown of Add Credit / Remove Credit, read through the same client.
		listSearch: { searchSubaccounts },
	};

	/** The page of a Send and Wait link, and the answer its button gives. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}

	/**
	 * The node runs its items itself: the credential is read once, every item is checked before
	 * the first request, and one client paces, bounds and reads every request (see lib/client.ts).
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		if (items.length === 0) return [[]];
		const resourceName = this.getNodeParameter('resource', 0) as string;
		const operationName = this.getNodeParameter('operation', 0) as string;
		const operation = resources.find((resource) => resource.option.value === resourceName)?.operations[operationName];
		if (!operation) {
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operationName}" of "${resourceName}"`);
		}
		if (operation.endpoint.spendsMoney && this.getNode().retryOnFail) {
			throw new NodeOperationError(
				this.getNode(),
				'Retry On Fail is on: a retry would run this call again and spend the money again',
				{
					description: `n8n retries the whole node, so what ${operation.label} already did (and charged) would be done twice. Turn Retry On Fail off in the node’s settings. Nothing was sent.`,
				},
			);
		}
		const settings = readSettings(this);
		const credentials = await readCredentials(this);
		const client = new MailPartnerClient(this, credentials, { ...settings, operationLabel: operation.label });
		return [await runItems(this, items.length, operation, client, settings.itemsInFlight)];
	}
}
