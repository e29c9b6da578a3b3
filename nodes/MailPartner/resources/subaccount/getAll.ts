import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';

import type { Endpoint, MailPartnerClient } from '../../shared/client';
import { readWanted, returnAllFields, type Wanted } from '../../shared/limit';
import type { Operation } from '../../shared/operation';
import { arrayOf, number, object, text } from '../../shared/shape';

/** `GET /subaccount/list`: one page of subaccounts (20 a page), with the total across pages. */
const endpoint: Endpoint = {
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
};

export const listPageShape = endpoint.answer;

/** Pages after the first are independent reads; a few at once, never an unbounded burst. */
const pagesInFlight = 4;
/** Return All reads at most this many subaccounts: a larger total is taken for a broken answer. */
export const maxSubaccounts = 100_000;
const maxPerPage = 1_000;

interface ListPage {
	total: number;
	perPage: number;
	subaccounts: IDataObject[];
}

/**
 * Page 1 tells the total; the pages still needed (all of them, or enough for Limit) are then
 * fetched a few at once, and their subaccounts are output in the API's order. Every page is
 * checked: a page that holds fewer or more subaccounts than its place in the list says is an
 * error, never a silently short list.
 */
async function run(client: MailPartnerClient, inputs: Wanted, itemIndex: number, { includeApiKeys }: GetAllExecution): Promise<IDataObject[]> {
	const broken = (message: string, description = 'MailPartner’s answer was not used. Run the node again; if this persists, contact MailPartner.') =>
		new NodeApiError(client.node, { message }, { message, description, itemIndex });

	const fetchPage = async (page: number): Promise<ListPage> => {
		const answer = await client.call(endpoint, { page }, itemIndex);
		const total = answer.total as number | null;
		const perPage = answer.nb_per_page as number | null;
		const subaccounts = answer.data as IDataObject[];
		if (total === null || !Number.isSafeInteger(total) || total < 0) {
			throw broken(`MailPartner’s page ${page} of subaccounts has no valid total (${String(total)})`);
		}
		if (perPage === null || !Number.isInteger(perPage) || perPage < 1 || perPage > maxPerPage) {
			throw broken(`MailPartner’s page ${page} of subaccounts has no valid page size (${String(perPage)})`);
		}
		if (answer.page !== page) {
			throw broken(`MailPartner answered page ${String(answer.page)} when page ${page} was asked for`);
		}
		const expected = Math.max(0, Math.min(perPage, total - (page - 1) * perPage));
		if (subaccounts.length !== expected) {
			throw broken(
				`MailPartner’s page ${page} of subaccounts holds ${subaccounts.length} subaccounts where ${expected} were expected (${total} in all, ${perPage} a page)`,
			);
		}
		return { total, perPage, subaccounts };
	};

	const firstPage = await fetchPage(1);
	if (inputs.wanted === Infinity && firstPage.total > maxSubaccounts) {
		throw broken(
			`MailPartner reports ${firstPage.total} subaccounts, more than Return All reads (${maxSubaccounts})`,
			'Turn Return All off and set a Limit, or check the Base URL of the credential.',
		);
	}
	const wanted = Math.min(firstPage.total, inputs.wanted);
	const lastPage = Math.ceil(wanted / firstPage.perPage);
	const otherPages = Array.from({ length: Math.max(lastPage - 1, 0) }, (_, index) => index + 2);
	const pages = [firstPage, ...(await mapInOrder(otherPages, pagesInFlight, fetchPage))];

	// Pages are read by number: a subaccount created or deleted meanwhile shifts them, and the
	// list would silently repeat or skip one. Say so rather than output a wrong list.
	const changed = pages.find((page) => page.total !== firstPage.total || page.perPage !== firstPage.perPage);
	if (changed) {
		throw new NodeOperationError(
			client.node,
			`The subaccount list changed while it was read (${firstPage.total} subaccounts, then ${changed.total})`,
			{ description: 'Run the node again.', itemIndex },
		);
	}
	const subaccounts = pages.flatMap((page) => page.subaccounts).slice(0, wanted);
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

/**
 * Runs `task` over `inputs` with at most `concurrency` at once; results keep the input order.
 * After a failure no further task starts: the pages left would be thrown away anyway.
 */
async function mapInOrder<T, R>(inputs: T[], concurrency: number, task: (input: T) => Promise<R>): Promise<R[]> {
	const results: R[] = new Array<R>(inputs.length);
	let next = 0;
	let failed = false;
	const worker = async () => {
		while (next < inputs.length && !failed) {
			const index = next++;
			const result = task(inputs[index]);
			// The first failure rejects Promise.all below; this only stops further starts.
			result.catch(() => (failed = true));
			results[index] = await result;
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
	return results;
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
	endpoint,
	start: (context) => ({ includeApiKeys: context.getNodeParameter('includeApiKeys', 0, false) === true }),
	prepare: readWanted,
	run,
};
