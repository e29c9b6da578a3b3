'use strict';
/**
 * Message → Send and Wait for Response in a real n8n (2.41.1 on Node 24), against the sandbox: one
 * published workflow per case (Webhook → Send and Wait in sandbox mode → No Op "After"), started
 * through its webhook. The mail the sandbox kept (GET /__sandbox/state) gives the link, used as the
 * recipient would against n8n's own waiting-webhook endpoint: a GET shows a page and the execution
 * still waits; the page's button (a POST) resumes it with the answer the After node receives; a
 * second POST gets "No action required"; a forged signature n8n's 401. Limit Wait Time ends with an
 * explicit no-answer item (n8n's wait tracker looks every 60 s). One definition of the cases, run
 * on part 3's n8n with sqlite (editor.test.js) and in part 4's queue mode (queue.test.js): there a
 * worker sends the mail and signs the link, the main checks it and the answer resumes the
 * execution on a worker.
 */
const { randomUUID } = require('node:crypto');
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const q = require('./queue-setup');

const QUESTION = 'Publish the <October> newsletter? "Yes" & go';

/**
 * One workflow per case: its own webhook path (or `trigger`) and mail subject, so cases never mix:
 * `trigger` → Send and Wait "Ask" (sandbox mode) → No Op "After".
 */
function askWorkflow(key, parameters, trigger = q.webhookNode('Webhook', `saw-${key}`, 'onReceived')) {
	const askId = randomUUID();
	const subject = `Question ${key}`;
	const workflow = h.chain(`mpSaw${key.padEnd(11, '0').slice(0, 11)}`, `e2e send and wait: ${key}`, [
		trigger,
		{
			id: askId,
			name: 'Ask',
			type: rt.NODE_TYPE,
			credentials: h.CREDENTIALS,
			parameters: { resource: 'message', operation: 'sendAndWait', to: 'ada@example.com', subject, message: QUESTION, sandbox: true, ...parameters },
		},
		{ name: 'After', type: 'n8n-nodes-base.noOp' },
	]);
	return { workflow, key, askId, subject };
}

const CASES = {
	approve: askWorkflow('approve', {}),
	decline: askWorkflow('decline', { approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes', disapproveLabel: 'No' } } }),
	freeText: askWorkflow('freetext', { responseType: 'freeText' }),
	limit: askWorkflow('limit', { options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0.1, resumeUnit: 'minutes' } } } }),
};
const WORKFLOWS = Object.values(CASES).map((c) => c.workflow);

/** HTTP as a browser: no redirect followed (a GET of a link shows its page). */
async function request(url, { method = 'GET', headers = {}, body } = {}) {
	const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(60000) });
	return { status: res.status, text: await res.text(), headers: res.headers };
}

/** The execution as n8n stored it (REST, as the editor reads it). */
const execution = (target, id) => h.execution(target.url, target.session, id);

/** The execution once it left the waiting state. */
async function settled(target, id, timeoutMs = 30000) {
	return await h.until(async () => {
		const e = await execution(target, id);
		return e.status === 'waiting' || e.status === 'running' || e.status === 'new' ? null : e;
	}, `execution ${id} to finish`, timeoutMs, 500);
}

/** What the node after Send and Wait received. */
function afterItems(e) {
	const run = e.data.resultData.runData.After;
	assert.ok(run, `the After node ran (last node: ${e.data.resultData.lastNodeExecuted}, error: ${e.data.resultData.error && e.data.resultData.error.message})`);
	return run[0].data.main[0].map((item) => item.json);
}

/**
 * Starts the case's workflow and returns the mail the sandbox kept, its links (with `&amp;` read
 * back), and the waiting execution's id (it is in the link: /webhook-waiting/<id>/<node id>).
 */
async function startAndReadMail(target, c) {
	// No retry on 404: the workflows were published through n8n's REST API on the running n8n, which
	// registers their webhooks before it answers.
	const started = await q.callWebhook(target.url, c.workflow, { body: { case: c.key } });
	assert.equal(started.status, 200, `webhook: HTTP ${started.status} ${started.text.slice(0, 200)}`);
	const mail = await h.sentMail(target.sandbox.baseUrl, c.subject);
	const links = [...mail.htmlContent.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
	assert.ok(links.length > 0, `the mail has links: ${mail.htmlContent}`);
	const match = new RegExp(`/webhook-waiting/(\\d+)/${c.askId}\\?`).exec(links[0]);
	assert.ok(match, `the link is n8n's resume URL of the node: ${links[0]}`);
	const id = match[1];
	await h.until(async () => (await execution(target, id)).status === 'waiting', `execution ${id} waits`, 30000, 500);
	return { mail, links, id };
}

/** The page's button: a form POST to the link. */
const post = (url, fields = {}) => request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/**
 * The cases, as a suite named `name`, against the n8n that `setup` gives: `{ url, sandbox, session }`
 * and, in queue mode, `runsOnWorkers(id)` (how often the workers' logs say they ran execution `id`).
 * `setup` runs lazily, at the first case: a name filter that leaves the suite out starts nothing.
 */
function registerCases(name, setup) {
	describe(name, () => {
		const target = {};
		const ready = h.lazy(async () => Object.assign(target, await setup()));
		const test = (title, fn) => it(title, async () => fn(await ready()));

		/** In queue mode: the execution ran on a worker, started and resumed (twice in the workers' logs). */
		const ranOnWorkers = (id) => {
			if (target.runsOnWorkers) assert.equal(target.runsOnWorkers(id), 2, `execution ${id}: started and resumed on the workers`);
		};

		test('Approval: the mail is kept by the sandbox, a GET shows the page and does not resume, the button approves, a second answer is refused', async () => {
			const { mail, links, id } = await startAndReadMail(target, CASES.approve);
			assert.equal(mail.sandbox, true, 'sent in sandbox mode');
			assert.match(mail.htmlContent, /Publish the &lt;October&gt; newsletter\? &quot;Yes&quot; &amp; go/);
			assert.equal(new URL(links[0]).searchParams.get('approved'), 'true');

			// A mail scanner opens the link: a page, no answer.
			for (let i = 0; i < 2; i++) {
				const page = await request(links[0], { headers: { 'user-agent': 'Mozilla/5.0 (link scanner)' } });
				assert.equal(page.status, 200, page.text.slice(0, 300));
				assert.match(page.text, /<form method="post">/);
				assert.match(page.text, /Publish the &lt;October&gt; newsletter\?/);
			}
			assert.equal((await execution(target, id)).status, 'waiting', 'a GET does not resume the execution');

			const forged = new URL(links[0]);
			forged.searchParams.set('signature', '0'.repeat(64));
			const refused = await post(forged.toString());
			assert.equal(refused.status, 401, 'a forged signature is refused by n8n');
			assert.equal((await execution(target, id)).status, 'waiting');

			const answered = await post(links[0]);
			assert.equal(answered.status, 200, answered.text.slice(0, 300));
			assert.match(answered.text, /Got it, thanks/);
			const done = await settled(target, id);
			assert.equal(done.status, 'success');
			const [item] = afterItems(done);
			assert.equal(item.data.approved, true);
			assert.ok(!Number.isNaN(Date.parse(item.data.respondedAt)), 'respondedAt is a date');

			const again = await post(links[0]);
			assert.match(again.text, /No action required/, `second answer: HTTP ${again.status}`);
			assert.equal(afterItems(await execution(target, id)).length, 1);
			ranOnWorkers(id);
		});

		test('Approve and Decline: Decline gives approved false', async () => {
			const { links, id, mail } = await startAndReadMail(target, CASES.decline);
			assert.deepEqual(links.map((l) => new URL(l).searchParams.get('approved')), ['true', 'false']);
			assert.match(mail.htmlContent, />No<\/a>/);
			const page = await request(links[1]);
			assert.match(page.text, /<button type="submit">No<\/button>/);
			assert.equal((await execution(target, id)).status, 'waiting');
			const answered = await post(links[1]);
			assert.equal(answered.status, 200);
			const [item] = afterItems(await settled(target, id));
			assert.equal(item.data.approved, false);
			ranOnWorkers(id);
		});

		test('Free Text: the page is a form, an empty answer is refused, the text resumes the execution', async () => {
			const { links, id } = await startAndReadMail(target, CASES.freeText);
			const page = await request(links[0]);
			assert.match(page.text, /<textarea name="text"/);
			const empty = await post(links[0], { text: '  ' });
			assert.equal(empty.status, 400);
			assert.equal((await execution(target, id)).status, 'waiting');
			const answered = await post(links[0], { text: 'Not before Monday <please>' });
			assert.equal(answered.status, 200, answered.text.slice(0, 300));
			const [item] = afterItems(await settled(target, id));
			assert.equal(item.data.text, 'Not before Monday <please>');
			ranOnWorkers(id);
		});

		test('Limit Wait Time: without an answer the execution goes on with an explicit no-answer item', async () => {
			const { id } = await startAndReadMail(target, CASES.limit);
			// 6 s of wait; n8n's wait tracker looks for due executions every 60 s.
			const done = await settled(target, id, 150000);
			assert.equal(done.status, 'success');
			assert.deepEqual(afterItems(done), [{ data: { answered: false, timedOut: true } }], 'no answer: one explicit item');
			assert.deepEqual(h.items(done, 'Webhook')[0].body, { case: 'limit' }, 'the node before keeps its own output');
			ranOnWorkers(id);
		});
	});
}

module.exports = { WORKFLOWS, registerCases, askWorkflow, request, post };
