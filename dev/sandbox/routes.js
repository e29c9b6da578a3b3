'use strict';

const st = require('./state');
const { named, plain } = require('./xml');

/**
 * The API surface: for each route, its handler, its French error messages (verbatim from the
 * pages) and the XML quirks its published samples show. The server turns a handler's
 * `{payload}` / `{error}` into an HTTP answer.
 */

// The pages' error tables, transcribed once for the sandbox and the tests.
const pageErrors = require('../../test/fixtures/pages/error-codes.json');

const KEY_MESSAGES = { 1: pageErrors.listSubaccounts[1], 10: pageErrors.listSubaccounts[10] };

/** Every page documents 1 and 10; /me documents only 10, and we answer 1 for a missing key there too. */
const withKeyMessages = (messages) => ({ ...KEY_MESSAGES, ...messages });

// The credit pages' French table (§2.10); the remove page has no French text and copies add's table.
const CREDIT_MESSAGES = withKeyMessages({
	2: 'Le crédit est requis',
	3: 'L’identifiant du sous-compte est requis',
	4: 'Vous n’avez pas l’authorisation',
	5: 'Le crédit à attribuer doit être supérieur à 0',
	6: 'La balance doit être supérieur à 0',
	7: 'Le sous-compte n’exsite pas',
	8: 'Crédits insuffisant',
});

/**
 * The delete pages disagree on the method (header POST, every sample GET) and on the codes: the
 * sandbox takes both methods and answers the English page's 3 and 4, which have no French text.
 */
const DELETE_UNSUBSCRIBE = {
	messages: withKeyMessages({
		2: 'Le mail est requis',
		3: 'ID of the mail is required',
		4: 'ID of the mail is not found',
		9: 'Le mail est invalide',
	}),
	notFound: [4],
	handle: ({ account, params }) => st.deleteUnsubscribe(account, params),
	xml: { success: {}, failure: {} },
};

const ROUTES = {
	'GET /me': {
		messages: withKeyMessages({}),
		handle: ({ account }) => ({ payload: st.accountCredits(account) }),
		// The /me sample uses single quotes in the declaration and a named <username> child.
		xml: {
			success: { declaration: 'single', shape: (body) => ({ ...body, user: named(body.user) }) },
			failure: { declaration: 'single' },
		},
	},
	'GET /subaccount/list': {
		messages: withKeyMessages({}),
		handle: ({ account, params, options }) => {
			const result = { payload: st.listSubaccounts(account, params.page) };
			if (options.listXmlLayout === 'published') {
				result.xmlOverride = { value: st.publishedListValue(account, params.page), style: { resultOpen: false } };
			}
			return result;
		},
		xml: { success: {}, failure: {} },
	},
	'POST /subaccount/create': {
		messages: withKeyMessages(pageErrors.createSubaccount),
		handle: ({ state, account, params, now }) => st.createSubaccount(state, account, params, now),
		xml: { success: {}, failure: {} },
	},
	'GET /bulk-status': {
		messages: withKeyMessages(pageErrors.getStatus),
		notFound: [4],
		handle: ({ account, params, now, options }) => st.messageStatus(account, params.messageId, now, options.statusDelayMs),
		// The bulk-status error sample uses single quotes and a plain-text (non-CDATA) message.
		xml: {
			success: {},
			failure: { declaration: 'single', shape: (body) => ({ ...body, message: plain(body.message) }) },
		},
	},
	'POST /subaccount/credit/add': {
		messages: CREDIT_MESSAGES,
		notFound: [7],
		handle: ({ state, account, params }) => st.moveCredit(state, account, params, 'add'),
		xml: { success: {}, failure: {} },
	},
	'POST /subaccount/credit/remove': {
		messages: CREDIT_MESSAGES,
		notFound: [7],
		handle: ({ state, account, params }) => st.moveCredit(state, account, params, 'remove'),
		xml: { success: {}, failure: {} },
	},
	'GET /unsubscribe/list': {
		messages: withKeyMessages({}),
		handle: ({ account }) => ({ payload: st.listUnsubscribes(account) }),
		xml: { success: {}, failure: {} },
	},
	'POST /unsubscribe/add': {
		messages: withKeyMessages({ 2: 'Le mail est requis', 3: 'Le mail est déjà dans la liste', 9: 'Le mail est invalide' }),
		handle: ({ state, account, params, now }) => st.addUnsubscribe(state, account, params, now),
		xml: { success: {}, failure: {} },
	},
	'GET /unsubscribe/delete': DELETE_UNSUBSCRIBE,
	'POST /unsubscribe/delete': DELETE_UNSUBSCRIBE,
	'POST /send': {
		// The error-code page's "Envoi de Mail" table, word for word (its 1 and 10 included).
		messages: pageErrors.send,
		malformedJson: 90,
		handle: ({ state, account, params, now }) => st.sendMessage(state, account, params, now),
		xml: { success: {}, failure: {} },
	},
	'GET /message-cancel': {
		messages: withKeyMessages(pageErrors.cancel),
		notFound: [4],
		handle: ({ account, params, now }) => st.cancelMessage(account, params.messageId, now),
		xml: { success: {}, failure: {} },
	},
};

/** Strips `/v1` and a trailing slash; anything outside `/v1` is unknown. */
function findRoute(method, pathname) {
	if (!pathname.startsWith('/v1/')) return null;
	const rest = pathname.slice(3).replace(/\/+$/, '') || '/';
	const id = `${method} ${rest}`;
	return ROUTES[id] ? { id, route: ROUTES[id] } : null;
}

/** HTTP status for a MailPartner failure code under `errorStatus: 'mapped'`. */
function mappedStatus(route, code) {
	if (code === 1 || code === 10) return 401;
	if (route && route.notFound && route.notFound.includes(code)) return 404;
	return 400;
}

module.exports = { ROUTES, findRoute, mappedStatus };
