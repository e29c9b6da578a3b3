import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { MailPartnerClient } from './client';
import { mapInOrder } from './inOrder';

/** One page of a numbered list, as MailPartner answers it (a missing value is null). */
interface Page<Entry> {
	total: number | null;
	perPage: number | null;
	page: number | null;
	entries: Entry[];
}

/** A list MailPartner serves in numbered pages, and how messages name it. */
interface PagedList<Entry> {
	/** Reads page `page` (from 1). */
	read(page: number): Promise<Page<Entry>>;
	/** "subaccounts", for messages. */
	plural: string;
	/** "subaccount list", for messages. */
	name: string;
	/** Return All reads at most this many entries: a larger total is taken for a broken answer. */
	maxEntries: number;
}

/** Pages after the first are independent reads; a few at once, never an unbounded burst. */
const pagesInFlight = 4;
const maxPerPage = 1_000;

/**
 * The first `wanted` entries of a list (Infinity for all of them), in the API's order. Page 1 tells
 * the total; the pages still needed are then read a few at once. Every page is checked: a page
 * that holds fewer or more entries than its place in the list says is an error, never a silently
 * short list, and so is a list whose total changes while it is read.
 */
export async function readPages<Entry>(client: MailPartnerClient, list: PagedList<Entry>, wanted: number, itemIndex: number): Promise<Entry[]> {
	const broken = (message: string, description = 'MailPartner’s answer was not used. Run the node again; if this persists, contact MailPartner.') =>
		new NodeApiError(client.node, { message }, { message, description, itemIndex });

	const readPage = async (page: number) => {
		const { total, perPage, page: answered, entries } = await list.read(page);
		if (total === null || !Number.isSafeInteger(total) || total < 0) {
			throw broken(`MailPartner’s page ${page} of ${list.plural} has no valid total (${String(total)})`);
		}
		if (perPage === null || !Number.isInteger(perPage) || perPage < 1 || perPage > maxPerPage) {
			throw broken(`MailPartner’s page ${page} of ${list.plural} has no valid page size (${String(perPage)})`);
		}
		if (answered !== page) {
			throw broken(`MailPartner answered page ${String(answered)} when page ${page} was asked for`);
		}
		const expected = Math.max(0, Math.min(perPage, total - (page - 1) * perPage));
		if (entries.length !== expected) {
			throw broken(
				`MailPartner’s page ${page} of ${list.plural} holds ${entries.length} ${list.plural} where ${expected} were expected (${total} in all, ${perPage} a page)`,
			);
		}
		return { total, perPage, entries };
	};

	const firstPage = await readPage(1);
	if (wanted === Infinity && firstPage.total > list.maxEntries) {
		throw broken(
			`MailPartner reports ${firstPage.total} ${list.plural}, more than Return All reads (${list.maxEntries})`,
			'Turn Return All off and set a Limit, or check the Base URL of the credential.',
		);
	}
	const count = Math.min(firstPage.total, wanted);
	const lastPage = Math.ceil(count / firstPage.perPage);
	const otherPages = Array.from({ length: Math.max(lastPage - 1, 0) }, (_, index) => index + 2);
	const pages = [firstPage, ...(await mapInOrder(otherPages, pagesInFlight, readPage))];

	// Pages are read by number: an entry created or deleted meanwhile shifts them, and the list
	// would silently repeat or skip one. Say so rather than output a wrong list.
	const changed = pages.find((page) => page.total !== firstPage.total || page.perPage !== firstPage.perPage);
	if (changed) {
		throw new NodeOperationError(
			client.node,
			`The ${list.name} changed while it was read (${firstPage.total} ${list.plural}, then ${changed.total})`,
			{ description: 'Run the node again.', itemIndex },
		);
	}
	return pages.flatMap((page) => page.entries).slice(0, count);
}
