'use strict';

const { formatDateTime, isBlank, EMAIL } = require('./values');

/** The account's unsubscribe list (docs/mailpartner-api.md#unsubscribe-list): list, add, delete, and the check /send makes. */

const isUnsubscribed = (account, email) => account.unsubscribes.some((entry) => entry.email.toLowerCase() === email.toLowerCase());

function listUnsubscribes(account) {
	const data = [...account.unsubscribes].sort((a, b) => a.id - b.id).map(({ id, email, createdAt }) => ({ id, email, createdAt }));
	return { nbData: data.length, data };
}

/** `POST /unsubscribe/add`: 2 no e-mail, 9 not an address, 3 already listed (case-insensitive). */
function addUnsubscribe(state, account, body, nowMs) {
	if (isBlank(body.email)) return { error: 2 };
	const email = String(body.email).trim();
	if (!EMAIL.test(email)) return { error: 9 };
	if (isUnsubscribed(account, email)) return { error: 3 };
	const id = state.nextStopId++;
	account.unsubscribes.push({ id, email, createdAt: formatDateTime(nowMs) });
	return { payload: { stopId: id } };
}

/** `/unsubscribe/delete` by `id`, from the query (GET) or the body (POST): 3 no ID, 4 no entry with it (the English page's codes). */
function deleteUnsubscribe(account, params) {
	if (isBlank(params.id)) return { error: 3 };
	const index = account.unsubscribes.findIndex((entry) => entry.id === Number(String(params.id).trim()));
	if (index < 0) return { error: 4 };
	account.unsubscribes.splice(index, 1);
	return { payload: {} };
}

module.exports = { isUnsubscribed, listUnsubscribes, addUnsubscribe, deleteUnsubscribe };
