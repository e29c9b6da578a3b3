import type { INodeParameters } from 'n8n-workflow';

export type Format = 'json' | 'xml';

/** The smallest valid parameters of each operation, and where its request goes. */
export const operations = {
	getCredits: {
		method: 'GET',
		path: '/v1/me',
		parameters: { resource: 'account', operation: 'getCredits' },
	},
	listSubaccounts: {
		method: 'GET',
		path: '/v1/subaccount/list',
		parameters: { resource: 'subaccount', operation: 'getAll', returnAll: true },
	},
	createSubaccount: {
		method: 'POST',
		path: '/v1/subaccount/create',
		parameters: { resource: 'subaccount', operation: 'create', type: 'simple' },
	},
	getStatus: {
		method: 'GET',
		path: '/v1/bulk-status',
		parameters: { resource: 'message', operation: 'getStatus', messageId: '300' },
	},
	send: {
		method: 'POST',
		path: '/v1/send',
		parameters: { resource: 'message', operation: 'send', subject: 'Hello', htmlContent: '<p>Hi</p>', to: 'ada@example.com' },
	},
	cancel: {
		method: 'GET',
		path: '/v1/message-cancel',
		parameters: { resource: 'message', operation: 'cancel', messageId: '300' },
	},
} as const;

export type OperationName = keyof typeof operations;

export function withFormat(parameters: INodeParameters, format: Format): INodeParameters {
	return format === 'json' ? parameters : { ...parameters, options: { responseFormat: 'xml' } };
}
