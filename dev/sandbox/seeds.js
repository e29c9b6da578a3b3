'use strict';

const { formatDateTime } = require('./values');

/**
 * The seed states and their keys: `pages` rebuilds the published samples, `demo` is the account
 * n8n users, the e2e run and the benchmarks work with. A state is plain data (GET /__sandbox/state
 * shows it as it is); the routes' functions change it in place.
 */

const PAGES_KEY = 'xxx';
const DEMO_KEY = 'sandbox-demo-key';
const EMPTY_KEY = 'sandbox-empty-key';
/** A key with every character that breaks naive query-string or URL handling: `+ / = % &`. */
const HOSTILE_KEY = 'sandbox-hostile+/=%&key';
const HOUR_MS = 3600 * 1000;
/** Recipient reports can take 48 hours (docs/mailpartner-api.md#delivery-status): the demo's pending message waits that long. */
const MAX_REPORT_DELAY_MS = 48 * HOUR_MS;

const mailbox = (name) => `${name}@sandbox.mailpartner.invalid`;
const account = (username, balance, pricePerMail, more) => ({ username, currency: 'EUR', balance, pricePerMail, subaccounts: [], unsubscribes: [], messages: {}, ...more });
const recipient = (email, token, finalStatus = 'Delivered', finalStopMail = false) => ({ email, token, finalStatus, finalStopMail, cost: 1 });
/** Sent at `sentAt`; its recipients show their final status from `settledAt` on. */
const message = (messageId, sentAt, settledAt, recipients) => ({ [messageId]: { messageId, sentAt, settledAt, recipients } });

function pagesState() {
	const subaccount = (id, apiKey, balance = 0) => ({ id, email: `email${id}`, type: 'simple', token: `token${id}`, apiKey, createdAt: '2016-03-04 11:23:14', balance, currency: 'EUR', mailsSent: 0 });
	// The list sample says total 29 but shows two: the other 27 only need to exist.
	const others = Array.from({ length: 27 }, (_, i) => subaccount(i + 3, `ApiKey${i + 3} du sous compte`));
	return {
		accounts: {
			// The /me page's e-mail obfuscation artefact, kept verbatim: a no-break space (U+00A0)
			// between the words. The create page's copy has a plain space (see README).
			[PAGES_KEY]: account('[email\u00a0protected]', 10225.119, 0.038, {
				subaccounts: [subaccount(1, 'ApiKey sous compte', 0.8), subaccount(2, 'ApiKey2 du sous compte', 10.245), ...others],
				// The list page's sample entry.
				unsubscribes: [{ id: 19, email: 'xxx@www.com', createdAt: '2015-07-20 10:19:45' }],
				messages: message('xxx', 1599061040000, 1599061044000, [recipient('email1', 'xxx', 'Delivered', true), recipient('email2', 'yyy', 'Delivered', true)]),
			}),
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
	const subaccounts = Array.from({ length: subaccountCount }, (_, i) => {
		const [id, n] = [i + 1, pad(i + 1)];
		// Date.UTC rolls day numbers past the month's end over into the next months.
		const createdAt = formatDateTime(Date.UTC(2024, 0, id, 9, 30, 0));
		return { id, email: mailbox(`client-${n}`), type: id % 3 === 0 ? 'advanced' : 'simple', token: `demo-token-${n}`, apiKey: `demo-subaccount-key-${n}`, createdAt, balance: (id % 5) * 1.25, currency: 'EUR', mailsSent: 0 };
	});
	const hourAgo = nowMs - HOUR_MS;
	return {
		accounts: {
			// 0.05 € a mail makes 250.000 EUR buy exactly 5000 mails.
			[DEMO_KEY]: account('demo@sandbox.mailpartner.invalid', 250, 0.05, {
				subaccounts,
				unsubscribes: [
					{ id: 1, email: mailbox('former-client'), createdAt: '2024-03-01 08:15:00' },
					{ id: 2, email: mailbox('no-more-news'), createdAt: '2024-03-02 17:40:00' },
				],
				messages: {
					...message('1001', hourAgo, hourAgo + 5000, [recipient(mailbox('alice'), 'demo-1001-1'), recipient(mailbox('bob'), 'demo-1001-2'), recipient(mailbox('bounce'), 'demo-1001-3', 'Bounced')]),
					...message('1002', nowMs - 60 * 1000, nowMs - 60 * 1000 + MAX_REPORT_DELAY_MS, [recipient(mailbox('carol'), 'demo-1002-1')]),
				},
			}),
			// Its own account (not an alias of the demo one), with enough to exercise every operation.
			[HOSTILE_KEY]: account('hostile@sandbox.mailpartner.invalid', 100, 0.05, {
				subaccounts: subaccounts.slice(0, 3).map((sub) => ({ ...sub, email: `hostile-${sub.email}`, token: `hostile-${sub.token}`, apiKey: `hostile-${sub.apiKey}` })),
				messages: message('1001', hourAgo, hourAgo + 5000, [recipient(mailbox('dave'), 'hostile-1001-1')]),
			}),
			[EMPTY_KEY]: account('empty@sandbox.mailpartner.invalid', 0, 0.05),
		},
		nextSubaccountId: subaccountCount + 1,
		nextStopId: 3,
		nextMessageId: 1003,
		pendingTokens: [],
	};
}

const seeds = { pages: pagesState, demo: demoState };

module.exports = { seeds, PAGES_KEY, DEMO_KEY, EMPTY_KEY, HOSTILE_KEY };
