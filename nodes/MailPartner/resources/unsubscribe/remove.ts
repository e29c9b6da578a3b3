import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import type { Endpoint, MailPartnerClient } from '../../lib/client';
import type { Operation } from '../../lib/operation';
import { object } from '../../lib/shape';
import { emailField, readEmail } from './common';
import { readUnsubscribeList } from './getAll';

/**
 * `/unsubscribe/delete`: the pages' header says POST, but every code sample on both pages sends a
 * GET with `id` in the query string (docs/mailpartner-api.md#unsubscribe-list-open-points): the node follows the samples. The
 * answer holds nothing beyond success and code.
 */
const endpoint = {
	method: 'GET',
	path: '/unsubscribe/delete',
	answer: object({}),
	// The two pages' tables disagree (FR: a copy of Add's; EN: 3 = ID required, 4 = ID not found).
	// The node sends an ID, so the English meanings are the ones it can meet; both are named.
	errors: {
		2: { message: 'The e-mail address is required', hint: 'Remove by ID, or check the Email field.' },
		3: {
			message: 'The ID of the address is required',
			hint: 'Give the ID from Unsubscribe → Get Many. (MailPartner’s French page gives this code as “already in the list”.)',
		},
		4: { message: 'No address with this ID on the unsubscribe list', hint: 'Check the ID: it comes from Unsubscribe → Get Many.' },
		9: { message: 'The e-mail address is invalid', hint: 'Check the Email field.' },
	},
	spendsMoney: false,
	changesState: true,
} satisfies Endpoint;

type RemoveInputs = { by: 'id'; id: number } | { by: 'email'; email: string };

/** Per execution, for removals by e-mail: the list, read at most once (n items do not read it n times). */
interface RemoveExecution {
	list?: Promise<IDataObject[]>;
}

async function idOf(client: MailPartnerClient, email: string, itemIndex: number, execution: RemoveExecution): Promise<IDataObject> {
	if (!execution.list) {
		const list = readUnsubscribeList(client, itemIndex);
		execution.list = list;
		// A failed read is not kept: the next item tries again (and reports its own error).
		list.catch(() => {
			if (execution.list === list) execution.list = undefined;
		});
	}
	const wanted = email.toLowerCase();
	const entry = (await execution.list).find((candidate) => String(candidate.email).toLowerCase() === wanted);
	if (!entry) {
		throw new NodeOperationError(client.node, `"${email.slice(0, 80)}" is not on the unsubscribe list`, {
			description: 'Nothing was removed. Unsubscribe → Get Many shows the addresses on the list.',
			itemIndex,
		});
	}
	return entry;
}

export const remove: Operation<RemoveInputs, RemoveExecution> = {
	option: {
		name: 'Remove',
		value: 'remove',
		action: 'Remove an address from the unsubscribe list',
		description: 'Remove an address from the unsubscribe list, by its ID or by its e-mail',
	},
	fields: [
		{
			displayName: 'Remove By',
			name: 'removeBy',
			type: 'options',
			options: [
				{ name: 'Email', value: 'email', description: 'The node finds the address’s ID in the list' },
				{ name: 'ID', value: 'id', description: 'The ID shown by Unsubscribe → Get Many' },
			],
			default: 'email',
		},
		{ ...emailField('The address to remove from the unsubscribe list'), displayOptions: { show: { removeBy: ['email'] } } },
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			required: true,
			placeholder: '300',
			default: '',
			description: 'The ID of the entry, from Unsubscribe → Get Many (or the stopId of Unsubscribe → Add)',
			displayOptions: { show: { removeBy: ['id'] } },
		},
	],
	endpoint,
	start: () => ({}),
	prepare(context, itemIndex) {
		const by = context.getNodeParameter('removeBy', itemIndex, 'email') as unknown;
		if (by === 'email') return { by, email: readEmail(context, itemIndex) };
		if (by !== 'id') {
			throw new NodeOperationError(context.getNode(), `Remove By must be "email" or "id", got "${String(by).slice(0, 40)}"`, {
				description: 'Choose Email or ID. Nothing was sent.',
				itemIndex,
			});
		}
		const raw = context.getNodeParameter('id', itemIndex, '') as unknown;
		const text = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
		// Digits only: anything else would go into the query string as it is.
		if (!/^\d{1,15}$/.test(text) || Number(text) < 1) {
			throw new NodeOperationError(context.getNode(), `ID must be a whole number, got "${text.slice(0, 40)}"`, {
				description: 'Give the ID from Unsubscribe → Get Many. Nothing was sent.',
				itemIndex,
			});
		}
		return { by, id: Number(text) };
	},
	async run(client, inputs, itemIndex, execution) {
		const entry: IDataObject = inputs.by === 'id' ? { id: inputs.id } : await idOf(client, inputs.email, itemIndex, execution);
		await client.call(endpoint, { id: entry.id }, itemIndex);
		return [{ deleted: true, ...entry }];
	},
};
