import type { INodeProperties } from 'n8n-workflow';

import { outputPayload } from '../../shared/transport';
import { createFields, createShape, sendSubaccount } from './create';
import { listFields, listPageShape, paginateSubaccounts } from './list';

export const subaccountDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['subaccount'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a subaccount',
				description:
					'Create a subaccount, optionally with credits taken from the main account balance',
				routing: {
					request: { method: 'POST', url: '/subaccount/create' },
					send: { preSend: [sendSubaccount] },
					output: { postReceive: [outputPayload('createSubaccount', createShape)] },
				},
			},
			{
				name: 'List',
				value: 'list',
				action: 'List subaccounts',
				description: 'List the subaccounts of the main account, one item each',
				routing: {
					request: { method: 'GET', url: '/subaccount/list' },
					// Every list call goes through the paginator: page 1 says how many pages follow.
					send: { paginate: true },
					operations: { pagination: paginateSubaccounts },
					output: { postReceive: [outputPayload('listSubaccounts', listPageShape)] },
				},
			},
		],
		default: 'list',
	},
	...listFields,
	...createFields,
];
