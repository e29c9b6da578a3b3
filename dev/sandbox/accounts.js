'use strict';

const { toMilli, formatMoney, addMilli, mailsFor, formatDateTime, isBlank, EMAIL, parseJsonObject, randomHex } = require('./values');

/**
 * The account and its subaccounts: authentication, /me, the subaccount list, create, the credit
 * moves (docs/mailpartner-api.md#credit-moves) and the unsubscribe list. No I/O and no timers: each function takes the
 * clock reading it needs and changes the state it is given.
 */

const NB_PER_PAGE = 20;

/** @returns the account for a key, or an error code: 1 when the key is missing, 10 when unknown. */
function authenticate(state, apiKey) {
	if (typeof apiKey !== 'string' || apiKey.trim() === '') return { error: 1 };
	return Object.hasOwn(state.accounts, apiKey) ? { account: state.accounts[apiKey] } : { error: 10 };
}

/** The account `POST /__sandbox/balance` and `--balance` change by default: the state's first (demo: the demo account; pages: `xxx`). */
const mainKey = (state) => Object.keys(state.accounts)[0];

function accountCredits(account) {
	return {
		user: { username: account.username },
		credits: { creditMail: mailsFor(account.balance, account.pricePerMail), currency: account.currency, balance: formatMoney(account.balance) },
	};
}

/**
 * The sandbox's own control (not a MailPartner route), so the trigger's Credits Below can be tried:
 * euros, at least 0, kept to the milli-euro. @returns the /me credits, or `{ error }` saying what is wrong
 */
function setBalance(account, euros) {
	const value = typeof euros === 'string' && euros.trim() !== '' ? Number(euros) : euros;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return { error: `balance must be a number of euros, at least 0; got ${JSON.stringify(euros)}` };
	account.balance = toMilli(value) / 1000;
	return accountCredits(account).credits;
}

/** Empty, non-numeric or < 1 reads as page 1 (the page documents only "empty = 1"). */
function pageOf(account, rawPage) {
	const asked = Number.parseInt(rawPage, 10);
	const page = Number.isInteger(asked) && asked >= 1 ? asked : 1;
	const sorted = [...account.subaccounts].sort((a, b) => a.id - b.id);
	return { page, total: sorted.length, items: sorted.slice((page - 1) * NB_PER_PAGE, page * NB_PER_PAGE) };
}

function listSubaccounts(account, rawPage) {
	const { page, total, items } = pageOf(account, rawPage);
	const data = items.map(({ id, email, type, token, apiKey, createdAt, balance, currency }) => ({ id, email, type, token, apiKey, createdAt, credits: { balance: formatMoney(balance), currency } }));
	return { total, nb_per_page: NB_PER_PAGE, page, data };
}

/** The published list XML sample, rebuilt from state as the README reads its fields (Decisions: Published list XML). */
function publishedListValue(account, rawPage) {
	const { page, total, items } = pageOf(account, rawPage);
	const rows = items.map((sub) => {
		const left = mailsFor(sub.balance, account.pricePerMail);
		const sent = sub.mailsSent || 0;
		const title = Object.hasOwn(sub, 'title') ? [sub.title ?? null] : [];
		return [sub.id, sub.email, ...title, sub.createdAt, [left + sent, sent > 0 ? String(sent) : 0, left]];
	});
	return [true, 200, NB_PER_PAGE, page, total, rows];
}

function parseIsBuyer(v) {
	if (v === 1 || v === '1' || v === true) return 1;
	if (v === 0 || v === '0' || v === false) return 0;
	return null;
}

const emailTaken = (state, email) => Object.values(state.accounts).some((acc) => acc.subaccounts.some((s) => s.email.toLowerCase() === email.toLowerCase()));

/** The page's VB.NET example sends `parameters` as a JSON string: accept it. Anything else not an object reads as none. */
function parametersOf(raw) {
	if (typeof raw === 'string') return parseJsonObject(raw) ?? {};
	return typeof raw === 'object' && raw !== null ? raw : {};
}

/** Checked in the order of the page's code list where it can (README, Decisions: Create). */
function createSubaccount(state, account, body, nowMs) {
	const { type } = body;
	if (isBlank(type)) return { error: 4 };
	if (type !== 'simple' && type !== 'advanced') return { error: 5 };
	const parameters = parametersOf(body.parameters);
	const givenEmail = isBlank(parameters.email) ? null : String(parameters.email).trim();
	const isBuyer = parseIsBuyer(parameters.isBuyer);
	if (type === 'advanced' && givenEmail === null) return { error: 6 };
	if (type === 'advanced' && isBuyer === null) return { error: 3 };
	if (givenEmail !== null && emailTaken(state, givenEmail)) return { error: 7 };
	const credit = isBlank(parameters.creditToAttribute) ? 0 : Number(parameters.creditToAttribute);
	if (!Number.isFinite(credit) || (!isBlank(parameters.creditToAttribute) && toMilli(credit) <= 0)) return { error: 8 };
	if (toMilli(account.balance) <= 0 || toMilli(credit) > toMilli(account.balance)) return { error: 9 };

	const id = state.nextSubaccountId++;
	let email = givenEmail;
	for (let n = id; email === null; n++) if (!emailTaken(state, `sub-${n}@sandbox.mailpartner.invalid`)) email = `sub-${n}@sandbox.mailpartner.invalid`;
	const token = state.pendingTokens.length > 0 ? state.pendingTokens.shift() : randomHex(10);
	const sub = {
		id, email, type, token, apiKey: `sbx_${randomHex(16)}`, createdAt: formatDateTime(nowMs), balance: toMilli(credit) / 1000, currency: account.currency, mailsSent: 0,
		isBuyer: type === 'advanced' ? isBuyer : 0, firstname: parameters.firstname ?? null, lastname: parameters.lastname ?? null,
	};
	if (Object.hasOwn(parameters, 'title')) sub.title = isBlank(parameters.title) ? null : parameters.title;
	account.subaccounts.push(sub);
	account.balance = addMilli(account.balance, -toMilli(credit));
	// An advanced subaccount confirms its own address; a simple one receives no mail at all
	// (page: "ne recevra aucun email"), so the confirmation goes to the parent.
	const sendConfirmMailTo = type === 'advanced' ? sub.email : account.username;
	return { payload: { subaccount: { email: sub.email, token: sub.token }, sendConfirmMailTo, parent_email: account.username } };
}

/** `POST /subaccount/credit/add|remove`: when each code applies, and what `credit` and `subaccountCredit` are, is our reading (README, Decisions: Credit moves). */
function moveCredit(state, account, body, direction) {
	if (isBlank(body.credit)) return { error: 2 };
	if (isBlank(body.tokenSubaccount)) return { error: 3 };
	const raw = body.credit;
	const credit = typeof raw === 'number' || (typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw)) ? Number(raw) : NaN;
	if (!Number.isFinite(credit) || toMilli(credit) <= 0) return { error: 5 };
	const token = String(body.tokenSubaccount).trim();
	const sub = account.subaccounts.find((candidate) => candidate.token === token);
	if (!sub) return { error: Object.values(state.accounts).some((other) => other.subaccounts.some((s) => s.token === token)) ? 4 : 7 };
	const source = direction === 'add' ? account : sub;
	if (toMilli(source.balance) <= 0) return { error: 6 };
	if (toMilli(credit) > toMilli(source.balance)) return { error: 8 };
	const moved = toMilli(credit) * (direction === 'add' ? 1 : -1);
	account.balance = addMilli(account.balance, -moved);
	sub.balance = addMilli(sub.balance, moved);
	return { payload: { credit: account.balance, subaccountCredit: sub.balance, currency: account.currency } };
}

// The account's unsubscribe list (docs/mailpartner-api.md#unsubscribe-list): list, add, delete, and the check /send makes.
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

module.exports = {
	authenticate, mainKey, accountCredits, setBalance, listSubaccounts, publishedListValue, createSubaccount, moveCredit,
	isUnsubscribed, listUnsubscribes, addUnsubscribe, deleteUnsubscribe,
};
