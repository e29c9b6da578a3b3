import type { INodeProperties } from 'n8n-workflow';

import { outputPayload } from '../../shared/transport';
import { getStatusFields, getStatusShape, sendMessageId } from './getStatus';

export const messageDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Get Status',
				value: 'getStatus',
				action: 'Get the delivery status of a message',
				description:
					'Get the delivery status of each recipient of a send. Reports usually arrive seconds after the send, but can take up to 48 hours.',
				routing: {
					request: { method: 'GET', url: '/bulk-status' },
					send: { preSend: [sendMessageId] },
					output: { postReceive: [outputPayload('getStatus', getStatusShape)] },
				},
			},
		],
		default: 'getStatus',
	},
	...getStatusFields,
];
