'use strict';
/**
 * Part 4 of the e2e run: n8n in queue mode, as production runs it (queue-setup.js: Redis, Postgres,
 * an n8n main and two workers, the package in every instance). The examples run through webhooks of the
 * main, so the workers execute them, and are checked like part 1's; then the Send and Wait cases
 * (send-and-wait.js) started and resumed on the workers; then a 5 000-recipient campaign (10
 * executions at once, a send per recipient, then its Get Status) under the sandbox's 2 000 a
 * minute limit; last, no log and no byte of the database holds the API key.
 */
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const q = require('./queue-setup');
const { EXPECT } = require('./examples');
const sendAndWait = require('./send-and-wait');

// Issue 20's campaign: 5 000 recipients, as 10 executions of 500 that both workers take.
const CAMPAIGN_EXECUTIONS = 10;
const CAMPAIGN_ITEMS = 500;
/** MailPartner's documented limit, which the sandbox enforces during the campaign. */
const RATE_LIMIT = { requests: 2000, windowMs: 60000 };

/** The example with a Webhook of the same name instead of its Manual Trigger, so the connections stay. */
function webhookCopy(workflow, id, name, pathSuffix) {
	const copy = Object.assign(structuredClone(workflow), { id, name, active: false });
	const trigger = copy.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	assert.ok(trigger, `${workflow.id} starts with a Manual Trigger`);
	Object.assign(trigger, q.webhookNode(trigger.name, pathSuffix));
	return copy;
}

/** Node options of the campaign's Send and Get Status: 950 requests a minute, the README's share for 2 workers (1 900 ÷ 2). */
const LOAD_OPTIONS = { requestsPerMinute: 950 };

/** One execution: a send to each of its `CAMPAIGN_ITEMS` recipients (batch `body.batch`), then Get Status of each send. */
const campaignWorkflow = () =>
	h.chain('mpQueueLoad00001', `e2e queue campaign: ${CAMPAIGN_ITEMS} recipients`, [
		// Answers at once: the campaign outlasts fetch's 5-minute wait for headers; its executions are read back.
		q.webhookNode('Webhook', 'load', 'onReceived'),
		{ name: 'Recipients', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: `return Array.from({ length: ${CAMPAIGN_ITEMS} }, (_, i) => ({ json: { email: \`r\${$input.first().json.body.batch}-\${i}@example.com\` } }));` } },
		{
			name: 'Send',
			type: rt.NODE_TYPE,
			credentials: h.CREDENTIALS,
			parameters: { resource: 'message', operation: 'send', subject: 'October news', htmlContent: '<p>Hello</p><p>#UNSUBSCRIBE_LINK#</p>', recipientsFrom: 'list', to: '={{ $json.email }}', sandbox: false, options: LOAD_OPTIONS },
		},
		// Simplify off (where the node has it): one result per message, its recipients in a list.
		{ name: 'Get status', type: rt.NODE_TYPE, credentials: h.CREDENTIALS, parameters: { resource: 'message', operation: 'getStatus', messageId: '={{ $json.messageId }}', simplify: false, options: LOAD_OPTIONS } },
		// What a user would check: one result per recipient, no error, each paired with its own item.
		{
			name: 'Count',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			parameters: {
				jsCode: [
					'const all = $input.all();',
					'const withRecipient = all.filter((i) => Array.isArray(i.json.StatutResponseList) && i.json.StatutResponseList.length === 1).length;',
					'const errors = all.filter((i) => i.json.error !== undefined || i.error !== undefined).map((i) => i.json.error || i.error);',
					'const paired = new Set(all.map((i) => i.pairedItem && i.pairedItem.item)).size;',
					'return [{ json: { results: all.length, withRecipient, errors, paired, executionId: $execution.id } }];',
				].join('\n'),
			},
		},
	]);

/** The examples a webhook can start in place of their Manual Trigger (trigger examples are polled). */
const manualExamples = () => rt.loadExamples().filter(({ workflow }) => h.startsManually(workflow));

const infra = h.lazy(async () => {
	const examples = manualExamples().map(({ file, workflow }) => ({
		file,
		json: webhookCopy(workflow, `q${workflow.id.slice(1)}`, `${workflow.name} (queue, JSON)`, `${workflow.id}-json`),
		xml: webhookCopy(h.variant(workflow, { id: workflow.id, name: workflow.name, format: 'xml' }), `r${workflow.id.slice(1)}`, `${workflow.name} (queue, XML)`, `${workflow.id}-xml`),
	}));
	const load = campaignWorkflow();
	const queue = await q.startQueueMode({ workflows: [...examples.flatMap((e) => [e.json, e.xml]), ...sendAndWait.WORKFLOWS, load] });
	return { ...queue, examples, load };
});

describe('part 4: queue mode (Redis, Postgres, an n8n main and two workers)', () => {
	let session;
	it('setup: Redis, Postgres, sandbox, package in every instance, imports, main and two workers', async (t) => {
		const { debian, packages, services, imports, start, publish } = (await infra()).timings;
		t.diagnostic(`Debian packages ${debian} (${packages} with build/pack/n8n), Redis + Postgres + sandbox ${services}, package installs + imports ${imports}, main + workers ready ${start}, publish ${publish}`);
	});

	it('the main serves the community node type (POST /rest/login, /types/nodes.json)', async () => {
		const { main } = await infra();
		session = await h.restLogin(main.url);
		const r = await h.rest(main.url, 'GET', '/types/nodes.json', session);
		assert.equal(r.status, 200);
		assert.equal(r.json.filter((d) => d.name === rt.NODE_TYPE).length, 1, `${rt.NODE_TYPE} in /types/nodes.json`);
	});

	for (const { file } of manualExamples()) {
		for (const format of ['json', 'xml']) {
			it(`examples/${file} through a webhook, executed by a worker (${format.toUpperCase()})`, async (t) => {
				const { main, workers, sandbox, examples } = await infra();
				assert.ok(session, 'logged in');
				const wf = examples.find((e) => e.file === file)[format];
				if (format === 'json' || EXPECT[file].resetBetween) await h.sandboxControl(sandbox.baseUrl, 'reset');
				const r = await q.callWebhook(main.url, wf, { timeoutMs: 180000 });
				assert.equal(r.status, 200, `webhook: HTTP ${r.status} ${r.text.slice(0, 300)}`);
				const [newest] = await h.executions(main.url, session, wf.id);
				assert.ok(newest, `no execution of ${wf.id}`);
				const run = await h.execution(main.url, session, newest.id);
				assert.equal(run.status, 'success', `execution ${run.id}: ${run.status}`);
				EXPECT[file].check(run);
				const by = q.workerStarts(workers, run.id);
				assert.equal(by.length, 1, `execution ${run.id} was started by one worker, not ${JSON.stringify(by)}`);
				t.diagnostic(`execution ${run.id} on ${by[0]}`);
			});
		}
	}

	sendAndWait.registerCases('Send and Wait for Response in n8n 2.41.1, queue mode (main + 2 workers)', async () => {
		const { main, workers, sandbox, session } = await infra();
		return { url: main.url, sandbox, session, runsOnWorkers: (id) => q.workerStarts(workers, id).length };
	});

	it(`a ${CAMPAIGN_EXECUTIONS * CAMPAIGN_ITEMS}-recipient campaign, ${CAMPAIGN_EXECUTIONS} executions at once under the sandbox's 2 000/min limit: each recipient sent once, then its Get Status; no 429 reaches the user`, async (t) => {
		const { main, workers, sandbox, load } = await infra();
		await h.sandboxControl(sandbox.baseUrl, 'reset');
		// The demo balance (250 EUR at 0.05) pays exactly 5 000 mails: room for a retry's double.
		await h.sandboxControl(sandbox.baseUrl, 'balance', { balance: 1000 });
		await h.sandboxControl(sandbox.baseUrl, 'faults', { rateLimit: RATE_LIMIT });
		const started = Date.now();
		const batches = Array.from({ length: CAMPAIGN_EXECUTIONS }, (_, batch) => batch);
		const answers = await Promise.all(batches.map((batch) => q.callWebhook(main.url, load, { body: { batch } })));
		for (const a of answers) assert.equal(a.status, 200, `webhook: HTTP ${a.status} ${a.text.slice(0, 300)}`);
		let done = [];
		const finished = async () => (done = (await h.executions(main.url, session, load.id)).filter((e) => !['new', 'running', 'waiting'].includes(e.status))).length >= CAMPAIGN_EXECUTIONS;
		await h.until(finished, `${CAMPAIGN_EXECUTIONS} campaign executions to finish`, 20 * 60 * 1000, 5000);
		const ms = Date.now() - started;
		const { requests, accounts } = await h.sandboxState(sandbox.baseUrl);
		await h.sandboxControl(sandbox.baseUrl, 'faults', {});
		const runs = await Promise.all(done.map((e) => h.execution(main.url, session, e.id)));
		// Say why, as a user would find it in the executions list: each failed execution's error.
		const failed = runs.filter((r) => r.status !== 'success').map((r) => `${r.id} ${r.status}: ${r.data.resultData.lastNodeExecuted}: ${r.data.resultData.error?.message}`);
		assert.deepEqual(failed, [], `every execution succeeds (after ${rt.formatSeconds(ms)}; sandbox 429s: ${requests.rejected429})`);
		const results = runs.map((r) => h.items(r, 'Count')[0]);
		for (const r of results) {
			assert.deepEqual(r.errors, [], `no output item holds an error: ${JSON.stringify(r).slice(0, 500)}`);
			assert.equal(r.results, CAMPAIGN_ITEMS, `one Get Status result per recipient: ${JSON.stringify(r)}`);
			assert.equal(r.withRecipient, CAMPAIGN_ITEMS, `every result has its recipient: ${JSON.stringify(r)}`);
			assert.equal(r.paired, CAMPAIGN_ITEMS, `every result is paired with its own input item: ${JSON.stringify(r)}`);
		}
		// Every recipient in exactly one message the sandbox kept: none lost, none sent twice.
		const sent = Object.values(accounts[rt.SANDBOX_KEYS.demo].messages).flatMap((m) => m.recipients.map((r) => r.email)).filter((e) => /^r\d+-\d+@example\.com$/.test(e));
		const expected = batches.flatMap((b) => Array.from({ length: CAMPAIGN_ITEMS }, (_, i) => `r${b}-${i}@example.com`));
		assert.equal(sent.length, expected.length, `recipients the sandbox received (${new Set(sent).size} distinct)`);
		assert.deepEqual([...sent].sort(), [...expected].sort(), 'each recipient sent exactly once');
		const ids = results.map((r) => String(r.executionId));
		assert.equal(new Set(ids).size, CAMPAIGN_EXECUTIONS, 'distinct executions');
		const perWorker = Object.fromEntries(workers.map((w) => [w.name, ids.filter((id) => q.workerStarts([w], id).length > 0).length]));
		for (const [name, n] of Object.entries(perWorker)) assert.ok(n > 0, `${name} executed none of the campaign: ${JSON.stringify(perWorker)}`);
		assert.equal(Object.values(perWorker).reduce((a, b) => a + b, 0), CAMPAIGN_EXECUTIONS, `each execution on exactly one worker: ${JSON.stringify(perWorker)}`);
		const rate = ((requests.byRoute['POST /send'] + requests.byRoute['GET /bulk-status']) / (ms / 60000)).toFixed(0);
		t.diagnostic(`${expected.length} recipients sent once in ${rt.formatSeconds(ms)}; sandbox requests ${JSON.stringify(requests)} (${rate}/min), 429s answered by the sandbox: ${requests.rejected429}; executions per worker ${JSON.stringify(perWorker)}; node options ${JSON.stringify(LOAD_OPTIONS)}`);
	});

	it('the API key is in no log and not in the database', async () => {
		const { logsDir, pgDump } = await infra();
		const files = fs.readdirSync(logsDir).map((f) => path.join(logsDir, f));
		assert.ok(files.length >= 5, `logs: ${files.map((f) => path.basename(f))}`);
		for (const f of files) h.assertNoSecret(fs.readFileSync(f, 'utf8'), h.KEYS, path.basename(f));
		// The whole database as text: execution data, workflows, credentials (stored encrypted).
		const dump = await pgDump();
		assert.ok(dump.includes(rt.CREDENTIAL_ID), 'the dump holds the credential row');
		assert.ok(dump.length > 100000, `the dump holds the executions (${dump.length} bytes)`);
		h.assertNoSecret(dump, h.KEYS, 'the database dump');
	});
});
