'use strict';

/**
 * What makes a run wrong (the only reasons the bench exits non-zero): the wrong item count, items
 * out of order, a request count that is not what the run should have sent, XML items that differ
 * from JSON ones. Each check returns a problem string or null.
 */

const { isDeepStrictEqual } = require('node:util');

const { messageIdAt, recipientCount } = require('./seed');
const { nodeRun } = require('./execute');

function pairedIndex(item) {
	const p = item && item.pairedItem;
	if (typeof p === 'number') return p;
	if (Array.isArray(p)) return p.length === 1 ? pairedIndex({ pairedItem: p[0] }) : null;
	return p && typeof p.item === 'number' ? p.item : null;
}

/**
 * An error item's text. Continue On Fail gives `{error: "message"}` (n8n's nodes) or, for the HTTP
 * Request node, the serialised AxiosError, whose `message` does not survive serialisation.
 */
function errorText(error) {
	if (typeof error === 'string') return error;
	if (error && typeof error.message === 'string') return error.message;
	if (error && error.status) return `HTTP ${error.status}`;
	return JSON.stringify(error);
}

/**
 * Output items of a Get Status run: `n` of them, item `i` paired with input `i` and answering for
 * messageId `i`. `kind`: 'decoded' (this node's or HTTP Request's JSON: `{messageId, StatutResponseList}`),
 * 'xml' (the XML node's output: the id somewhere in its values), `allowErrors` (Continue On Fail runs).
 * @returns {{problem: string|null, errors: Array<{index: number, message: string}>}}
 */
function checkStatusItems(label, items, n, { kind = 'decoded', allowErrors = false } = {}) {
	const errors = [];
	if (items.length !== n) return { problem: `${label}: ${items.length} items, expected ${n}`, errors };
	for (let i = 0; i < n; i++) {
		const item = items[i];
		const id = messageIdAt(i);
		if (pairedIndex(item) !== i) return { problem: `${label}: item ${i} is paired with input ${JSON.stringify(item.pairedItem)}, expected ${i}`, errors };
		const json = item.json || {};
		if (json.error !== undefined) {
			const message = errorText(json.error);
			errors.push({ index: i, message, is429: /\b429\b|too many requests|trop de requ/i.test(`${message} ${JSON.stringify(json.error)}`) });
			if (!allowErrors) return { problem: `${label}: item ${i} is an error: ${message.slice(0, 200)}`, errors };
			continue;
		}
		if (kind === 'xml') {
			if (!JSON.stringify(json).includes(`"${id}"`)) return { problem: `${label}: item ${i} does not answer for messageId ${id}`, errors };
			continue;
		}
		if (String(json.messageId) !== id) return { problem: `${label}: item ${i} has messageId ${JSON.stringify(json.messageId)}, expected ${id} (order)`, errors };
		const list = json.StatutResponseList;
		if (!Array.isArray(list) || list.length !== recipientCount(id)) {
			return { problem: `${label}: item ${i} has ${Array.isArray(list) ? list.length : 'no'} recipients, expected ${recipientCount(id)}`, errors };
		}
	}
	return { problem: null, errors };
}

/** The raw loop's answers: JSON objects or XML text, one per messageId, in order. */
function checkRawAnswers(label, answers, n, format) {
	if (answers.length !== n) return `${label}: ${answers.length} answers, expected ${n}`;
	for (let i = 0; i < n; i++) {
		const id = messageIdAt(i);
		const a = answers[i];
		const ok = format === 'xml' ? typeof a === 'string' && a.includes(id) : a && String(a.messageId) === id && a.StatutResponseList.length === recipientCount(id);
		if (!ok) return `${label}: answer ${i} is not messageId ${id}'s`;
	}
	return null;
}

/** Return All: `total` subaccounts with ids 1…total in order. */
function checkSubaccounts(label, rows, total) {
	if (rows.length !== total) return `${label}: ${rows.length} subaccounts, expected ${total}`;
	for (let i = 0; i < total; i++) {
		if (Number(rows[i].id) !== i + 1) return `${label}: subaccount ${i} has id ${rows[i].id}, expected ${i + 1} (order)`;
	}
	return null;
}

/** The first-run chain must have ended before the measured chain started (n8n's v1 branch order). */
function checkRunsInOrder(label, run, firstNames, measuredNames) {
	const last = nodeRun(run, firstNames[firstNames.length - 1]);
	const measured = nodeRun(run, measuredNames[0]);
	const firstEnd = last.startTime + last.executionTime;
	return firstEnd <= measured.startTime ? null : `${label}: the measured run started before the first run ended (${measured.startTime} < ${firstEnd}): n8n did not run the branches one after the other`;
}

function checkCount(label, what, got, expected) {
	return got === expected ? null : `${label}: ${got} ${what}, expected ${expected}`;
}

/** This node's XML items must equal its JSON items (it reads the XML by the JSON layout). */
function checkXmlEqualsJson(label, jsonItems, xmlItems) {
	if (jsonItems.length !== xmlItems.length) return `${label}: ${xmlItems.length} XML items against ${jsonItems.length} JSON items`;
	for (let i = 0; i < jsonItems.length; i++) {
		if (!isDeepStrictEqual(jsonItems[i].json, xmlItems[i].json)) {
			return `${label}: item ${i} differs between XML and JSON: ${JSON.stringify(xmlItems[i].json).slice(0, 200)} vs ${JSON.stringify(jsonItems[i].json).slice(0, 200)}`;
		}
	}
	return null;
}

module.exports = { checkStatusItems, checkRawAnswers, checkSubaccounts, checkRunsInOrder, checkCount, checkXmlEqualsJson, pairedIndex };
