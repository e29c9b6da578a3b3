import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { unexpectedErrorDescription } from '../../nodes/MailPartner/lib/operation';
import { HOSTILE_KEY } from '../../dev/sandbox/server';
import { everythingIn } from './leaks';

/**
 * The pieces of the hostile-conditions suite that are not cases: how a leak of the key is found
 * in any spelling, how a crash and a lost item are recognised, and hostile answer bodies.
 */

export const key: string = HOSTILE_KEY;

// ---------------------------------------------------------------------------------------------
// Leaks
// ---------------------------------------------------------------------------------------------

const fromCode = (code: number): string => (code <= 0x10ffff ? String.fromCodePoint(code) : '');

/**
 * Undoes every encoding a server, a proxy or n8n could wrap the key in, all at once and in any
 * mix: JSON `\u` escapes (either case), `\/`, numeric character references (decimal or hex, with
 * leading zeros), the named XML entities and percent-encoding (either case). Applied twice, so a
 * key encoded twice (`%252B`) is found too. Decoding more than needed can only find more.
 */
function decodeAll(text: string): string {
	let result = text;
	for (let pass = 0; pass < 2; pass++) {
		result = result
			.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
			.replace(/\\\//g, '/')
			.replace(/&#[xX]([0-9a-fA-F]{1,8});/g, (_, hex: string) => fromCode(parseInt(hex, 16)))
			.replace(/&#(\d{1,9});/g, (_, dec: string) => fromCode(Number(dec)))
			.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name] ?? '')
			.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	}
	return result;
}

/**
 * Pieces of the key that give it away: the key, the key with its `+` read as a space (a form
 * decoder), and every 12-character window of it (an excerpt that cut it in two). None of them
 * occurs in anything else the sandbox or the node produces.
 */
const telltales: string[] = (() => {
	const windows = new Set<string>([key, key.replace(/\+/g, ' ')]);
	for (let start = 0; start + 12 <= key.length; start++) windows.add(key.slice(start, start + 12));
	return [...windows];
})();

/** Where the key shows, in any spelling, in `text`; empty when it does not. */
export function keyIn(text: string | undefined): string | undefined {
	if (text === undefined || text === '') return undefined;
	for (const variant of [text, decodeAll(text)]) {
		for (const piece of telltales) {
			const at = variant.indexOf(piece);
			if (at >= 0) return variant.slice(Math.max(0, at - 40), at + piece.length + 40);
		}
	}
	return undefined;
}

/** An error's own fields and its causes', as far as any logger or reporter could reach. */
export function errorTexts(error: unknown, depth = 0): string[] {
	if (depth > 4 || typeof error !== 'object' || error === null) return [];
	const texts: string[] = [];
	for (const name of Object.getOwnPropertyNames(error)) {
		const value = (error as Record<string, unknown>)[name];
		if (typeof value === 'string') texts.push(value);
		else if (name === 'cause' || name === 'errorResponse') texts.push(...errorTexts(value, depth + 1));
	}
	return texts;
}

// ---------------------------------------------------------------------------------------------
// Crashes and lost items
// ---------------------------------------------------------------------------------------------

const n8nErrors = ['NodeApiError', 'NodeOperationError'];
/** What the node's own errors wrap: n8n's and the node's deliberate errors, never a JS one. */
const deliberate = ['OperationalError', 'NodeApiError', 'NodeOperationError'];

/**
 * Why an error the run holds is a crash: not n8n's class, or n8n's class wrapped around an
 * exception nobody meant to throw (a TypeError, a RangeError…). The engine and the node wrap any
 * exception in a NodeOperationError, so the class alone would hide those.
 */
export function crashIn(error: unknown): string | undefined {
	if (error === undefined || error === null) return undefined;
	const { name, message } = error as { name?: unknown; message?: unknown };
	if (typeof name !== 'string' || !n8nErrors.includes(name)) return `${String(name)}: ${String(message)}`;
	for (const inner of [(error as { cause?: unknown }).cause, (error as { errorResponse?: unknown }).errorResponse]) {
		// Across jest's realms `instanceof Error` fails: recognise an exception by its stack.
		if (typeof inner === 'object' && inner !== null && typeof (inner as Error).stack === 'string') {
			// n8n wraps a NodeOperationError's text in an OperationalError (its `name` says "Error").
			const innerName = String((inner as Error).constructor?.name ?? (inner as Error).name);
			if (!deliberate.includes(innerName)) return `${name} wrapping ${String((inner as Error).name)}: ${String((inner as Error).message)}`;
		}
	}
	return undefined;
}

/** An error item's fields as the user sees them (`{ error, details }`, lib/operation.ts), or undefined for any other item. */
export interface ErrorItem {
	message: string;
	description?: string;
	/** MailPartner's code, or the HTTP status when there is none: what n8n's panel calls "Error code". */
	httpCode?: string;
	code?: number;
	mayHaveHappened: boolean;
	/** The node's own wording for an error it did not expect: a crash. */
	unexpected: boolean;
}

export function errorItemOf(item: INodeExecutionData): ErrorItem | undefined {
	const { error, details } = item.json as { error?: unknown; details?: IDataObject };
	if (typeof error !== 'string' || typeof details !== 'object' || details === null) return undefined;
	const code = typeof details.code === 'number' ? details.code : undefined;
	const shown = code ?? details.httpStatus;
	const description = typeof details.description === 'string' ? details.description : undefined;
	return {
		message: error,
		description,
		httpCode: shown === undefined ? undefined : String(shown),
		code,
		mayHaveHappened: details.mayHaveHappened === true,
		unexpected: description === unexpectedErrorDescription,
	};
}

/** The input index an output item is paired with, or undefined when it has none. */
export function pairedIndex(item: INodeExecutionData): number | undefined {
	const paired = item.pairedItem;
	if (typeof paired === 'number') return paired;
	if (paired && !Array.isArray(paired) && typeof paired.item === 'number') return paired.item;
	return undefined;
}

/**
 * Items lost under Continue On Fail: an input item with no output (success or error item), an
 * output with no or a wrong pairedItem, outputs out of input order.
 */
export function lostIn(outputs: INodeExecutionData[], inputCount: number, emptyOk: boolean): string[] {
	const lost: string[] = [];
	const seen = new Set<number>();
	let last = -1;
	for (const [position, item] of outputs.entries()) {
		const index = pairedIndex(item);
		if (index === undefined || index < 0 || index >= inputCount) {
			lost.push(`output ${position} has no valid pairedItem (${JSON.stringify(item.pairedItem)})`);
			continue;
		}
		if (index < last) lost.push(`output ${position} (item ${index}) comes after item ${last}`);
		last = Math.max(last, index);
		seen.add(index);
	}
	if (!emptyOk) {
		const missing = Array.from({ length: inputCount }, (_, index) => index).filter((index) => !seen.has(index));
		if (missing.length > 0) lost.push(`input items without output: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''}`);
	}
	return lost;
}

/** Everything of a run that n8n could persist or show, as one text. */
export function runText(value: unknown): string {
	return everythingIn(value);
}

// ---------------------------------------------------------------------------------------------
// Hostile bodies
// ---------------------------------------------------------------------------------------------

/** A positional XML value: `raw` text goes in as it is (for character references), not in CDATA. */
export class Raw {
	constructor(readonly text: string) {}
}

function entry(value: unknown): string {
	if (value === null || value === undefined) return '<entry xsi:nil="true"/>';
	if (value instanceof Raw) return `<entry>${value.text}</entry>`;
	if (Array.isArray(value)) return `<entry>${value.map(entry).join('')}</entry>`;
	if (typeof value === 'object') return `<entry>${Object.values(value).map(entry).join('')}</entry>`;
	if (typeof value === 'string') return `<entry><![CDATA[${value}]]></entry>`;
	return `<entry>${String(value)}</entry>`;
}

/** MailPartner's positional XML for an answer object (see the fixtures' `toPositionalXml`). */
export function positionalXml(answer: IDataObject | Record<string, unknown>, prolog = '<?xml version="1.0" encoding="UTF-8"?>'): string {
	return `${prolog}\n<result>${Object.values(answer).map(entry).join('')}</result>`;
}

export const ok = { success: true, code: 200 };

export function meAnswer(username: unknown = 'hostile@sandbox.mailpartner.invalid'): Record<string, unknown> {
	return { ...ok, user: { username }, credits: { creditMail: 2000, currency: 'EUR', balance: '100.000' } };
}

export function row(id: number): IDataObject {
	return {
		id,
		email: `row${id}@example.com`,
		type: 'simple',
		token: `token${id}`,
		apiKey: `sub-key-${id}`,
		createdAt: '2025-01-01 00:00:00',
		credits: { balance: '1.000', currency: 'EUR' },
	};
}

export function rows(count: number, first = 1): IDataObject[] {
	return Array.from({ length: count }, (_, index) => row(first + index));
}

export function listAnswer(fields: Record<string, unknown>): Record<string, unknown> {
	return { ...ok, total: 3, nb_per_page: 20, page: 1, data: rows(3), ...fields };
}

export function statusAnswer(messageId: unknown = '1001', list: unknown = [{ email: 'd@example.com', token: 't', status: 'Delivered', cost: 1, stopMail: false, date: '1735689600' }]): Record<string, unknown> {
	return { ...ok, messageId, StatutResponseList: list };
}

export function createAnswer(email: unknown = 'new@example.com'): Record<string, unknown> {
	return { ...ok, subaccount: { email, token: 'new-token' }, sendConfirmMailTo: email, parent_email: 'hostile@sandbox.mailpartner.invalid' };
}

export function failureXmlRaw(code: number, rawMessage: string): string {
	return positionalXml({ success: false, code, message: new Raw(rawMessage) });
}

export type Parameters = INodeParameters;
