'use strict';
/**
 * Part 4 of the e2e run: n8n in queue mode, as production runs it (queue-setup.js: Redis, Postgres,
 * an n8n main and two workers, the package in every instance). The examples run through webhooks of
 * the main, so the workers execute them, and are checked like part 1's; then 20 executions of 500
 * Get Status items each start at once; last, no log and no byte of the database holds the API key.
 */
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const q = require('./queue-setup');
const { EXPECT } = require('./examples');

const LOAD_EXECUTIONS = 20;
const LOAD_ITEMS = 500;

/** The example with a Webhook of the same name instead of its Manual Trigger, so the connections stay. */
function webhookCopy(workflow, id, name, pathSuffix) {
	const copy = Object.assign(structuredClone(workflow), { id, name, active: false });
	const trigger = copy.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	assert.ok(trigger, `${workflow.id} starts with a Manual Trigger`);
	Object.assign(trigger, q.webhookNode(trigger.name, pathSuffix));
	return copy;
}

/** Node options of the load's Get Status: its defaults, as a user's; MAILPARTNER_E2E_LOAD_OPTIONS (JSON, e.g. {"timeout":120}) sets some, to see the rest of the chain while a default fails. */
const loadOptions = () => JSON.parse(process.env.MAILPARTNER_E2E_LOAD_OPTIONS || '{}');

const loadWorkflow = () =>
	h.chain('mpQueueLoad00001', `e2e queue load: ${LOAD_ITEMS} Get Status items`, [
		q.webhookNode('Webhook', 'load'),
		{ name: 'Message ids', type: 'n8n-nodes-base.code', typeVersion: 2, parameters: { jsCode: `return Array.from({ length: ${LOAD_ITEMS} }, (_, i) => ({ json: { messageId: '1001', n: i } }));` } },
		// Simplify off (where the node has it): one result per message, its recipients in a list.
		{ name: 'Get status', type: rt.NODE_TYPE, credentials: h.CREDENTIALS, parameters: { resource: 'message', operation: 'getStatus', messageId: '={{ $json.messageId }}', simplify: false, options: loadOptions() } },
		// What a user would check: one result per input item, each with its recipients.
		{
			name: 'Count',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			parameters: {
				jsCode: [
					'const all = $input.all();',
					'const withRecipients = all.filter((i) => Array.isArray(i.json.StatutResponseList) && i.json.StatutResponseList.length === 3).length;',
					'const paired = new Set(all.map((i) => i.pairedItem && i.pairedItem.item)).size;',
					'return [{ json: { results: all.length, withRecipients, paired, executionId: $execution.id } }];',
				].join('\n'),
			},
		},
	]);

/** The examples a webhook can start in place of their Manual Trigger (trigger examples are polled). */
const manualExamples = () => h.loadExamples().filter(({ workflow }) => h.startsManually(workflow));

const infra = h.lazy(async () => {
	const examples = manualExamples().map(({ file, workflow }) => ({
		file,
		json: webhookCopy(workflow, `q${workflow.id.slice(1)}`, `${workflow.name} (queue, JSON)`, `${workflow.id}-json`),
		xml: webhookCopy(h.variant(workflow, { id: workflow.id, name: workflow.name, format: 'xml' }), `r${workflow.id.slice(1)}`, `${workflow.name} (queue, XML)`, `${workflow.id}-xml`),
	}));
	const load = loadWorkflow();
	const queue = await q.startQueueMode({ workflows: [...examples.flatMap((e) => [e.json, e.xml]), load] });
	return { ...queue, examples, load };
});

describe('part 4: queue mode (Redis, Postgres, an n8n main and two workers)', () => {
	let session;
	it('setup: Redis, Postgres, sandbox, package in every instance, imports, main and two workers', async (t) => {
		const { debian, packages, services, imports, start } = (await infra()).timings;
		t.diagnostic(`Debian packages ${debian} (${packages} with build/pack/n8n), Redis + Postgres + sandbox ${services}, package installs + imports + publish ${imports}, main + workers ready ${start}`);
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

	it(`${LOAD_EXECUTIONS} executions of ${LOAD_ITEMS} Get Status items at once: both workers take some, nothing is lost`, async (t) => {
		const { main, workers, sandbox, load } = await infra();
		await h.sandboxControl(sandbox.baseUrl, 'reset');
		const started = Date.now();
		const answers = await Promise.all(Array.from({ length: LOAD_EXECUTIONS }, () => q.callWebhook(main.url, load, { timeoutMs: 15 * 60 * 1000 })));
		const ms = Date.now() - started;
		const failed = answers.filter((a) => a.status !== 200);
		if (failed.length > 0) {
			// Say why, as a user would find it in the executions list: each failed execution's error.
			const errors = {};
			for (const e of (await h.executions(main.url, session, load.id)).filter((x) => x.status !== 'success')) {
				const { resultData } = (await h.execution(main.url, session, e.id)).data;
				const key = `${resultData.lastNodeExecuted}: ${resultData.error?.message}`;
				errors[key] = (errors[key] || 0) + 1;
			}
			assert.fail(`${failed.length} of ${LOAD_EXECUTIONS} executions failed after ${rt.formatSeconds(ms)} (HTTP ${failed[0].status} ${failed[0].text.slice(0, 100)}); their errors: ${JSON.stringify(errors)}`);
		}
		const results = answers.map((a) => a.json);
		const total = results.reduce((s, r) => s + r.results, 0);
		assert.equal(total, LOAD_EXECUTIONS * LOAD_ITEMS, `results over all executions`);
		for (const r of results) {
			assert.equal(r.withRecipients, LOAD_ITEMS, `every item has its 3 recipients: ${JSON.stringify(r)}`);
			assert.equal(r.paired, LOAD_ITEMS, `every item is paired with its own input item: ${JSON.stringify(r)}`);
		}
		const ids = results.map((r) => String(r.executionId));
		assert.equal(new Set(ids).size, LOAD_EXECUTIONS, 'twenty distinct executions');
		const perWorker = Object.fromEntries(workers.map((w) => [w.name, ids.filter((id) => q.workerStarts([w], id).length > 0).length]));
		for (const [name, n] of Object.entries(perWorker)) assert.ok(n > 0, `${name} executed none of the load: ${JSON.stringify(perWorker)}`);
		assert.equal(Object.values(perWorker).reduce((a, b) => a + b, 0), LOAD_EXECUTIONS, `each execution on exactly one worker: ${JSON.stringify(perWorker)}`);
		const { requests } = await h.sandboxState(sandbox.baseUrl);
		assert.equal(requests.byRoute['GET /bulk-status'], LOAD_EXECUTIONS * LOAD_ITEMS, `status requests the sandbox answered: ${JSON.stringify(requests)}`);
		const rate = (total / (ms / 1000)).toFixed(0);
		t.diagnostic(`${total} results in ${rt.formatSeconds(ms)} (${rate} items/s); executions per worker ${JSON.stringify(perWorker)}; node options ${JSON.stringify(loadOptions())}`);
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
