import {
	NodeApiError,
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
	perPage: number;
	subaccounts: IDataObject[];
}

/** Reads the paging fields leniently: a numeric string counts, and no `data` means no subaccounts. */
function toListPage(json: IDataObject): ListPage | undefined {
	const total = Number(json.total);
	if (json.total === undefined || json.total === null || !Number.isFinite(total)) return undefined;
	const subaccounts = Array.isArray(json.data) ? (json.data as IDataObject[]) : [];
	const perPage = Number(json.nb_per_page) > 0 ? Number(json.nb_per_page) : subaccounts.length;
	return { total, perPage, subaccounts };
}

/**
 * Runs `task` over `inputs` with at most `concurrency` at once; results keep the input order.
 * After a failure no further task starts: the pages left would be thrown away anyway.
 */
async function mapInOrder<T, R>(
	inputs: T[],
	concurrency: number,
	task: (input: T) => Promise<R>,
): Promise<R[]> {
	const results: R[] = new Array<R>(inputs.length);
	let next = 0;
	let failed = false;
	const worker = async () => {
		while (next < inputs.length && !failed) {
			const index = next++;
			const result = task(inputs[index]);
			result.catch(() => {
				failed = true;
			});
			results[index] = await result;
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
	const pairedItem = { item: this.getItemIndex() };
	try {
		const subaccounts = await listSubaccounts.call(this, requestData);
		return subaccounts.map((json) => ({ json, pairedItem }));
	} catch (error) {
		const nodeError =
			error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(this.getNode(), error as Error, { itemIndex: pairedItem.item });
		if (!this.continueOnFail()) throw nodeError;
		// n8n's own error item for a declarative node carries no pairedItem, and a list has
		// more outputs than inputs, so n8n cannot infer it: say which input failed.
		return [{ json: {}, error: nodeError, pairedItem }];
	}
}

async function listSubaccounts(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<IDataObject[]> {
	const returnAllValue = this.getNodeParameter('returnAll', false);
	// An expression may give "true"/"false" as text; `Boolean("false")` would be true.
	const returnAll = returnAllValue === true || returnAllValue === 'true';
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
		const listPage = item ? toListPage(item.json) : undefined;
		if (!listPage) {
			throw new NodeOperationError(
				this.getNode(),
				`MailPartner's page ${page} of subaccounts has no total`,
				{ itemIndex: this.getItemIndex() },
			);
		}
		return listPage;
	};

	const firstPage = await fetchPage(1);
	const wanted = Math.min(firstPage.total, limit);
	const lastPage = firstPage.perPage > 0 ? Math.ceil(wanted / firstPage.perPage) : 1;
	const otherPages = Array.from({ length: Math.max(lastPage - 1, 0) }, (_, index) => index + 2);
	const pages = [firstPage, ...(await mapInOrder(otherPages, pagesInFlight, fetchPage))];

	// Pages are read by number: a subaccount created or deleted meanwhile shifts them, and the
	// list would silently repeat or skip one. Say so rather than output a wrong list.
	const changed = pages.find((page) => page.total !== firstPage.total);
	if (changed) {
		throw new NodeOperationError(
			this.getNode(),
			`The subaccount list changed while it was read (${firstPage.total} subaccounts, then ${changed.total})`,
			{ description: 'Run the node again.', itemIndex: this.getItemIndex() },
		);
	}
	const subaccounts = pages.flatMap((page) => page.subaccounts);
	return returnAll ? subaccounts : subaccounts.slice(0, limit);
}
