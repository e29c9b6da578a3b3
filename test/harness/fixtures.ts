import type { IDataObject } from 'n8n-workflow';

import { documentedErrors, pageJson, pageSample, testKey } from './pages';

/**
 * MailPartner answers for the tests. The page samples are verbatim copies of the published API
 * pages; everything else is derived from them by the rules docs/mailpartner-api.md states
 * (the failure envelope, the positional XML layout) — never invented shapes.
 */

export { documentedErrors, pageJson, pageSample };

export const apiKey = testKey;
export const baseUrl = 'https://api.mailpartner.test/v1';
export const origin = 'https://api.mailpartner.test';
export const credentials = { apiKey, baseUrl };

/** A failure answer in JSON, as the pages' error samples show it. */
export function failureJson(code: number, message: string): string {
	return JSON.stringify({ success: false, code, message });
}

/** The same failure in positional XML, as the pages' XML error samples show it. */
export function failureXml(code: number, message: string): string {
	return toPositionalXml({ success: false, code, message });
}

function entry(value: unknown): string {
	if (value === null || value === undefined) return '<entry xsi:nil="true"/>';
	if (Array.isArray(value)) return `<entry>${value.map(entry).join('')}</entry>`;
	if (typeof value === 'object') return `<entry>${Object.values(value).map(entry).join('')}</entry>`;
	if (typeof value === 'string') return `<entry><![CDATA[${value}]]></entry>`;
	return `<entry>${String(value)}</entry>`;
}

/**
 * Writes a JSON answer in MailPartner's positional XML: one `<entry>` per value in the JSON's
 * order, nested for objects and arrays, strings in CDATA, null as `xsi:nil`.
 */
export function toPositionalXml(answer: IDataObject): string {
	const entries = Object.values(answer).map(entry).join('\n');
	return `<?xml version="1.0" encoding="UTF-8"?>\n<result>\n${entries}\n</result>`;
}

/** `n` subaccounts shaped like the list page's sample objects. */
export function subaccounts(n: number, firstId = 1): IDataObject[] {
	return Array.from({ length: n }, (_, index) => {
		const id = firstId + index;
		return {
			id,
			email: `email${id}`,
			type: index % 3 === 0 ? 'advanced' : 'simple',
			token: `token${id}`,
			apiKey: `ApiKey${id} du sous compte`,
			createdAt: '2016-03-04 11:23:14',
			credits: { balance: (id / 8).toFixed(3), currency: 'EUR' },
		};
	});
}

/** One page of the list answer, shaped like the list page's JSON sample. */
export function listPage(all: IDataObject[], page: number, perPage = 20): IDataObject {
	return {
		success: true,
		code: 200,
		total: all.length,
		nb_per_page: perPage,
		page,
		data: all.slice((page - 1) * perPage, page * perPage),
	};
}
