'use strict';

const crypto = require('node:crypto');

/**
 * Seed states and the state transitions behind each route. No I/O and no timers: every function
 * takes the clock reading it needs, so tests move time by passing another number. Transitions
 * mutate the state they are given (the server owns exactly one state object at a time).
 */

const NB_PER_PAGE = 20;
const PAGES_KEY = 'xxx';
const DEMO_KEY = 'sandbox-demo-key';
const EMPTY_KEY = 'sandbox-empty-key';
/** A key with every character that breaks naive query-string or URL handling: `+ / = % &`. */
const HOSTILE_KEY = 'sandbox-hostile+/=%&key';
/** Recipient reports can take 48 hours (docs/mailpartner-api.md#delivery-status): the demo's pending message waits that long. */
const MAX_REPORT_DELAY_MS = 48 * 3600 * 1000;

// Money is kept in euros as a number but every operation goes through integer milli-euros, so
// repeated sends never drift away from the 3-decimal strings the API shows.
const toMilli = (euros) => Math.round(Number(euros) * 1000);
const formatMoney = (euros) => (toMilli(euros) / 1000).toFixed(3);

/**
 * Mails the balance buys. Not stored: both /me samples satisfy floor(balance / 0.038) exactly
 * (10225.119 → 269082 and 10224.688 → 269070), so creditMail is derived from the balance.
 */
function mailsFor(balance, pricePerMail) {
	const price = toMilli(pricePerMail);
	return price > 0 ? Math.max(0, Math.floor(toMilli(balance) / price)) : 0;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: the pages show the format but not the time zone. */
function formatDateTime(ms) {
	return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

const randomHex = (bytes) => crypto.randomBytes(bytes).toString('hex');

function pagesState() {
	const subaccounts = [
		{ id: 1, email: 'email1', type: 'simple', token: 'token1', apiKey: 'ApiKey sous compte', createdAt: '2016-03-04 11:23:14', balance: 0.8, currency: 'EUR', mailsSent: 0 },
		{ id: 2, email: 'email2', type: 'simple', token: 'token2', apiKey: 'ApiKey2 du sous compte', createdAt: '2016-03-04 11:23:14', balance: 10.245, currency: 'EUR', mailsSent: 0 },
	];
	// The list sample says total 29 but shows two: the other 27 only need to exist.
	for (let id = 3; id <= 29; id++) {
		subaccounts.push({ id, email: `email${id}`, type: 'simple', token: `token${id}`, apiKey: `ApiKey${id} du sous compte`, createdAt: '2016-03-04 11:23:14', balance: 0, currency: 'EUR', mailsSent: 0 });
	}
	return {
		accounts: {
			[PAGES_KEY]: {
				// The /me page's e-mail obfuscation artefact, kept verbatim: a no-break space (U+00A0)
				// between the words. The create page's copy has a plain space (see README).
				username: '[email\u00a0protected]',
				currency: 'EUR',
				balance: 10225.119,
				pricePerMail: 0.038,
				subaccounts,
				// The list page's sample entry.
				unsubscribes: [{ id: 19, email: 'xxx@www.com', createdAt: '2015-07-20 10:19:45' }],
				messages: {
					xxx: {
						messageId: 'xxx',
						sentAt: 1599061040000,
						settledAt: 1599061044000,
						recipients: [
							{ email: 'email1', token: 'xxx', finalStatus: 'Delivered', finalStopMail: true, cost: 1 },
							{ email: 'email2', token: 'yyy', finalStatus: 'Delivered', finalStopMail: true, cost: 1 },
						],
					},
				},
			},
		},
		nextSubaccountId: 30,
		// The add page's sample answers stopId 300: the next address added takes it.
		nextStopId: 300,
		// The curl example asks for messageId=300.
		nextMessageId: 300,
		// The create sample answers token "token": the next subaccount created takes it.
		pendingTokens: ['token'],
	};
}

/** The demo account has 45 subaccounts (3 pages); benchmarks ask for more with `subaccountCount`. */
function demoState(nowMs = Date.now(), { subaccountCount = 45 } = {}) {
	const pad = (n) => String(n).padStart(Math.max(2, String(subaccountCount).length), '0');
	const subaccounts = [];
	for (let id = 1; id <= subaccountCount; id++) {
		subaccounts.push({
			id,
			email: `client-${pad(id)}@sandbox.mailpartner.invalid`,
			type: id % 3 === 0 ? 'advanced' : 'simple',
			token: `demo-token-${pad(id)}`,
			apiKey: `demo-subaccount-key-${pad(id)}`,
			// Date.UTC rolls day numbers past the month's end over into the next months.
			createdAt: formatDateTime(Date.UTC(2024, 0, id, 9, 30, 0)),
			balance: (id % 5) * 1.25,
			currency: 'EUR',
			mailsSent: 0,
		});
	}
	const mailbox = (name) => `${name}@sandbox.mailpartner.invalid`;
	return {
		accounts: {
			[DEMO_KEY]: {
				username: 'demo@sandbox.mailpartner.invalid',
				currency: 'EUR',
				balance: 250,
				// 0.05 € a mail makes 250.000 EUR buy exactly 5000 mails.
				pricePerMail: 0.05,
				subaccounts,
				unsubscribes: [
					{ id: 1, email: mailbox('former-client'), createdAt: '2024-03-01 08:15:00' },
					{ id: 2, email: mailbox('no-more-news'), createdAt: '2024-03-02 17:40:00' },
				],
				messages: {
					1001: {
						messageId: '1001',
						sentAt: nowMs - 3600 * 1000,
						settledAt: nowMs - 3600 * 1000 + 5000,
						recipients: [
							{ email: mailbox('alice'), token: 'demo-1001-1', finalStatus: 'Delivered', finalStopMail: false, cost: 1 },
							{ email: mailbox('bob'), token: 'demo-1001-2', finalStatus: 'Delivered', finalStopMail: false, cost: 1 },
							{ email: mailbox('bounce'), token: 'demo-1001-3', finalStatus: 'Bounced', finalStopMail: false, cost: 1 },
						],
					},
					1002: {
						messageId: '1002',
						sentAt: nowMs - 60 * 1000,
						settledAt: nowMs - 60 * 1000 + MAX_REPORT_DELAY_MS,
						recipients: [
							{ email: mailbox('carol'), token: 'demo-1002-1', finalStatus: 'Delivered', finalStopMail: false, cost: 1 },
						],
					},
				},
			},
			// Its own account (not an alias of the demo one), with enough to exercise every operation.
			[HOSTILE_KEY]: {
				username: 'hostile@sandbox.mailpartner.invalid',
				currency: 'EUR',
				balance: 100,
				pricePerMail: 0.05,
				subaccounts: subaccounts.slice(0, 3).map((sub) => ({ ...sub, email: `hostile-${sub.email}`, token: `hostile-${sub.token}`, apiKey: `hostile-${sub.apiKey}` })),
				messages: {
					1001: {
						messageId: '1001',
						sentAt: nowMs - 3600 * 1000,
						settledAt: nowMs - 3600 * 1000 + 5000,
						recipients: [{ email: mailbox('dave'), token: 'hostile-1001-1', finalStatus: 'Delivered', finalStopMail: false, cost: 1 }],
					},
				},
			},
			[EMPTY_KEY]: {
				username: 'empty@sandbox.mailpartner.invalid',
				currency: 'EUR',
				balance: 0,
				pricePerMail: 0.05,
				subaccounts: [],
				messages: {},
			},
		},
		nextSubaccountId: subaccountCount + 1,
		nextStopId: 3,
		nextMessageId: 1003,
		pendingTokens: [],
	};
}

const seeds = { pages: pagesState, demo: demoState };

/** @returns the account for a key, or an error code: 1 when the key is missing, 10 when unknown. */
function authenticate(state, apiKey) {
	if (typeof apiKey !== 'string' || apiKey.trim() === '') return { error: 1 };
	const account = Object.prototype.hasOwnProperty.call(state.accounts, apiKey) ? state.accounts[apiKey] : null;
	return account ? { account } : { error: 10 };
}

function accountCredits(account) {
	return {
		user: { username: account.username },
		credits: {
			creditMail: mailsFor(account.balance, account.pricePerMail),
			currency: account.currency,
			balance: formatMoney(account.balance),
		},
	};
}

/**
 * The sandbox's own control (not a MailPartner route): sets an account's balance, so the trigger's
 * Credits Below can be tried by moving the balance across a threshold. Euros, at least 0, kept to
 * the milli-euro like every other amount; creditMail follows (it is derived from the balance).
 * @returns the account's /me credits, or `{ error }` with a sentence saying what is wrong
 */
/** The account `POST /__sandbox/balance` and `--balance` change by default: the state's first (demo: the demo account; pages: `xxx`). */
const mainKey = (state) => Object.keys(state.accounts)[0];

function setBalance(account, euros) {
	const value = typeof euros === 'string' && euros.trim() !== '' ? Number(euros) : euros;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return { error: `balance must be a number of euros, at least 0; got ${JSON.stringify(euros)}` };
	account.balance = toMilli(value) / 1000;
	return accountCredits(account).credits;
}

/** Empty, non-numeric or < 1 reads as page 1 (the page documents only "empty = 1"). */
function parsePage(raw) {
	const page = Number.parseInt(raw, 10);
	return Number.isInteger(page) && page >= 1 ? page : 1;
}

function pageOf(account, rawPage) {
	const page = parsePage(rawPage);
	const sorted = [...account.subaccounts].sort((a, b) => a.id - b.id);
	return { page, total: sorted.length, items: sorted.slice((page - 1) * NB_PER_PAGE, page * NB_PER_PAGE) };
}

function listSubaccounts(account, rawPage) {
	const { page, total, items } = pageOf(account, rawPage);
	return {
		total,
		nb_per_page: NB_PER_PAGE,
		page,
		data: items.map((sub) => ({
			id: sub.id,
			email: sub.email,
			type: sub.type,
			token: sub.token,
			apiKey: sub.apiKey,
			createdAt: sub.createdAt,
			credits: { balance: formatMoney(sub.balance), currency: sub.currency },
		})),
	};
}

/**
 * The published list XML sample, rebuilt from state. Our reading of its fields (it has no JSON twin):
 * root: success, code, nb_per_page, page, total; each item: id, email, title (only when the
 * subaccount has a `title` key; null → nil), createdAt, then [mails bought, mails sent, mails left]
 * where "left" is what the subaccount's balance buys at the parent's price and "sent" is a string
 * (CDATA) when non-zero but the integer 0 otherwise, as in the sample (`"4"` vs `0`).
 */
function publishedListValue(account, rawPage) {
	const { page, total, items } = pageOf(account, rawPage);
	const rows = items.map((sub) => {
		const left = mailsFor(sub.balance, account.pricePerMail);
		const sent = sub.mailsSent || 0;
		const row = [sub.id, sub.email];
		if (Object.prototype.hasOwnProperty.call(sub, 'title')) row.push(sub.title ?? null);
		row.push(sub.createdAt, [left + sent, sent > 0 ? String(sent) : 0, left]);
		return row;
	});
	return [true, 200, NB_PER_PAGE, page, total, rows];
}

const isBlank = (v) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function parseIsBuyer(v) {
	if (v === 1 || v === '1' || v === true) return 1;
	if (v === 0 || v === '0' || v === false) return 0;
	return null;
}

function emailTaken(state, email) {
	const wanted = email.toLowerCase();
	return Object.values(state.accounts).some((acc) => acc.subaccounts.some((s) => s.email.toLowerCase() === wanted));
}

/**
 * Validation order follows the page's code list where it can: type (4, 5), then the advanced
 * requirements (6, 3), then uniqueness (7), then money (8, 9). Uniqueness is checked against
 * subaccounts only: the create sample's parent_email equals the new subaccount's email.
 */
function createSubaccount(state, account, body, nowMs) {
	const type = body.type;
	if (isBlank(type)) return { error: 4 };
	if (type !== 'simple' && type !== 'advanced') return { error: 5 };
	let parameters = body.parameters ?? {};
	// The page's VB.NET example sends `parameters` as a JSON string: accept it.
	if (typeof parameters === 'string') {
		try {
			parameters = JSON.parse(parameters);
		} catch {
			parameters = {};
		}
	}
	if (typeof parameters !== 'object' || parameters === null) parameters = {};

	const givenEmail = isBlank(parameters.email) ? null : String(parameters.email).trim();
	const isBuyer = parseIsBuyer(parameters.isBuyer);
	if (type === 'advanced' && givenEmail === null) return { error: 6 };
	if (type === 'advanced' && isBuyer === null) return { error: 3 };
	if (givenEmail !== null && emailTaken(state, givenEmail)) return { error: 7 };

	let credit = 0;
	if (!isBlank(parameters.creditToAttribute)) {
		credit = Number(parameters.creditToAttribute);
		if (!Number.isFinite(credit) || toMilli(credit) <= 0) return { error: 8 };
	}
	if (toMilli(account.balance) <= 0 || toMilli(credit) > toMilli(account.balance)) return { error: 9 };

	const id = state.nextSubaccountId++;
	let email = givenEmail;
	for (let n = id; email === null; n++) {
		const candidate = `sub-${n}@sandbox.mailpartner.invalid`;
		if (!emailTaken(state, candidate)) email = candidate;
	}
	const sub = {
		id,
		email,
		type,
		token: state.pendingTokens.length > 0 ? state.pendingTokens.shift() : randomHex(10),
		apiKey: `sbx_${randomHex(16)}`,
		createdAt: formatDateTime(nowMs),
		balance: toMilli(credit) / 1000,
		currency: account.currency,
		mailsSent: 0,
		isBuyer: type === 'advanced' ? isBuyer : 0,
		firstname: parameters.firstname ?? null,
		lastname: parameters.lastname ?? null,
	};
	if (Object.prototype.hasOwnProperty.call(parameters, 'title')) sub.title = isBlank(parameters.title) ? null : parameters.title;
	account.subaccounts.push(sub);
	account.balance = (toMilli(account.balance) - toMilli(credit)) / 1000;
	return {
		payload: {
			subaccount: { email: sub.email, token: sub.token },
			// An advanced subaccount confirms its own address; a simple one receives no mail at all
			// (page: "ne recevra aucun email"), so the confirmation goes to the parent.
			sendConfirmMailTo: type === 'advanced' ? sub.email : account.username,
			parent_email: account.username,
		},
	};
}

/** Bounces and opt-outs are driven by the address so example workflows can show each outcome. */
function outcomeFor(email) {
	const lower = email.toLowerCase();
	if (lower.includes('bounce')) return { finalStatus: 'Bounced', finalStopMail: false };
	if (lower.includes('unsubscribed')) return { finalStatus: 'Delivered', finalStopMail: true };
	return { finalStatus: 'Delivered', finalStopMail: false };
}

function messageStatus(account, messageId, nowMs, statusDelayMs) {
	if (isBlank(messageId)) return { error: 3 };
	const message = Object.prototype.hasOwnProperty.call(account.messages, messageId) ? account.messages[messageId] : null;
	if (!message) return { error: 4 };
	if (message.cancelledAt !== null && message.cancelledAt !== undefined) {
		const date = String(Math.floor(message.cancelledAt / 1000));
		const recipients = message.recipients.map((r) => ({ email: r.email, token: r.token, status: 'Cancelled', cost: 0, stopMail: false, date }));
		return { payload: { messageId: message.messageId, StatutResponseList: recipients } };
	}
	const settledAt = message.settledAt ?? message.sentAt + statusDelayMs;
	const settled = nowMs >= settledAt;
	const date = String(Math.floor((settled ? settledAt : message.sentAt) / 1000));
	return {
		payload: {
			messageId: message.messageId,
			StatutResponseList: message.recipients.map((r) => ({
				email: r.email,
				token: r.token,
				status: settled ? r.finalStatus : 'Pending',
				cost: r.cost,
				stopMail: settled ? r.finalStopMail : false,
				date,
			})),
		},
	};
}

/** Paris wall-clock parts of an instant: MailPartner's times are read as Paris time (see the README). */
const parisFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
function parisWallClockMs(ms) {
	const p = Object.fromEntries(parisFormat.formatToParts(new Date(ms)).filter((x) => x.type !== 'literal').map((x) => [x.type, Number(x.value)]));
	return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}
/** The instant Paris shows as `wallMs` (a UTC-coded wall clock); two passes settle DST changes. */
function fromParis(wallMs) {
	let guess = wallMs - (parisWallClockMs(wallMs) - wallMs);
	guess = wallMs - (parisWallClockMs(guess) - guess);
	return guess;
}

/**
 * `dd/mm/YYYY` + `time` (0–24) + `minute` (0–55, step 5), read as Paris time, with the error-code
 * page's codes: 46 hour missing, 47 minute missing or not a number, 48 minute not 0–55 in steps of 5,
 * 49 date invalid or not in the future. `minute` 0 is accepted: the send page's sample sends "00".
 */
function parseSchedule(body, nowMs) {
	if (isBlank(body.time)) return { error: 46 };
	if (isBlank(body.minute) || !/^\d{1,2}$/.test(String(body.minute).trim())) return { error: 47 };
	const minute = Number(body.minute);
	if (minute > 55 || minute % 5 !== 0) return { error: 48 };
	const hour = Number(body.time);
	const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(String(body.scheduledDeliveryDate).trim());
	if (!m || !Number.isInteger(hour) || hour < 0 || hour > 24) return { error: 49 };
	const wall = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), hour, minute);
	if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== Number(m[1]) && hour !== 24) return { error: 49 };
	const at = fromParis(wall);
	if (at <= nowMs) return { error: 49 };
	return { at, echo: formatDateTime(wall) };
}

const RECIPIENT_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** File types a mail server refuses as attachments (the sandbox's pick for code 9: the pages list none). */
const REFUSED_TYPES = ['application/x-msdownload', 'application/x-sh', 'application/x-executable', 'application/vnd.microsoft.portable-executable'];

/** Whether the address is on the account's unsubscribe list (`POST /unsubscribe/add`). */
function isUnsubscribed(account, email) {
	const wanted = email.toLowerCase();
	return Array.isArray(account.unsubscribes) && account.unsubscribes.some((entry) => entry.email.toLowerCase() === wanted);
}

/**
 * POST /send with the error-code page's "Envoi de Mail" codes, checked in this order: 2 content
 * (subject or htmlContent missing), 22 no recipient list, 50 more than 500, 18/19/21 per
 * recipient, 15 an address twice, 14 unsubscribed, 23/24/25 reply-to, 8/16/9 attachments,
 * 45–49 schedule, 11 credit. Codes 4, 5, 17, 20, 30, 40, 55, 96 and 500 depend on account settings the
 * pages do not describe: `forceError` produces them. Each recipient costs one mail credit
 * (`pricePerMail` euros). `sandbox: 1` charges nothing but keeps the message, so Get Status works
 * on it (its mails "are deleted from your sending lists every day": they are in the lists until then).
 */
function sendMessage(state, account, body, nowMs) {
	if (isBlank(body.subject) || isBlank(body.htmlContent)) return { error: 2 };
	const to = body.params && Array.isArray(body.params.to) ? body.params.to : null;
	if (!to || to.length === 0) return { error: 22 };
	if (to.length > 500) return { error: 50 };
	const seen = new Set();
	for (const r of to) {
		if (!r || typeof r !== 'object' || isBlank(r.email)) return { error: 18 };
		const email = String(r.email).trim();
		if (!RECIPIENT_EMAIL.test(email)) return { error: 19 };
		if (r.name !== undefined && isBlank(r.name)) return { error: 21 };
		if (seen.has(email.toLowerCase())) return { error: 15 };
		seen.add(email.toLowerCase());
	}
	if (to.some((r) => isUnsubscribed(account, String(r.email).trim()))) return { error: 14 };
	if (body.replyTo !== undefined && body.replyTo !== null) {
		const replyTo = body.replyTo;
		if (typeof replyTo !== 'object' || isBlank(replyTo.email)) return { error: 23 };
		if (!RECIPIENT_EMAIL.test(String(replyTo.email).trim())) return { error: 24 };
		if (replyTo.name !== undefined && isBlank(replyTo.name)) return { error: 25 };
	}
	if (body.attachments !== undefined) {
		const attachments = Array.isArray(body.attachments) ? body.attachments : [body.attachments];
		for (const a of attachments) {
			if (!a || typeof a !== 'object' || isBlank(a.base64Content)) return { error: 8 };
			if (isBlank(a.filename)) return { error: 16 };
			if (REFUSED_TYPES.includes(String(a.contentType).toLowerCase())) return { error: 9 };
		}
	}
	let sentAt = nowMs;
	let scheduled = null;
	if (!isBlank(body.scheduledDeliveryDate)) {
		const schedule = parseSchedule(body, nowMs);
		if (schedule.error) return schedule;
		sentAt = schedule.at;
		scheduled = schedule.echo;
	} else if (!isBlank(body.time) || !isBlank(body.minute)) {
		return { error: 45 };
	}
	const nbMail = to.length;
	const dryRun = body.sandbox === 1 || body.sandbox === '1' || body.sandbox === true;
	const costMilli = dryRun ? 0 : nbMail * toMilli(account.pricePerMail);
	if (!dryRun && mailsFor(account.balance, account.pricePerMail) < nbMail) return { error: 11 };

	const messageId = String(state.nextMessageId++);
	account.balance = (toMilli(account.balance) - costMilli) / 1000;
	account.messages[messageId] = {
		messageId,
		sentAt,
		settledAt: null,
		scheduled: scheduled !== null,
		cancelledAt: null,
		sandbox: dryRun,
		// The mail itself, so a test can open it as its recipient would (Send and Wait's links).
		subject: String(body.subject),
		htmlContent: String(body.htmlContent),
		recipients: to.map((r) => ({ email: String(r.email).trim(), token: randomHex(8), cost: dryRun ? 0 : 1, ...outcomeFor(String(r.email)) })),
	};
	return { payload: { messageId, nbMail, cost: costMilli / 1000, currency: account.currency, scheduledDeliveryDate: scheduled } };
}

const CANCEL_MARGIN_MS = 5 * 60 * 1000;

/**
 * GET /message-cancel: 3 no id, 4 unknown, 5 already cancelled, 7 already sent (a send without a
 * schedule leaves at once), 6 less than 5 minutes before its time. The cost is given back.
 */
function cancelMessage(account, messageId, nowMs) {
	if (isBlank(messageId)) return { error: 3 };
	const message = Object.prototype.hasOwnProperty.call(account.messages, messageId) ? account.messages[messageId] : null;
	if (!message) return { error: 4 };
	if (message.cancelledAt !== null && message.cancelledAt !== undefined) return { error: 5 };
	if (!message.scheduled || nowMs >= message.sentAt) return { error: 7 };
	if (message.sentAt - nowMs < CANCEL_MARGIN_MS) return { error: 6 };
	message.cancelledAt = nowMs;
	const refund = message.recipients.reduce((sum, r) => sum + (r.cost > 0 ? toMilli(account.pricePerMail) : 0), 0);
	account.balance = (toMilli(account.balance) + refund) / 1000;
	return { payload: { message: "L'envoi du mail a été annulé." } };
}

// --- Credit moves and the unsubscribe list (docs/mailpartner-api.md#credit-moves, #unsubscribe-list) ---

/** Euros as the credit pages send them: a number or a numeric string ("100", "10.5"). */
function parseCredit(raw) {
	if (typeof raw === 'number') return Number.isFinite(raw) ? raw : NaN;
	return typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
}

/**
 * `POST /subaccount/credit/add|remove`. The pages give the codes but not when each applies; ours:
 * 2 credit missing, 3 token missing, 5 credit not a number or ≤ 0, 7 no subaccount has this token,
 * 4 the token is another account's subaccount, 6 the balance money is taken from is 0 (the main
 * account's on add, the subaccount's on remove), 8 the amount is larger than that balance.
 * The answer's `credit` is the main account's balance after the move, `subaccountCredit` the
 * subaccount's (the pages do not define them; these are the readings the sample fits).
 */
function moveCredit(state, account, body, direction) {
	if (isBlank(body.credit)) return { error: 2 };
	if (isBlank(body.tokenSubaccount)) return { error: 3 };
	const credit = parseCredit(body.credit);
	if (!Number.isFinite(credit) || toMilli(credit) <= 0) return { error: 5 };
	const token = String(body.tokenSubaccount).trim();
	const sub = account.subaccounts.find((candidate) => candidate.token === token);
	if (!sub) {
		const elsewhere = Object.values(state.accounts).some((other) => other !== account && other.subaccounts.some((candidate) => candidate.token === token));
		return { error: elsewhere ? 4 : 7 };
	}
	const source = direction === 'add' ? account : sub;
	if (toMilli(source.balance) <= 0) return { error: 6 };
	if (toMilli(credit) > toMilli(source.balance)) return { error: 8 };
	const moved = toMilli(credit) * (direction === 'add' ? 1 : -1);
	account.balance = (toMilli(account.balance) - moved) / 1000;
	sub.balance = (toMilli(sub.balance) + moved) / 1000;
	return { payload: { credit: account.balance, subaccountCredit: sub.balance, currency: account.currency } };
}

const unsubscribesOf = (account) => {
	if (!Array.isArray(account.unsubscribes)) account.unsubscribes = [];
	return account.unsubscribes;
};

function listUnsubscribes(account) {
	const data = [...unsubscribesOf(account)].sort((a, b) => a.id - b.id).map(({ id, email, createdAt }) => ({ id, email, createdAt }));
	return { nbData: data.length, data };
}

// The pages only say "invalid" (code 9); this is the same loose check the node makes.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `POST /unsubscribe/add`: 2 no e-mail, 9 not an address, 3 already listed (case-insensitive). */
function addUnsubscribe(state, account, body, nowMs) {
	if (isBlank(body.email)) return { error: 2 };
	const email = String(body.email).trim();
	if (!EMAIL.test(email)) return { error: 9 };
	const list = unsubscribesOf(account);
	if (list.some((entry) => entry.email.toLowerCase() === email.toLowerCase())) return { error: 3 };
	if (!Number.isInteger(state.nextStopId)) state.nextStopId = list.reduce((max, entry) => Math.max(max, entry.id), 0) + 1;
	const id = state.nextStopId++;
	list.push({ id, email, createdAt: formatDateTime(nowMs) });
	return { payload: { stopId: id } };
}

/**
 * `/unsubscribe/delete` by `id` (GET query or POST body: the pages disagree, the sandbox takes
 * both). Codes as the English page gives them: 3 ID missing, 4 no entry with this ID.
 */
function deleteUnsubscribe(account, params) {
	if (isBlank(params.id)) return { error: 3 };
	const id = Number(String(params.id).trim());
	const list = unsubscribesOf(account);
	const index = list.findIndex((entry) => entry.id === id);
	if (index < 0) return { error: 4 };
	list.splice(index, 1);
	return { payload: {} };
}

module.exports = {
	NB_PER_PAGE,
	PAGES_KEY,
	DEMO_KEY,
	EMPTY_KEY,
	HOSTILE_KEY,
	seeds,
	pagesState,
	demoState,
	authenticate,
	accountCredits,
	setBalance,
	mainKey,
	listSubaccounts,
	publishedListValue,
	createSubaccount,
	messageStatus,
	sendMessage,
	cancelMessage,
	moveCredit,
	listUnsubscribes,
	addUnsubscribe,
	deleteUnsubscribe,
	mailsFor,
	formatMoney,
	formatDateTime,
};
