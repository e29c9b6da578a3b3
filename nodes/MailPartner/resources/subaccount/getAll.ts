import type { IDataObject } from 'n8n-workflow';

import type { Endpoint, MailPartnerClient } from '../../lib/client';
import { readWanted, returnAllFields, type Wanted } from '../../lib/limit';
import type { Operation } from '../../lib/operation';
import { readPages } from '../../lib/pages';
import { arrayOf, number, object, text } from '../../lib/shape';

/** `GET /subaccount/list`: one page of subaccounts (20 a page), with the total across pages. */
export const listEndpoint = {
	method: 'GET',
	path: '/subaccount/list',
	answer: object({
		total: number,
		nb_per_page: number,
		page: number,
		data: arrayOf(
			object({
				id: number,
				email: text,
				type: text,
				token: text,
				apiKey: text,
				createdAt: text,
				// Euros, written as a string by MailPartner ("0.800"): output as a number, as on Get Credits.
				credits: object({ balance: number, currency: text }),
			}),
		),
	}),
	errors: {},
	spendsMoney: false,
} satisfies Endpoint;

export const listPageShape = listEndpoint.answer;

/** The subaccounts, through the shared page loop (lib/pages.ts), each without its own API key unless asked for. */
async function run(client: MailPartnerClient, inputs: Wanted, itemIndex: number, { includeApiKeys }: GetAllExecution): Promise<IDataObject[]> {
	const subaccounts = await readPages(
		client,
		{
			read: async (page) => {
				const { total, nb_per_page: perPage, page: answered, data: entries } = await client.call(listEndpoint, { page }, itemIndex);
				return { total, perPage, page: answered, entries };
			},
			plural: 'subaccounts',
			name: 'subaccount list',
			maxEntries: 100_000,
		},
		inputs.wanted,
		itemIndex,
	);
	return includeApiKeys ? subaccounts : subaccounts.map(withoutApiKey);
}

function withoutApiKey(subaccount: IDataObject): IDataObject {
	const copy = { ...subaccount };
	delete copy.apiKey;
	return copy;
}

/** Read once per execution: whether each subaccount's own API key goes into the output. */
interface GetAllExecution {
	includeApiKeys: boolean;
}

export const getAll: Operation<Wanted, GetAllExecution> = {
	option: {
		name: 'Get Many',
		value: 'getAll',
		action: 'Get many subaccounts',
		description: 'Get the subaccounts of the main account, one item each',
	},
	fields: [
		...returnAllFields,
		{
			displayName: 'Include API Keys',
			name: 'includeApiKeys',
			type: 'boolean',
			default: false,
			description:
				'Whether to output each subaccount’s own API key. Off by default: a key gives full access to its subaccount, and the output may reach an AI agent’s model, a log or another service.',
		},
		{
			displayName:
				'Each subaccount’s API key will be in the output: keep this node’s output away from AI agents, logs and third-party services',
			name: 'apiKeysNotice',
			type: 'notice',
			default: '',
			displayOptions: { show: { includeApiKeys: [true] } },
		},
	],
	endpoint: listEndpoint,
	start: (context) => ({ includeApiKeys: context.getNodeParameter('includeApiKeys', 0, false) === true }),
	prepare: readWanted,
	run,
};
