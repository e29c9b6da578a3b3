'use strict';

/** What makes a run wrong, the only reasons the bench exits non-zero. Each check returns a problem string or null. */

const { isDeepStrictEqual } = require('node:util');

const { messageIdAt, recipientCount } = require('./sandbox');

/** The input index an output item is paired with (n8n writes a number, `{item}` or a list of one). */
const pairedIndex = (p) => (Array.isArray(p) ? (p.length === 1 ? pairedIndex(p[0]) : null) : typeof p === 'number' ? p : (p?.item ?? null));

/** An error item's text: `{error: "message"}` from n8n's nodes, a serialised AxiosError (no `message`) from HTTP Request. */
const errorText = (error) => (typeof error === 'string' ? error : typeof error?.message === 'string' ? error.message : error?.status ? `HTTP ${error.status}` : JSON.stringify(error));

/**
 * Output items of a Get Status run: `n` of them, item `i` paired with input `i` and answering for
 * messageId `i`. `kind`: 'decoded' (this node's or HTTP Request's JSON: `{messageId, StatutResponseList}`),
 * 'xml' (the XML node's output, or the raw loop's text: the id somewhere in it), `allowErrors` (Continue On Fail runs).
 * @returns {{problem: string|null, errors: Array<{index: number, message: string, is429: boolean}>}}
 */
function checkStatusItems(label, items, n, { kind = 'decoded', allowErrors = false } = {}) {
	const errors = [];
	const fail = (text) => ({ problem: `${label}: ${text}`, errors });
	if (items.length !== n) return fail(`${items.length} items, expected ${n}`);
	for (let i = 0; i < n; i++) {
		const { json = {}, pairedItem } = items[i];
		const id = messageIdAt(i);
		if (pairedIndex(pairedItem) !== i) return fail(`item ${i} is paired with input ${JSON.stringify(pairedItem)}, expected ${i}`);
		if (json.error !== undefined) {
			const message = errorText(json.error);
			errors.push({ index: i, message, is429: /\b429\b|too many requests|trop de requ/i.test(`${message} ${JSON.stringify(json.error)}`) });
			if (!allowErrors) return fail(`item ${i} is an error: ${message.slice(0, 200)}`);
		} else if (kind === 'xml') {
			if (!new RegExp(`\\b${id}\\b`).test(JSON.stringify(json))) return fail(`item ${i} does not answer for messageId ${id}`);
		} else if (String(json.messageId) !== id) {
			return fail(`item ${i} has messageId ${JSON.stringify(json.messageId)}, expected ${id} (order)`);
		} else if (json.StatutResponseList?.length !== recipientCount(id)) {
			return fail(`item ${i} has ${json.StatutResponseList?.length ?? 'no'} recipients, expected ${recipientCount(id)}`);
		}
	}
	return { problem: null, errors };
}

/** Return All: `total` subaccounts with ids 1…total in order. */
function checkSubaccounts(label, rows, total) {
	if (rows.length !== total) return `${label}: ${rows.length} subaccounts, expected ${total}`;
	const wrong = rows.findIndex((row, i) => Number(row.id) !== i + 1);
	return wrong < 0 ? null : `${label}: subaccount ${wrong} has id ${rows[wrong].id}, expected ${wrong + 1} (order)`;
}

/** The first-run chain must have ended before the measured chain started (n8n's v1 branch order); both as `measure()` gives them. */
function checkRunsInOrder(label, first, measured) {
	if (first.endTime <= measured.startTime) return null;
	return `${label}: the measured run started before the first run ended (${measured.startTime} < ${first.endTime}): n8n did not run the branches one after the other`;
}

const checkCount = (label, what, got, expected) => (got === expected ? null : `${label}: ${got} ${what}, expected ${expected}`);

/** This node's XML items must equal its JSON items (it reads the XML by the JSON layout). */
function checkXmlEqualsJson(label, jsonItems, xmlItems) {
	if (jsonItems.length !== xmlItems.length) return `${label}: ${xmlItems.length} XML items against ${jsonItems.length} JSON items`;
	const i = jsonItems.findIndex((item, k) => !isDeepStrictEqual(item.json, xmlItems[k].json));
	return i < 0 ? null : `${label}: item ${i} differs between XML and JSON: ${JSON.stringify(xmlItems[i].json).slice(0, 200)} vs ${JSON.stringify(jsonItems[i].json).slice(0, 200)}`;
}

module.exports = { checkStatusItems, checkSubaccounts, checkRunsInOrder, checkCount, checkXmlEqualsJson };
