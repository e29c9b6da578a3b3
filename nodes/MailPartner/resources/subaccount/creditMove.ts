import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
	type INodeProperties,
	type INodeParameterResourceLocator,
} from 'n8n-workflow';

import { MailPartnerClient, readCredentials, type Endpoint } from '../../lib/client';
import { euroAmount } from '../../lib/inputs';
import { defaults, type Operation } from '../../lib/operation';
import { number, object, text } from '../../lib/shape';
import { listEndpoint } from './getAll';

/**
 * What Add Credit and Remove Credit share: the same body (`credit`, `tokenSubaccount`), the same
 * answer and the same codes (the remove page mirrors the add page: docs/mailpartner-api.md#credit-moves).
 * They move money, so every input is checked before anything is sent, and they are sent again
 * only after a 429 (MailPartner's refusal before doing anything), never after a lost answer.
 */

interface CreditInputs extends IDataObject {
	credit: number;
	tokenSubaccount: string;
}

/** The answer of both calls: the two balances after the move, in euros, and their currency. */
const answer = object({ credit: number, subaccountCredit: number, currency: text });

/**
 * The credit pages' own table (docs/mailpartner-api.md#credit-moves). The error-code page's generic
 * "Sous-compte" table numbers the same errors differently; the call's own page wins.
 */
function creditErrors(direction: 'add' | 'remove'): Endpoint['errors'] {
	const from = direction === 'add' ? 'your main account' : 'the subaccount';
	return {
		2: { message: 'The amount of credit is required', hint: 'Fill in Amount (€).' },
		3: { message: 'The subaccount token is required', hint: 'Choose a Subaccount, or give its token.' },
		4: {
			message: 'You are not authorised to move credit to or from this subaccount',
			hint: 'Subaccounts must be enabled by MailPartner for your account, and the subaccount must belong to it.',
		},
		5: { message: 'The amount must be greater than 0', hint: 'Set a positive amount in euros.' },
		6: {
			message: `The balance of ${from} must be greater than 0`,
			hint: direction === 'add' ? 'Top up your MailPartner balance first.' : 'The subaccount has no credit left to take back.',
		},
		7: { message: 'The subaccount does not exist', hint: 'Check the Subaccount: use the list or the token from Subaccount → Get Many.' },
		8: {
			message: `Insufficient credit on ${from}`,
			hint: direction === 'add' ? 'Lower the amount or top up your MailPartner balance.' : 'Lower the amount to at most the subaccount’s balance.',
		},
	};
}

function creditEndpoint(direction: 'add' | 'remove'): Endpoint<typeof answer> {
	return {
		method: 'POST',
		path: `/subaccount/credit/${direction}`,
		answer,
		errors: creditErrors(direction),
		// A lost answer does not mean nothing moved: a retry could move the money twice.
		spendsMoney: {
			mayHaveHappened: 'The credit may have been moved',
			howToCheck:
				'whether it was: Subaccount → Get Many shows the subaccount’s balance and Account → Get Credits the main balance',
		},
	};
}

/** The subaccount: picked from the account's list in the editor, or its token (an expression). */
const subaccountField: INodeProperties = {
	displayName: 'Subaccount',
	name: 'subaccount',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'The subaccount whose credit changes',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a subaccount…',
			typeOptions: { searchListMethod: 'searchSubaccounts', searchable: true },
		},
		{
			// The token identifies the subaccount (it is not a secret). Not named "id": n8n's editor
			// labels a mode named "id" "By ID" whatever its displayName, and the numeric ID of
			// Get Many is not what MailPartner takes here (it answers code 7). Nor "token": n8n's
			// lint takes a string parameter whose name holds "token" for a secret to mask.
			displayName: 'By Token',
			name: 'reference',
			type: 'string',
			placeholder: 'e.g. 5f2c8e1a9b',
			hint: 'The subaccount’s token, as Subaccount → Get Many or Create outputs it',
			validation: [
				{
					type: 'regex',
					properties: { regex: '^\\S+$', errorMessage: 'A token has no spaces' },
				},
			],
		},
	],
};

function creditFields(direction: 'add' | 'remove'): INodeProperties[] {
	return [
		subaccountField,
		{
			displayName: 'Amount (€)',
			name: 'credit',
			type: 'number',
			required: true,
			// No default amount: a money move must be typed on purpose. Three decimals: MailPartner
			// keeps balances to the tenth of a cent, and n8n would round what is typed to the field's
			// precision before the node sees it.
			default: null,
			typeOptions: { minValue: 0, numberPrecision: 3 },
			description:
				direction === 'add'
					? 'Euros moved from the main account’s balance to the subaccount. Must be greater than 0.'
					: 'Euros taken back from the subaccount to the main account’s balance. Must be greater than 0.',
		},
	];
}

/** The token from the locator (any mode), or from a plain string an older or AI caller passes. */
function readToken(raw: unknown): string {
	if (typeof raw === 'string' || typeof raw === 'number') return String(raw).trim();
	if (raw && typeof raw === 'object' && 'value' in raw) {
		const value = (raw as INodeParameterResourceLocator).value;
		return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	}
	return '';
}

function prepareCredit(context: IExecuteFunctions, itemIndex: number): CreditInputs {
	const invalid = (message: string, hint: string) =>
		new NodeOperationError(context.getNode(), message, {
			description: `${hint} Nothing was sent and no credit moved.`,
			itemIndex,
		});
	const tokenSubaccount = readToken(context.getNodeParameter('subaccount', itemIndex, '') as unknown);
	if (tokenSubaccount === '') throw invalid('Subaccount is required', 'Choose a subaccount from the list, or give its token.');
	if (/\s/.test(tokenSubaccount) || tokenSubaccount.length > 200) {
		throw invalid(`Subaccount token "${tokenSubaccount.slice(0, 40)}" is not a token`, 'A token is one word, as Subaccount → Get Many outputs it.');
	}
	const raw = context.getNodeParameter('credit', itemIndex, null) as unknown;
	if (raw === null || raw === undefined || raw === '') throw invalid('Amount (€) is required', 'Set the amount in euros to move.');
	const amount = euroAmount(raw);
	if (!amount.ok) {
		throw amount.reason === 'notPositive'
			? invalid(`Amount (€) must be greater than 0, got ${String(raw).slice(0, 40)}`, 'Set a positive amount in euros.')
			: invalid(
					`Amount (€) must be euros in decimal notation with at most 3 decimals (like 10 or 10.5), got "${String(raw).slice(0, 40)}"`,
					'MailPartner keeps balances to the tenth of a cent. Set a positive amount in euros.',
				);
	}
	const credit = amount.euros;
	return { credit, tokenSubaccount };
}

export function creditOperation(direction: 'add' | 'remove', option: Operation['option']): Operation<CreditInputs> {
	const endpoint = creditEndpoint(direction);
	return {
		option,
		fields: creditFields(direction),
		endpoint,
		prepare: prepareCredit,
		run: async (client, inputs, itemIndex) => {
			const answer = await client.call(endpoint, inputs, itemIndex);
			// MailPartner answers only the two balances after the move: the item also says which
			// subaccount and how many euros moved, so that it reads on its own after a loop or a merge.
			return [{ subaccount: inputs.tokenSubaccount, amount: inputs.credit, ...answer }];
		},
	};
}

/** The dropdown reads at most this many list pages per "load more" (20 subaccounts a page). */
const pagesPerSearch = 10;

/**
 * The Subaccount dropdown: the account's subaccounts, page by page (the list call has no search,
 * so a filter is applied to the pages read). Uses the same client as the node's operations.
 */
export async function searchSubaccounts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const credentials = await readCredentials(this);
	const client = new MailPartnerClient(this, credentials, {
		format: 'json',
		timeoutMs: defaults.timeoutMs,
		requestsPerMinute: defaults.requestsPerMinute,
	});
	const wanted = (filter ?? '').trim().toLowerCase();
	const results: INodeListSearchItems[] = [];
	let page = Math.max(1, Number.parseInt(paginationToken ?? '1', 10) || 1);
	for (let read = 0; read < pagesPerSearch; read++, page++) {
		const answer = await client.call(listEndpoint, { page }, 0);
		const data = answer.data;
		for (const subaccount of data) {
			const email = String(subaccount.email ?? '');
			const token = String(subaccount.token ?? '');
			if (wanted && !email.toLowerCase().includes(wanted) && !token.toLowerCase().includes(wanted)) continue;
			results.push({ name: `${email} (${String(subaccount.type ?? '')}, ${token})`, value: token });
		}
		const total = Number(answer.total);
		const perPage = Number(answer.nb_per_page) || 20;
		if (data.length === 0 || page * perPage >= total) return { results };
		// Without a filter one page fills the dropdown; with one, keep reading until some match.
		if (!wanted || results.length >= perPage) return { results, paginationToken: String(page + 1) };
	}
	return { results, paginationToken: String(page) };
}
