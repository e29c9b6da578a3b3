#!/usr/bin/env node
'use strict';
/**
 * `node e2e/trigger.e2e.js`: the MailPartner Trigger in a real n8n (2.41.1 on Node 24 unless
 * MAILPARTNER_N8N_VERSION says otherwise), against the sandbox, end to end:
 *
 *   - two published workflows poll every minute: Credits Below 200 EUR, and New Unsubscribe;
 *   - the sandbox's credits are lowered and addresses unsubscribed through its own API, and
 *     exactly one execution appears per event (none while the account stays low);
 *   - n8n is stopped, an address is unsubscribed while it is down, n8n starts again: that address
 *     gives exactly one execution, and the drop already reported gives none;
 *   - the account goes back above and drops again: one more execution;
 *   - examples/credit-top-up.json runs once through `n8n execute` and moves what it says.
 *
 * Polls run once a minute (n8n's shortest interval), so this takes about 8 minutes. Exit code 0
 * when every check passed. E2E_KEEP=1 keeps the throwaway folder with n8n's and the sandbox's logs.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { createRequire } = require('node:module');
const rt = require('../n8n/runtime');
const h = require('./helpers');

rt.setLogPrefix('[trigger-e2e]');
rt.stopOnSignals();

const TRIGGER_TYPE = 'n8n-nodes-mailpartner.mailPartnerTrigger';
const CREDITS_ID = 'mpE2eCreditsLow1';
const UNSUBSCRIBE_ID = 'mpE2eUnsubscrib1';
const THRESHOLD = 200;
/** How long to wait for a poll or an execution: a minute's poll plus n8n's own pace. */
const POLL_WAIT_MS = 150_000;

function triggerWorkflow(id, name, parameters) {
	return {
		id,
		name,
		active: false,
		isArchived: false,
		nodes: [
			{
				parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...parameters },
				id: `00000000-0000-4000-8000-${id === CREDITS_ID ? '000000000701' : '000000000801'}`,
				name: 'MailPartner Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				credentials: { mailPartnerApi: { id: rt.CREDENTIAL_ID, name: rt.CREDENTIAL_NAME } },
			},
			{
				parameters: {},
				id: `00000000-0000-4000-8000-${id === CREDITS_ID ? '000000000702' : '000000000802'}`,
				name: 'Event',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
			},
		],
		connections: { 'MailPartner Trigger': { main: [[{ node: 'Event', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-trigger-e2e-'));
	const logs = path.join(dir, 'logs');
	fs.mkdirSync(logs, { recursive: true });
	rt.log(`throwaway folder: ${dir}`);
	let n8n = null;
	let sandbox = null;
	try {
		const [tarball] = await Promise.all([rt.buildAndPack(path.join(dir, 'pack')), rt.ensureN8n()]);
		const userFolder = path.join(dir, 'user');
		await rt.installPackage(userFolder, tarball);
		sandbox = await rt.startSandbox({ state: 'demo', logFile: path.join(logs, 'sandbox.log') });
		const api = sandboxApi(sandbox.baseUrl);
		const env = rt.n8nEnv({ userFolder, port: await rt.freePort(), brokerPort: await rt.freePort(), owner: rt.LOCAL_OWNER });
		await rt.importCredentials(env, [rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: sandbox.baseUrl })]);
		const topUp = rt.loadExamples().find((e) => e.file === 'credit-top-up.json');
		assert.ok(topUp, 'examples/credit-top-up.json exists');
		await rt.importWorkflows(env, [
			topUp.workflow,
			triggerWorkflow(CREDITS_ID, 'e2e – credits below', { event: 'creditsBelow', unit: 'euros', threshold: THRESHOLD }),
			triggerWorkflow(UNSUBSCRIBE_ID, 'e2e – new unsubscribe', { event: 'newUnsubscribe' }),
		]);

		// The credit top-up example, headless: 18 of the 45 demo subaccounts are below 2.50 EUR.
		const run = await h.execute(env, topUp.workflow.id);
		fs.writeFileSync(path.join(logs, 'credit-top-up.out'), `${run.stdout}\n${run.stderr}`);
		assert.equal(run.code, 0, `n8n execute of the top-up example exited ${run.code}:\n${rt.tail(run.stderr, 15)}`);
		const moved = h.items(h.parseRun(run.stdout), 'Top up to 5 EUR');
		assert.equal(moved.length, 18, `18 top-ups, got ${moved.length}`);
		const state = await api.state();
		assert.equal(state.requests.byRoute['POST /subaccount/credit/add'], 18, 'each top-up reached MailPartner exactly once');
		assert.ok(state.accounts[rt.SANDBOX_KEYS.demo].subaccounts.every((sub) => sub.balance >= 2.5), 'no subaccount left below 2.50 EUR');
		assert.equal(state.accounts[rt.SANDBOX_KEYS.demo].balance, 250 - 78.75, 'the main balance paid exactly the 18 top-ups');
		rt.log('credit-top-up example: 18 moves, each received once, balances right');
		await api.reset();

		for (const id of [CREDITS_ID, UNSUBSCRIBE_ID]) await rt.n8nCliChecked(`publish ${id}`, ['publish:workflow', `--id=${id}`], { env });

		n8n = await startN8n(env, logs, 'n8n-1.log');
		let session = await h.restLogin(n8n.url);
		const count = async (workflowId) => (await executions(n8n.url, session, workflowId)).length;

		// Activation polled once: that poll is the baseline (250 EUR, two addresses), no execution.
		await waitFor(async () => {
			const { credits, unsubscribes } = await api.polls();
			return credits >= 1 && unsubscribes >= 1;
		}, 'the polls made at activation');
		await api.waitForPolls(1, 1); // and one scheduled poll of each, still nothing
		assert.equal(await count(CREDITS_ID), 0, 'no credits event at the baseline');
		assert.equal(await count(UNSUBSCRIBE_ID), 0, 'no unsubscribe event at the baseline');

		// The account drops below the threshold: one execution, and no other while it stays low.
		await api.post('/subaccount/credit/add', { credit: '60', tokenSubaccount: 'demo-token-01' }); // 190 EUR
		await waitFor(async () => (await count(CREDITS_ID)) >= 1, 'the credits event');
		await api.post('/unsubscribe/add', { email: 'e2e-first@example.com' });
		await waitFor(async () => (await count(UNSUBSCRIBE_ID)) >= 1, 'the first unsubscribe event');
		await api.waitForPolls(2, 2);
		assert.equal(await count(CREDITS_ID), 1, 'exactly one credits execution while the account stays low');
		assert.equal(await count(UNSUBSCRIBE_ID), 1, 'exactly one execution for one new address');
		const [first] = await executions(n8n.url, session, UNSUBSCRIBE_ID);
		assert.deepEqual(await eventEmails(n8n.url, session, first.id), ['e2e-first@example.com']);
		const [drop] = await executions(n8n.url, session, CREDITS_ID);
		const dropItems = await eventItems(n8n.url, session, drop.id);
		assert.equal(dropItems.length, 1);
		assert.equal(dropItems[0].value, 190);
		rt.log('drop and first unsubscribe: one execution each');

		// n8n restarts; an address is unsubscribed while it is down.
		await n8n.stop();
		n8n = null;
		await api.post('/unsubscribe/add', { email: 'e2e-while-down@example.com' });
		n8n = await startN8n(env, logs, 'n8n-2.log');
		session = await h.restLogin(n8n.url);
		await waitFor(async () => (await count(UNSUBSCRIBE_ID)) >= 2, 'the unsubscribe made while n8n was down');
		await api.waitForPolls(2, 2);
		assert.equal(await count(UNSUBSCRIBE_ID), 2, 'the address added while n8n was down: exactly one execution, the first one not repeated');
		assert.equal(await count(CREDITS_ID), 1, 'the drop already reported is not reported again after the restart');
		const newest = (await executions(n8n.url, session, UNSUBSCRIBE_ID)).sort((a, b) => Number(b.id) - Number(a.id))[0];
		assert.deepEqual(await eventEmails(n8n.url, session, newest.id), ['e2e-while-down@example.com']);
		rt.log('restart: nothing repeated, nothing lost');

		// Back above (re-armed), then below again: one more execution.
		await api.post('/subaccount/credit/remove', { credit: '60', tokenSubaccount: 'demo-token-01' }); // 250 EUR
		await api.waitForPolls(2, 0);
		assert.equal(await count(CREDITS_ID), 1, 'going back above is no event');
		await api.post('/subaccount/credit/add', { credit: '100', tokenSubaccount: 'demo-token-01' }); // 150 EUR
		await waitFor(async () => (await count(CREDITS_ID)) >= 2, 'the second drop');
		await api.waitForPolls(1, 0);
		assert.equal(await count(CREDITS_ID), 2, 'exactly one execution for the second drop');
		for (const execution of await executions(n8n.url, session, CREDITS_ID)) assert.equal(execution.status, 'success');

		const logText = fs.readdirSync(logs).map((file) => fs.readFileSync(path.join(logs, file), 'utf8')).join('\n');
		h.assertNoSecret(logText, [rt.SANDBOX_KEYS.demo], 'the logs of n8n and the sandbox');
		rt.log('PASS: one execution per event, across a restart; the key in no log');
	} finally {
		if (n8n) await n8n.stop();
		if (sandbox) await sandbox.stop();
		await rt.stopAll(10000);
		if (process.env.E2E_KEEP === '1') rt.log(`kept ${dir}`);
		else fs.rmSync(dir, { recursive: true, force: true });
	}
}

async function startN8n(env, logs, file) {
	const n8n = await rt.startN8n({ env, logFile: path.join(logs, file), timeoutMs: 240000 });
	rt.log(`n8n answers on ${n8n.url} (${rt.formatSeconds(n8n.ms)})`);
	return n8n;
}

/** The sandbox's own API with the demo key (what MailPartner's site would change), and its control routes. */
function sandboxApi(baseUrl) {
	const origin = new URL(baseUrl).origin;
	const state = async () => (await (await fetch(`${origin}/__sandbox/state`)).json()).state;
	const polls = async () => {
		const byRoute = (await state()).requests.byRoute;
		return { credits: byRoute['GET /me'] ?? 0, unsubscribes: byRoute['GET /unsubscribe/list'] ?? 0 };
	};
	return {
		state,
		polls,
		reset: async () => assert.equal((await fetch(`${origin}/__sandbox/reset`, { method: 'POST' })).status, 200),
		async post(route, body) {
			const res = await fetch(`${baseUrl}${route}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ apiKey: rt.SANDBOX_KEYS.demo, ...body }),
			});
			const answer = await res.json();
			assert.equal(answer.success, true, `${route}: ${JSON.stringify(answer)}`);
			return answer;
		},
		/** Waits until the credits and the unsubscribe workflows have each polled this many more times. */
		async waitForPolls(credits, unsubscribes) {
			const start = await polls();
			await waitFor(async () => {
				const now = await polls();
				return now.credits - start.credits >= credits && now.unsubscribes - start.unsubscribes >= unsubscribes;
			}, `${credits} credits poll(s) and ${unsubscribes} unsubscribe poll(s)`);
			// The poll answered; give n8n a moment to start the execution it may emit.
			await rt.sleep(3000);
		},
	};
}

async function waitFor(check, what, timeoutMs = POLL_WAIT_MS) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out after ${rt.formatSeconds(timeoutMs)} waiting for ${what}`);
		await rt.sleep(1000);
	}
}

/** The executions of a workflow, from n8n's REST API as the editor lists them. */
async function executions(url, session, workflowId) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const r = await h.rest(url, 'GET', `/rest/executions?filter=${filter}&limit=100`, session);
	assert.equal(r.status, 200, `GET /rest/executions: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	const results = r.json.data.results ?? r.json.data;
	return results.filter((execution) => String(execution.workflowId) === workflowId);
}

/** The items the trigger emitted in one execution (n8n stores run data "flatted"). */
async function eventItems(url, session, executionId) {
	const r = await h.rest(url, 'GET', `/rest/executions/${executionId}`, session);
	assert.equal(r.status, 200, `GET /rest/executions/${executionId}: HTTP ${r.status}`);
	const { parse } = createRequire(path.join(rt.n8nDir(), 'node_modules', 'n8n', 'package.json'))('flatted');
	const data = parse(r.json.data.data);
	return data.resultData.runData['MailPartner Trigger'][0].data.main[0].map((item) => item.json);
}

async function eventEmails(url, session, executionId) {
	return (await eventItems(url, session, executionId)).map((item) => item.email);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(`[trigger-e2e] FAIL: ${error.stack || error.message}`);
		process.exit(1);
	},
);
