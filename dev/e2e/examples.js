'use strict';
/**
 * What each example workflow must give, checked on every run of it (part 1 through `n8n execute`,
 * part 4 through a worker): `check(run)` asserts on the output items; `compare` names the nodes
 * whose items must be the same in JSON and XML mode (after `mask`); `resetBetween` asks for a
 * fresh sandbox between the JSON and the XML run.
 */
const assert = require('node:assert/strict');
const { items } = require('./helpers');

/** Per example: assertions on one run, and what to compare between JSON and XML. */
const EXPECT = {
	'check-credits-before-campaign.json': {
		check(run) {
			const out = items(run, 'Get credits');
			assert.equal(out.length, 1, 'Get credits: one item');
			const [credits] = out;
			assert.equal(typeof credits.user.username, 'string');
			assert.ok(credits.user.username.length > 0, 'username is set');
			assert.equal(credits.credits.currency, 'EUR');
			// Euros as a number (MailPartner writes the text "250.000").
			assert.strictEqual(credits.credits.balance, 250, `balance the number 250, got ${JSON.stringify(credits.credits.balance)}`);
			assert.equal(typeof credits.credits.creditMail, 'number');
			assert.ok(credits.credits.creditMail >= 1000, 'creditMail ≥ 1000');
			const ready = items(run, 'Ready to send');
			assert.ok(ready && ready.length === 1, 'the ok branch ran with one item');
			assert.equal(ready[0].campaignReady, true);
			assert.strictEqual(ready[0].balanceEuros, 250, `balanceEuros 250, got ${JSON.stringify(ready[0].balanceEuros)}`);
			assert.equal(run.data.resultData.runData['Not enough credits'], undefined, 'the error branch did not run');
		},
		compare: ['Get credits', 'Ready to send'],
	},
	'list-all-subaccounts.json': {
		check(run) {
			const out = items(run, 'List subaccounts');
			assert.equal(out.length, 45, `45 subaccounts, got ${out.length}`);
			const ids = new Set();
			for (const s of out) {
				for (const k of ['id', 'email', 'type', 'token', 'createdAt', 'credits']) {
					assert.ok(k in s, `subaccount has ${k}: ${JSON.stringify(s)}`);
				}
				// Each subaccount's own key only with Include API Keys, which the example leaves off.
				assert.ok(!('apiKey' in s), `no apiKey by default: ${JSON.stringify(s)}`);
				assert.ok('balance' in s.credits && 'currency' in s.credits, 'credits {balance, currency}');
				assert.equal(typeof s.credits.balance, 'number', `balance in euros as a number: ${JSON.stringify(s.credits)}`);
				ids.add(String(s.id));
			}
			assert.equal(ids.size, 45, 'ids are unique');
		},
		compare: ['List subaccounts'],
	},
	'create-subaccount.json': {
		check(run) {
			const out = items(run, 'Create subaccount');
			assert.equal(out.length, 1, 'one item');
			const [c] = out;
			assert.equal(c.subaccount.email, 'newsletter-team@example.com');
			assert.equal(typeof c.subaccount.token, 'string');
			assert.ok(c.subaccount.token.length > 0, 'token is set');
			assert.equal(typeof c.sendConfirmMailTo, 'string');
			assert.equal(typeof c.parent_email, 'string');
			assert.ok(c.parent_email.includes('@'), 'parent_email is an e-mail');
		},
		compare: ['Create subaccount'],
		resetBetween: true,
		// New subaccounts get random tokens: compare everything else.
		mask: (json) => ({ ...json, subaccount: { ...json.subaccount, token: '<random>' } }),
	},
	'credit-top-up.json': {
		check(run) {
			const listed = items(run, 'List subaccounts');
			assert.equal(listed.length, 45, `45 subaccounts listed, got ${listed.length}`);
			assert.ok(listed.every((s) => typeof s.credits.balance === 'number'), 'every balance is a number');
			const low = listed.filter((s) => s.credits.balance < 2.5);
			const filtered = items(run, 'Below 2.50 EUR') || [];
			assert.deepEqual(filtered.map((s) => String(s.id)), low.map((s) => String(s.id)), 'the filter keeps exactly the subaccounts below 2.50 EUR');
			const toppedUp = items(run, 'Top up to 5 EUR') || [];
			assert.equal(toppedUp.length, low.length, `one top-up per subaccount below 2.50 EUR (${low.length})`);
			// Each move names its subaccount and the euros moved, and both balances after it are numbers.
			assert.deepEqual(
				toppedUp.map((t) => [t.subaccount, t.amount, typeof t.credit, typeof t.subaccountCredit]),
				low.map((s) => [s.token, Number((5 - s.credits.balance).toFixed(2)), 'number', 'number']),
				'each top-up names its subaccount and the amount moved',
			);
		},
		compare: ['List subaccounts', 'Below 2.50 EUR'],
		resetBetween: true,
	},
	'send-and-follow.json': {
		check(run) {
			// Sandbox mode: nothing is sent or charged; the sandbox reports the bounce address as Bounced.
			const sent = items(run, 'Send (sandbox mode)');
			assert.equal(sent.length, 1, 'one send');
			assert.ok(sent[0].messageId !== undefined && sent[0].messageId !== null, `the send has a message id: ${JSON.stringify(sent[0])}`);
			const recipients = items(run, 'Get status per recipient');
			assert.equal(recipients.length, 3, `one item per recipient, got ${recipients.length}`);
			const statusOf = Object.fromEntries(recipients.map((r) => [r.email, r.status]));
			assert.deepEqual(Object.values(statusOf).sort(), ['Bounced', 'Delivered', 'Delivered'], JSON.stringify(statusOf));
			assert.equal(items(run, 'Delivered').length, 2, 'two delivered');
			const other = items(run, 'Not delivered');
			assert.equal(other.length, 1, 'one not delivered');
			assert.equal(other[0].needsFollowUp, true);
			assert.equal(other[0].status, 'Bounced');
		},
		// Each send gets a new message id, tokens and dates: compare who got which status.
		compare: ['Get status per recipient'],
		mask: (json) => ({ email: json.email, status: json.status }),
		resetBetween: true,
	},
	'check-send-status.json': {
		check(run) {
			const out = items(run, 'Get status');
			assert.equal(out.length, 3, 'Get status: one item per recipient');
			for (const r of out) {
				assert.equal(r.messageId, '1001');
				for (const k of ['email', 'token', 'status', 'cost', 'stopMail', 'date', 'dateIso']) assert.ok(k in r, `recipient has ${k}`);
			}
			assert.deepEqual(out.map((r) => r.status).sort(), ['Bounced', 'Delivered', 'Delivered']);
			const undelivered = items(run, 'Not delivered?', 0);
			const delivered = items(run, 'Not delivered?', 1);
			assert.deepEqual(undelivered.map((r) => r.status), ['Bounced'], 'one undelivered recipient');
			assert.equal(delivered.length, 2, 'two delivered recipients');
			const flagged = items(run, 'Undelivered');
			assert.equal(flagged.length, 1);
			assert.equal(flagged[0].needsFollowUp, true);
			assert.equal(flagged[0].messageId, '1001', 'messageId carried to each recipient');
		},
		compare: ['Get status', 'Undelivered', 'Delivered'],
	},
};

module.exports = { EXPECT };
