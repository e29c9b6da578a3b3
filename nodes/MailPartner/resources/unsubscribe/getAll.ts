import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';

import type { MailPartnerClient } from '../../shared/client';
import { optionsCollection, type Operation } from '../../shared/operation';
import { listEndpoint } from './common';

const showOnlyForGetAll = { resource: ['unsubscribe'], operation: ['getAll'] };

interface ListInputs {
	/** How many addresses to output; Infinity for Return All. */
	wanted: number;
}

/**
 * The whole list, checked: `nbData` must count the entries sent. A list that says it holds more
 * than it sent could be paged in a way the pages do not document; a short list is an error, never
 * silently output.
 */
export async function readUnsubscribeList(client: MailPartnerClient, itemIndex: number): Promise<IDataObject[]> {
	const answer = await client.call(listEndpoint, {}, itemIndex);
	const entries = answer.data as IDataObject[];
	if (answer.nbData !== entries.length) {
		const message = `MailPartner’s unsubscribe list says it holds ${String(answer.nbData)} addresses but sent ${entries.length}`;
		throw new NodeApiError(client.node, { message }, {
			message,
			description: 'The list was not used. Run the node again; if this persists, contact MailPartner.',
			itemIndex,
		});
	}
	return entries;
}

export const getAll: Operation<ListInputs> = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get many unsubscribed addresses',
		description: 'Get the addresses of the unsubscribe list, one item each, with their ID and date',
	},
	fields: [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show: showOnlyForGetAll },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...showOnlyForGetAll, returnAll: [false] } },
		},
		optionsCollection(showOnlyForGetAll),
	],
	endpoint: listEndpoint,
	prepare(context, itemIndex) {
		const returnAllValue = context.getNodeParameter('returnAll', itemIndex, false) as unknown;
		// An expression may give "true"/"false" as text; `Boolean("false")` would be true.
		if (returnAllValue === true || returnAllValue === 'true') return { wanted: Infinity };
		const limit = context.getNodeParameter('limit', itemIndex, 50) as unknown;
		const wanted = typeof limit === 'number' ? limit : /^\s*\d+\s*$/.test(String(limit)) ? Number(limit) : NaN;
		if (!Number.isSafeInteger(wanted) || wanted < 1) {
			throw new NodeOperationError(context.getNode(), `Limit must be a whole number of at least 1, got ${String(limit).slice(0, 40)}`, {
				description: 'Set Limit, or turn on Return All. Nothing was sent.',
				itemIndex,
			});
		}
		return { wanted };
	},
	// The list call has no paging: Limit keeps the first addresses, in MailPartner's order.
	run: async (client, inputs, itemIndex) => (await readUnsubscribeList(client, itemIndex)).slice(0, inputs.wanted),
};
