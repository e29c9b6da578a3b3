import {
	NodeOperationError,
	type DeclarativeRestApiSettings,
	type IDataObject,
	type IExecutePaginationFunctions,
	type INodeExecutionData,
	type INodeProperties,
} from 'n8n-workflow';

import { arrayOf, number, object, text } from '../../shared/shape';
import { optionsCollection } from '../../shared/transport';

const showOnlyForList = { resource: ['subaccount'], operation: ['list'] };

/** `GET /subaccount/list`: one page of 20 subaccounts, with the total across pages. */
export const listPageShape = object({
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
			credits: object({ balance: text, currency: text }),
		}),
	),
});

export const listFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show: showOnlyForList },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...showOnlyForList, returnAll: [false] } },
	},
	optionsCollection(showOnlyForList, 'query'),
];

/** Pages after the first are independent reads; a few at once, never an unbounded burst. */
const pagesInFlight = 4;

interface ListPage {
	total: number;
	nb_per_page: number;
	data: IDataObject[];
}

function isListPage(value: IDataObject): value is IDataObject & ListPage {
	return (
		typeof value.total === 'number' &&
		typeof value.nb_per_page === 'number' &&
		Array.isArray(value.data)
	);
}

/** Runs `task` over `inputs` with at most `concurrency` at once; results keep the input order. */
async function mapInOrder<T, R>(
	inputs: T[],
	concurrency: number,
	task: (input: T) => Promise<R>,
): Promise<R[]> {
	const results: R[] = new Array<R>(inputs.length);
	let next = 0;
	const worker = async () => {
		while (next < inputs.length) {
			const index = next++;
			results[index] = await task(inputs[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, worker));
	return results;
}

/**
 * Page 1 tells the total; the pages still needed (all of them, or enough for Limit) are then
 * fetched a few at once, and their subaccounts are output in the API's order.
 */
export async function paginateSubaccounts(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('returnAll', false) as boolean;
	const limit = returnAll ? Infinity : Number(this.getNodeParameter('limit', 50));
	if (!returnAll && !(limit >= 1)) {
		throw new NodeOperationError(this.getNode(), `Limit must be at least 1, got ${limit}`, {
			itemIndex: this.getItemIndex(),
		});
	}

	const fetchPage = async (page: number): Promise<ListPage> => {
		const [item] = await this.makeRoutingRequest({
			...requestData,
			options: { ...requestData.options, qs: { ...requestData.options.qs, page } },
		});
		if (!item || !isListPage(item.json)) {
			throw new NodeOperationError(this.getNode(), `MailPartner's page ${page} of subaccounts has no total or data`, {
				itemIndex: this.getItemIndex(),
			});
		}
		return item.json;
	};

	const firstPage = await fetchPage(1);
	const perPage = firstPage.nb_per_page > 0 ? firstPage.nb_per_page : firstPage.data.length;
	const wanted = Math.min(firstPage.total, limit);
	const lastPage = perPage > 0 ? Math.ceil(wanted / perPage) : 1;
	const otherPages = Array.from({ length: Math.max(lastPage - 1, 0) }, (_, index) => index + 2);
	const pages = [firstPage, ...(await mapInOrder(otherPages, pagesInFlight, fetchPage))];

	const subaccounts = pages.flatMap((page) => page.data);
	return subaccounts
		.slice(0, returnAll ? undefined : limit)
		.map((json) => ({ json, pairedItem: { item: this.getItemIndex() } }));
}
