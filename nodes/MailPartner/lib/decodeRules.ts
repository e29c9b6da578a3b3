import type { IDataObject } from 'n8n-workflow';

import type { Shape } from './shape';

/**
 * What the JSON and the XML readers share: how a value is read as a code or shown in a message,
 * and how a mismatch with the shape is named. Pure functions.
 */

/** A value read against its shape, or where and how it does not fit. */
export type Mapped = { ok: true; value: unknown } | { ok: false; reason: string };

export function excerptOf(body: string): string {
	// Only the start is ever shown: never run the whole of a huge body through the regex.
	return cut(body.slice(0, 400).replace(/\s+/g, ' ').trim(), 160);
}

export function isDataObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as one line of text, cut to a readable length (a failure's message may be megabytes). */
export function stringOf(value: unknown): string {
	let textValue: string;
	if (typeof value === 'string') textValue = value;
	else if (value === undefined || value === null) textValue = '';
	else if (typeof value === 'object') textValue = excerptOf(JSON.stringify(value) ?? '');
	else textValue = String(value);
	return cut(textValue.trim(), maxMessageLength);
}

const maxMessageLength = 300;

function cut(value: string, length: number): string {
	return value.length > length ? `${value.slice(0, length)}…` : value;
}

/** MailPartner's codes are whole decimal numbers; anything else ("0x10", "1e3") is no code. */
export function codeOf(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
	const code = stringOf(value);
	return /^\d{1,6}$/.test(code) ? Number(code) : undefined;
}

/** `error: [{elementId, message}]` as "elementId: message" lines; anything else as its text. */
export function detailsOf(value: unknown): string[] {
	if (!Array.isArray(value)) return [];
	// A hostile or broken answer may list thousands: the first few say enough.
	return value.slice(0, maxDetails).map((detail) =>
		isDataObject(detail) && 'message' in detail
			? [stringOf(detail.elementId), stringOf(detail.message)].filter(Boolean).join(': ')
			: stringOf(detail),
	);
}

const maxDetails = 10;

export function withoutEnvelope(answer: IDataObject): IDataObject {
	const payload = { ...answer };
	delete payload.success;
	delete payload.code;
	return payload;
}

export const kindName: Record<Shape['kind'], string> = {
	string: 'a text',
	number: 'a number',
	boolean: 'true or false',
	object: 'an object',
	array: 'a list',
};

export const decimal = /^-?\d+(\.\d+)?$/;
