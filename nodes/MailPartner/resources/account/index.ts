import type { INodeProperties } from 'n8n-workflow';

import { outputPayload } from '../../shared/transport';
import { getCreditsFields, getCreditsShape } from './getCredits';

export const accountDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['account'] } },
		options: [
			{
				name: 'Get Credits',
				value: 'getCredits',
				action: 'Get the account credits',
				description: 'Get the number of e-mails and the balance left on the account',
				routing: {
					request: { method: 'GET', url: '/me' },
					output: { postReceive: [outputPayload('getCredits', getCreditsShape)] },
				},
			},
		],
		default: 'getCredits',
	},
	...getCreditsFields,
];
