import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { account } from './resources/account';
import { message } from './resources/message';
import { subaccount } from './resources/subaccount';
import { searchSubaccounts } from './resources/subaccount/creditMove';
import { unsubscribe } from './resources/unsubscribe';
import { credentialType, MailPartnerClient, readCredentials } from './shared/client';
import { readSettings, runItems } from './shared/operation';

const resources = { account, message, subaccount, unsubscribe };

/**
 * What the MailPartner Trigger uses, from this file: the build keeps the trigger's import of it
 * external, so both nodes share one client module in n8n (one pacer under MailPartner's rate
 * limit per process, and the XML reader shipped once).
 */
export { getCredits } from './resources/account/getCredits';
export { readUnsubscribeList } from './resources/unsubscribe/getAll';
export { credentialType, MailPartnerClient, readCredentials } from './shared/client';
export { defaults } from './shared/operation';

export class MailPartner implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MailPartner',
		name: 'mailPartner',
		icon: { light: 'file:../../icons/mailpartner.svg', dark: 'file:../../icons/mailpartner.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send e-mail and follow its delivery, manage subaccounts, credits and unsubscribes with MailPartner',
		defaults: { name: 'MailPartner' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: credentialType, required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Message', value: 'message' },
					{ name: 'Subaccount', value: 'subaccount' },
					{ name: 'Unsubscribe', value: 'unsubscribe' },
				],
				default: 'account',
			},
			...account.properties,
			...subaccount.properties,
			...message.properties,
			...unsubscribe.properties,
		],
	};

	methods = {
		// The Subaccount dropdown of Add Credit / Remove Credit, read through the same client.
		listSearch: { searchSubaccounts },
	};

	/**
	 * The node runs its items itself: the credential is read once, every item is checked before
	 * the first request, and one client paces, bounds and reads every request (see shared/client.ts).
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		if (items.length === 0) return [[]];
		const resourceName = this.getNodeParameter('resource', 0) as string;
		const operationName = this.getNodeParameter('operation', 0) as string;
		const operation = resources[resourceName as keyof typeof resources]?.operations[operationName];
		if (!operation) {
			throw new NodeOperationError(this.getNode(), `Unknown operation "${operationName}" of "${resourceName}"`);
		}
		if (operation.endpoint.spendsMoney && this.getNode().retryOnFail) {
			throw new NodeOperationError(
				this.getNode(),
				'Retry On Fail is on: a retry would run this call again and spend the money again',
				{
					description: `n8n retries the whole node, so what ${operation.endpoint.label} already did (and charged) would be done twice. Turn Retry On Fail off in the node’s settings. Nothing was sent.`,
				},
			);
		}
		const settings = readSettings(this);
		const credentials = readCredentials((await this.getCredentials(credentialType)) as IDataObject);
		const client = new MailPartnerClient(this, credentials, settings);
		return [await runItems(this, items.length, operation, client, settings.itemsInFlight)];
	}
}
