import { NodeApiError, type IDataObject } from 'n8n-workflow';

import type { MailPartnerClient } from '../../lib/client';
import { readWanted, returnAllFields, type Wanted } from '../../lib/limit';
import type { Operation } from '../../lib/operation';
import { listEndpoint } from './common';

/**
 * The whole list, checked: `nbData` must count the entries sent. A list that says it holds more
 * than it sent could be paged in a way the pages do not document; a short list is an error, never
 * silently output.
 */
export async function readUnsubscribeList(client: MailPartnerClient, itemIndex: number): Promise<IDataObject[]> {
	const answer = await client.call(listEndpoint, {}, itemIndex);
	const entries = answer.data;
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

export const getAll: Operation<Wanted> = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get many unsubscribed addresses',
		description: 'Get the addresses of the unsubscribe list, one item each, with their ID and date',
	},
	fields: returnAllFields,
	endpoint: listEndpoint,
	prepare: readWanted,
	// The list call has no paging: Limit keeps the first addresses, in MailPartner's order.
	run: async (client, inputs, itemIndex) => (await readUnsubscribeList(client, itemIndex)).slice(0, inputs.wanted),
};
