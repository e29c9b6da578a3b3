'use strict';

const accounts = require('./accounts');
const messages = require('./messages');
const { renderXml, named, plain } = require('./xml');

/**
 * The API surface: for each route, its handler, its French error messages (verbatim from the
 * pages) and the XML quirks its published samples show; and `render`, which turns a handler's
 * `{payload}` / `{error}` into MailPartner's JSON or XML answer.
 */

// The pages' error tables, transcribed once for the sandbox and the tests.
const pageErrors = require('../../test/fixtures/pages/error-codes.json');

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';

/**
 * A route: its French messages by code (every page documents 1 and 10; /me documents only 10, and
 * we answer 1 for a missing key there too), its handler, and where it has them its `notFound`
 * codes (HTTP 404), its XML quirks and its malformed-JSON code.
 */
const route = (messages, handle, more = {}) => ({ messages: { 1: pageErrors.listSubaccounts[1], 10: pageErrors.listSubaccounts[10], ...messages }, handle, ...more });

// The credit pages' French table (§2.10); the remove page has no French text and copies add's table.
const CREDIT_MESSAGES = {
	2: 'Le crédit est requis', 3: 'L’identifiant du sous-compte est requis', 4: 'Vous n’avez pas l’authorisation', 5: 'Le crédit à attribuer doit être supérieur à 0',
	6: 'La balance doit être supérieur à 0', 7: 'Le sous-compte n’exsite pas', 8: 'Crédits insuffisant',
};

// The delete pages disagree on the method (header POST, every sample GET) and on the codes: the
// sandbox takes both methods and answers the English page's 3 and 4, which have no French text.
const DELETE_UNSUBSCRIBE = route(
	{ 2: 'Le mail est requis', 3: 'ID of the mail is required', 4: 'ID of the mail is not found', 9: 'Le mail est invalide' },
	({ account, params }) => accounts.deleteUnsubscribe(account, params),
	{ notFound: [4] },
);

const ROUTES = {
	// The /me sample uses single quotes in the declaration and a named <username> child.
	'GET /me': route({}, ({ account }) => ({ payload: accounts.accountCredits(account) }), {
		xml: { success: { declaration: 'single', shape: (body) => ({ ...body, user: named(body.user) }) }, failure: { declaration: 'single' } },
	}),
	'GET /subaccount/list': route({}, ({ account, params, options }) => ({
		payload: accounts.listSubaccounts(account, params.page),
		...(options.listXmlLayout === 'published' && { xmlOverride: { value: accounts.publishedListValue(account, params.page), style: { resultOpen: false } } }),
	})),
	'POST /subaccount/create': route(pageErrors.createSubaccount, ({ state, account, params, now }) => accounts.createSubaccount(state, account, params, now)),
	// The bulk-status error sample uses single quotes and a plain-text (non-CDATA) message.
	'GET /bulk-status': route(pageErrors.getStatus, ({ account, params, now }) => messages.messageStatus(account, params.messageId, now), {
		notFound: [4],
		xml: { failure: { declaration: 'single', shape: (body) => ({ ...body, message: plain(body.message) }) } },
	}),
	'POST /subaccount/credit/add': route(CREDIT_MESSAGES, ({ state, account, params }) => accounts.moveCredit(state, account, params, 'add'), { notFound: [7] }),
	'POST /subaccount/credit/remove': route(CREDIT_MESSAGES, ({ state, account, params }) => accounts.moveCredit(state, account, params, 'remove'), { notFound: [7] }),
	'GET /unsubscribe/list': route({}, ({ account }) => ({ payload: accounts.listUnsubscribes(account) })),
	'POST /unsubscribe/add': route({ 2: 'Le mail est requis', 3: 'Le mail est déjà dans la liste', 9: 'Le mail est invalide' }, ({ state, account, params, now }) =>
		accounts.addUnsubscribe(state, account, params, now),
	),
	'GET /unsubscribe/delete': DELETE_UNSUBSCRIBE,
	'POST /unsubscribe/delete': DELETE_UNSUBSCRIBE,
	// The error-code page's "Envoi de Mail" table, word for word (its own 1 and 10 included).
	'POST /send': route(pageErrors.send, ({ state, account, params, now }) => messages.sendMessage(state, account, params, now), { malformedJson: 90 }),
	'GET /message-cancel': route(pageErrors.cancel, ({ account, params, now }) => messages.cancelMessage(account, params.messageId, now), { notFound: [4] }),
};

/** Strips `/v1` and a trailing slash; anything outside `/v1` is unknown. @returns `{id, path, route}` or null */
function findRoute(method, pathname) {
	if (!pathname.startsWith('/v1/')) return null;
	const path = pathname.slice(3).replace(/\/+$/, '') || '/';
	const id = `${method} ${path}`;
	return ROUTES[id] ? { id, path, route: ROUTES[id] } : null;
}

/**
 * A handler's result as MailPartner answers it: `{payload}` a success, `{error, message?}` a failure
 * (HTTP 401 for codes 1 and 10, 404 for the route's `notFound` codes, 400 for the rest), in JSON or
 * in the route's XML style. `route` may be null.
 * @returns {{status: number, type: string, text: string}}
 */
function render(route, result, format) {
	const failed = result.error !== undefined;
	const body = failed
		? { success: false, code: result.error, message: result.message ?? route?.messages[result.error] ?? 'Erreur' }
		: { success: true, code: 200, ...result.payload };
	const unauthorised = result.error === 1 || result.error === 10;
	const status = !failed ? 200 : unauthorised ? 401 : route?.notFound?.includes(result.error) ? 404 : 400;
	if (format !== 'xml') return { status, type: JSON_TYPE, text: JSON.stringify(body) };
	if (result.xmlOverride) return { status, type: XML_TYPE, text: renderXml(result.xmlOverride.value, result.xmlOverride.style) };
	const style = route?.xml?.[failed ? 'failure' : 'success'] ?? {};
	return { status, type: XML_TYPE, text: renderXml(style.shape ? style.shape(body) : body, style) };
}

module.exports = { ROUTES, findRoute, render, JSON_TYPE, XML_TYPE };
