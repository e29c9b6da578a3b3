'use strict';
/**
 * Part 5 of the e2e run: the MailPartner Trigger in an active n8n, with its own n8n and sandbox.
 * Two published workflows poll every 10 s (Credits Below 200 EUR, New Unsubscribe); the credits
 * are lowered and addresses unsubscribed through the sandbox's API, as on MailPartner's site, and
 * exactly one execution must appear per event, none while the account stays low, none repeated or
 * lost across an n8n restart. This part takes about 2.5 minutes.
 * Each step is a test, in order; a step fails at once when an earlier one did.
 */
const path = require('node:path');
const fs = require('node:fs');
const assert = require('node:assert/strict');
const { setTimeout: sleep } = require('node:timers/promises');
const { describe, it } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');

const CREDITS_ID = 'mpE2eCreditsLow1';
const UNSUBSCRIBE_ID = 'mpE2eUnsubscrib1';
/**
 * Poll times: every 10 s. n8n refuses one cron that fires more than once a minute (a wildcard or
 * list in the seconds field), but takes several poll times, each a custom cron at one fixed second,
 * and registers a cron per expression: six of them poll every 10 s (n8n 1.123 to 2.41).
 */
const POLL_TIMES = { item: [0, 10, 20, 30, 40, 50].map((second) => ({ mode: 'custom', cronExpression: `${second} * * * * *` })) };
/** How long to wait for a poll or an execution: two poll periods plus n8n's own pace. */
const POLL_WAIT_MS = 45_000;

/** A published workflow: the MailPartner Trigger, polling every 10 s, then a No Op named "Event". */
const triggerWorkflow = (id, name, parameters) =>
	h.chain(id, name, [
		{ name: 'MailPartner Trigger', type: `${rt.PACKAGE_NAME}.mailPartnerTrigger`, credentials: h.CREDENTIALS, parameters: { pollTimes: POLL_TIMES, ...parameters } },
		{ name: 'Event', type: 'n8n-nodes-base.noOp' },
	]);

describe('part 5: the MailPartner Trigger, polled every 10 s by an active n8n', () => {
	const s = { n8n: null, session: null, failed: false };
	/** Each step runs only when the steps before it passed. */
	const step = (name, fn) =>
		it(name, async (t) => {
			assert.ok(!s.failed, 'an earlier step failed');
			s.failed = true;
			await fn(t);
			s.failed = false;
		});
	const polls = async () => {
		const { byRoute } = (await h.sandboxState(s.sandbox.baseUrl)).requests;
		return { credits: byRoute['GET /me'] ?? 0, unsubscribes: byRoute['GET /unsubscribe/list'] ?? 0 };
	};
	/** Waits until the credits and the unsubscribe workflows have each polled this many more times. */
	const morePolls = async (credits, unsubscribes) => {
		const start = await polls();
		await h.until(async () => {
			const now = await polls();
			return now.credits - start.credits >= credits && now.unsubscribes - start.unsubscribes >= unsubscribes;
		}, `${credits} credits poll(s) and ${unsubscribes} unsubscribe poll(s)`, POLL_WAIT_MS);
		// The poll answered; give n8n a moment to start the execution it may emit.
		await sleep(3000);
	};
	const executions = (workflowId) => h.executions(s.n8n.url, s.session, workflowId);
	const count = async (workflowId) => (await executions(workflowId)).length;
	const countReaches = (workflowId, n, what) => h.until(async () => (await count(workflowId)) >= n, what, POLL_WAIT_MS);
	/** The items the trigger emitted in the newest execution of the workflow. */
	const newestEvent = async (workflowId) => {
		const [newest] = await executions(workflowId);
		return h.items(await h.execution(s.n8n.url, s.session, newest.id), 'MailPartner Trigger');
	};
	/** What MailPartner's site would change, through the sandbox's own API with the demo key. */
	const api = async (route, body) => {
		const r = await h.rest(s.sandbox.baseUrl, 'POST', route, { body: { apiKey: rt.SANDBOX_KEYS.demo, ...body } });
		assert.equal(r.json?.success, true, `${route}: ${r.text}`);
	};
	const startN8n = async (logName) => {
		s.n8n = await h.startServer(s.env, logName);
		s.session = await h.restLogin(s.n8n.url);
	};

	step('setup: build and pack, n8n installed, sandbox, imports', async () => {
		s.topUp = rt.loadExamples().find((e) => e.file === 'credit-top-up.json');
		assert.ok(s.topUp, 'examples/credit-top-up.json exists');
		const workflows = [
			s.topUp.workflow,
			triggerWorkflow(CREDITS_ID, 'e2e – credits below', { event: 'creditsBelow', unit: 'euros', threshold: 200 }),
			triggerWorkflow(UNSUBSCRIBE_ID, 'e2e – new unsubscribe', { event: 'newUnsubscribe' }),
		];
		Object.assign(s, await h.prepareN8n({ workflows })); // s.sandbox, s.env
	});

	step('the credit top-up example moves 18 top-ups, each received once, and the balances are right', async () => {
		// 18 of the 45 demo subaccounts are below 2.50 EUR.
		const r = await h.execute(s.env, s.topUp.workflow.id);
		assert.equal(r.code, 0, `n8n execute of the top-up example exited ${r.code ?? r.signal}:\n${rt.tail(r.stderr, 15)}`);
		const moved = h.items(h.parseRun(r.stdout), 'Top up to 5 EUR');
		assert.equal(moved.length, 18, `18 top-ups, got ${moved.length}`);
		const state = await h.sandboxState(s.sandbox.baseUrl);
		assert.equal(state.requests.byRoute['POST /subaccount/credit/add'], 18, 'each top-up reached MailPartner exactly once');
		const account = state.accounts[rt.SANDBOX_KEYS.demo];
		assert.ok(account.subaccounts.every((sub) => sub.balance >= 2.5), 'no subaccount left below 2.50 EUR');
		assert.equal(account.balance, 250 - 78.75, 'the main balance paid exactly the 18 top-ups');
		await h.sandboxControl(s.sandbox.baseUrl, 'reset');
	});

	step('activation: the first polls are the baseline, no execution', async () => {
		await startN8n('n8n-1.log');
		await h.publish(s.n8n.url, s.session, [{ id: CREDITS_ID }, { id: UNSUBSCRIBE_ID }]);
		// Activation polled once: that poll is the baseline (250 EUR, two addresses).
		await h.until(async () => {
			const { credits, unsubscribes } = await polls();
			return credits >= 1 && unsubscribes >= 1;
		}, 'the polls made at activation', POLL_WAIT_MS);
		await morePolls(1, 1); // and one scheduled poll of each, still nothing
		assert.equal(await count(CREDITS_ID), 0, 'no credits event at the baseline');
		assert.equal(await count(UNSUBSCRIBE_ID), 0, 'no unsubscribe event at the baseline');
	});

	step('a drop below the threshold and a new unsubscribe: one execution each, none while the account stays low', async () => {
		await api('/subaccount/credit/add', { credit: '60', tokenSubaccount: 'demo-token-01' }); // 190 EUR
		await countReaches(CREDITS_ID, 1, 'the credits event');
		await api('/unsubscribe/add', { email: 'e2e-first@example.com' });
		await countReaches(UNSUBSCRIBE_ID, 1, 'the first unsubscribe event');
		await morePolls(2, 2);
		assert.equal(await count(CREDITS_ID), 1, 'exactly one credits execution while the account stays low');
		assert.equal(await count(UNSUBSCRIBE_ID), 1, 'exactly one execution for one new address');
		assert.deepEqual((await newestEvent(UNSUBSCRIBE_ID)).map((item) => item.email), ['e2e-first@example.com']);
		assert.deepEqual((await newestEvent(CREDITS_ID)).map((item) => item.value), [190], 'one item: the balance after the drop');
	});

	step('n8n restarts, an address is unsubscribed while it is down: one execution for it, nothing repeated', async () => {
		await s.n8n.stop();
		await api('/unsubscribe/add', { email: 'e2e-while-down@example.com' });
		await startN8n('n8n-2.log');
		await countReaches(UNSUBSCRIBE_ID, 2, 'the unsubscribe made while n8n was down');
		await morePolls(2, 2);
		assert.equal(await count(UNSUBSCRIBE_ID), 2, 'the address added while n8n was down: exactly one execution, the first one not repeated');
		assert.equal(await count(CREDITS_ID), 1, 'the drop already reported is not reported again after the restart');
		assert.deepEqual((await newestEvent(UNSUBSCRIBE_ID)).map((item) => item.email), ['e2e-while-down@example.com']);
	});

	step('back above the threshold is no event; the next drop is one more execution', async () => {
		await api('/subaccount/credit/remove', { credit: '60', tokenSubaccount: 'demo-token-01' }); // 250 EUR
		await morePolls(2, 0);
		assert.equal(await count(CREDITS_ID), 1, 'going back above is no event');
		await api('/subaccount/credit/add', { credit: '100', tokenSubaccount: 'demo-token-01' }); // 150 EUR
		await countReaches(CREDITS_ID, 2, 'the second drop');
		await morePolls(1, 0);
		assert.equal(await count(CREDITS_ID), 2, 'exactly one execution for the second drop');
		for (const execution of await executions(CREDITS_ID)) assert.equal(execution.status, 'success');
	});

	step('the API key is in no log of n8n or the sandbox', async () => {
		const logs = await h.logsDir();
		const text = fs.readdirSync(logs).map((file) => fs.readFileSync(path.join(logs, file), 'utf8')).join('\n');
		h.assertNoSecret(text, [rt.SANDBOX_KEYS.demo], 'the logs of n8n and the sandbox');
	});
});
