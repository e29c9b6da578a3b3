import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { accountDescription } from './resources/account';
import { messageDescription } from './resources/message';
import { subaccountDescription } from './resources/subaccount';
import { credentialType, requestDefaults } from './shared/transport';

export class MailPartner implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MailPartner',
		name: 'mailPartner',
		icon: { light: 'file:../../icons/mailpartner.svg', dark: 'file:../../icons/mailpartner.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Check credits, manage subaccounts and follow deliveries with MailPartner',
		defaults: { name: 'MailPartner' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: credentialType, required: true }],
		requestDefaults,
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
				],
				default: 'account',
			},
			...accountDescription,
			...subaccountDescription,
			...messageDescription,
		],
	};
}
