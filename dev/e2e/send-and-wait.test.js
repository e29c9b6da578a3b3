'use strict';
/**
 * Message → Send and Wait for Response in a real n8n (2.41.1 on Node 24), against the local
 * sandbox: `node --test dev/e2e/send-and-wait.test.js`. Self-contained on purpose (it uses only
 * dev/n8n/runtime.js): the packed package, `n8n start` with sqlite, one published workflow per case
 * (Webhook → MailPartner Send and Wait in sandbox mode → No Op "After").
 *
 * Each case starts its workflow through its webhook, reads the mail the sandbox kept (subject and
 * HTML, GET /__sandbox/state), takes the link as the recipient would, and drives n8n's own
 * waiting-webhook endpoint: a GET of the link shows a page and the execution still waits; the
 * page's button (a POST to the same URL) resumes it with the answer, which the After node
 * receives; a second POST gets n8n's "No action required"; a link with a forged signature gets
 * n8n's 401. Limit Wait Time ends a wait with no answer (n8n's wait tracker looks every 60 s:
 * that case takes about a minute). E2E_KEEP=1 keeps the throwaway folder and the logs.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const assert = require('node:assert/strict');
const { describe, it, before, after } = require('node:test');
const rt = require('../n8n/runtime');

rt.setLogPrefix('[send-and-wait]');
rt.stopOnSignals();

const QUESTION = 'Publish the <October> newsletter? "Yes" & go';

/** One workflow per case: its own webhook path and mail subject, so cases never mix. */
function askWorkflow(key, parameters) {
	const askId = randomUUID();
	const workflow = {
		id: `mpSaw${key.padEnd(11, '0').slice(0, 11)}`,
		name: `e2e send and wait: ${key}`,
		active: false,
		isArchived: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: `mailpartner-saw-${key}`, responseMode: 'onReceived', options: {} },
			},
			{
				id: askId,
				name: 'Ask',
				type: rt.NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'message',
					operation: 'sendAndWait',
					to: 'ada@example.com',
					subject: `Question ${key}`,
					message: QUESTION,
					sandbox: true,
					...parameters,
				},
				credentials: { mailPartnerApi: { id: rt.CREDENTIAL_ID, name: rt.CREDENTIAL_NAME } },
			},
			{ id: randomUUID(), name: 'After', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 0], parameters: {} },
		],
		connections: {
			Webhook: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
			Ask: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
		},
	};
	return { workflow, key, askId, subject: `Question ${key}`, path: `mailpartner-saw-${key}` };
}

const CASES = {
	approve: askWorkflow('approve', {}),
	decline: askWorkflow('decline', { approvalOptions: { values: { approvalType: 'double', approveLabel: 'Yes', disapproveLabel: 'No' } } }),
	freeText: askWorkflow('freetext', { responseType: 'freeText' }),
	limit: askWorkflow('limit', { options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0.1, resumeUnit: 'minutes' } } } }),
};

const state = {};

before(async () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-saw-'));
	state.dir = dir;
	const logs = path.join(dir, 'logs');
	fs.mkdirSync(logs, { recursive: true });
	rt.log(`throwaway folder: ${dir}`);
	const [tarball] = await Promise.all([rt.buildAndPack(path.join(dir, 'pack')), rt.ensureN8n()]);
	const userFolder = path.join(dir, 'user');
	await rt.installPackage(userFolder, tarball);
	state.sandbox = await rt.startSandbox({ state: 'demo', logFile: path.join(logs, 'sandbox.log') });
	const env = rt.n8nEnv({ userFolder, port: await rt.freePort(), brokerPort: await rt.freePort(), owner: rt.LOCAL_OWNER });
	await rt.importCredentials(env, [rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: state.sandbox.baseUrl })]);
	const workflows = Object.values(CASES).map((c) => c.workflow);
	await rt.importWorkflows(env, workflows);
	// Webhooks answer only for published workflows.
	for (const wf of workflows) await rt.n8nCliChecked(`n8n publish:workflow --id=${wf.id}`, ['publish:workflow', `--id=${wf.id}`], { env });
	state.n8n = await rt.startN8n({ env, logFile: path.join(logs, 'n8n.log'), timeoutMs: 300000 });
	state.session = await login(state.n8n.url);
});

after(async () => {
	await rt.stopAll(15000);
	if (state.dir && !process.env.E2E_KEEP) fs.rmSync(state.dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// HTTP as a browser and as the editor.

async function request(url, { method = 'GET', headers = {}, body } = {}) {
	const res = await fetch(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(60000) });
	return { status: res.status, text: await res.text(), headers: res.headers };
}

async function login(baseUrl) {
	const res = await request(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': 'e2e-saw' },
		body: JSON.stringify({ emailOrLdapLoginId: rt.LOCAL_OWNER.email, password: rt.LOCAL_OWNER.password }),
	});
	assert.equal(res.status, 200, `POST /rest/login: HTTP ${res.status} ${res.text.slice(0, 200)}`);
	const auth = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
	assert.ok(auth, 'login sets the n8n-auth cookie');
	return { cookie: auth.split(';')[0], 'browser-id': 'e2e-saw' };
}

function flattedParse() {
	const p = require.resolve('flatted', { paths: [path.join(rt.n8nDir(), 'node_modules', 'n8n')] });
	return require(p).parse;
}

/** The execution as n8n stored it (REST, as the editor reads it). */
async function execution(id) {
	const res = await request(`${state.n8n.url}/rest/executions/${id}`, { headers: state.session });
	assert.equal(res.status, 200, `GET /rest/executions/${id}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
	const { data } = JSON.parse(res.text);
	return { status: data.status, data: flattedParse()(data.data) };
}

async function until(what, check, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`${what}: not within ${rt.formatSeconds(timeoutMs)}`);
		await rt.sleep(500);
	}
}

/** The execution once it left the waiting state (or still waiting after `timeoutMs`). */
async function settled(id, timeoutMs = 30000) {
	return await until(`execution ${id} finishes`, async () => {
		const e = await execution(id);
		return e.status === 'waiting' || e.status === 'running' || e.status === 'new' ? null : e;
	}, timeoutMs);
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
async function startAndReadMail(c) {
	const origin = new URL(state.sandbox.baseUrl).origin;
	// n8n registers published workflows' webhooks shortly after /healthz answers: 404 until then.
	let started;
	await until(`the webhook ${c.path} is registered`, async () => {
		started = await request(`${state.n8n.url}/webhook/${c.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ case: c.key }) });
		return started.status !== 404;
	}, 60000);
	assert.equal(started.status, 200, `webhook: HTTP ${started.status} ${started.text.slice(0, 200)}`);
	const mail = await until(`the sandbox receives the mail "${c.subject}"`, async () => {
		const res = await request(`${origin}/__sandbox/state`);
		const messages = Object.values(JSON.parse(res.text).state.accounts[rt.SANDBOX_KEYS.demo].messages);
		return messages.filter((m) => m.subject === c.subject).at(-1);
	}, 60000);
	const links = [...mail.htmlContent.matchAll(/href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
	assert.ok(links.length > 0, `the mail has links: ${mail.htmlContent}`);
	const match = new RegExp(`/webhook-waiting/(\\d+)/${c.askId}\\?`).exec(links[0]);
	assert.ok(match, `the link is n8n's resume URL of the node: ${links[0]}`);
	const id = match[1];
	await until(`execution ${id} waits`, async () => (await execution(id)).status === 'waiting', 30000);
	return { mail, links, id };
}

const form = (fields) => ({
	method: 'POST',
	headers: { 'content-type': 'application/x-www-form-urlencoded' },
	body: new URLSearchParams(fields).toString(),
});

// ---------------------------------------------------------------------------------------------

describe('Send and Wait for Response in n8n 2.41.1', () => {
	it('Approval: the mail is kept by the sandbox, a GET shows the page and does not resume, the button approves, a second answer is refused', async () => {
		const { mail, links, id } = await startAndReadMail(CASES.approve);
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
		assert.equal((await execution(id)).status, 'waiting', 'a GET does not resume the execution');

		const forged = new URL(links[0]);
		forged.searchParams.set('signature', '0'.repeat(64));
		const refused = await request(forged.toString(), form({}));
		assert.equal(refused.status, 401, 'a forged signature is refused by n8n');
		assert.equal((await execution(id)).status, 'waiting');

		const answered = await request(links[0], form({}));
		assert.equal(answered.status, 200, answered.text.slice(0, 300));
		assert.match(answered.text, /Got it, thanks/);
		const done = await settled(id);
		assert.equal(done.status, 'success');
		const [item] = afterItems(done);
		assert.equal(item.data.approved, true);
		assert.ok(!Number.isNaN(Date.parse(item.data.respondedAt)), 'respondedAt is a date');

		const again = await request(links[0], form({}));
		assert.match(again.text, /No action required/, `second answer: HTTP ${again.status}`);
		assert.equal(afterItems(await execution(id)).length, 1);
	});

	it('Approve and Decline: Decline gives approved false', async () => {
		const { links, id, mail } = await startAndReadMail(CASES.decline);
		assert.deepEqual(links.map((l) => new URL(l).searchParams.get('approved')), ['true', 'false']);
		assert.match(mail.htmlContent, />No<\/a>/);
		const page = await request(links[1]);
		assert.match(page.text, /<button type="submit">No<\/button>/);
		assert.equal((await execution(id)).status, 'waiting');
		const answered = await request(links[1], form({}));
		assert.equal(answered.status, 200);
		const [item] = afterItems(await settled(id));
		assert.equal(item.data.approved, false);
	});

	it('Free Text: the page is a form, an empty answer is refused, the text resumes the execution', async () => {
		const { links, id } = await startAndReadMail(CASES.freeText);
		const page = await request(links[0]);
		assert.match(page.text, /<textarea name="text"/);
		const empty = await request(links[0], form({ text: '  ' }));
		assert.equal(empty.status, 400);
		assert.equal((await execution(id)).status, 'waiting');
		const answered = await request(links[0], form({ text: 'Not before Monday <please>' }));
		assert.equal(answered.status, 200, answered.text.slice(0, 300));
		const [item] = afterItems(await settled(id));
		assert.equal(item.data.text, 'Not before Monday <please>');
	});

	it('Limit Wait Time: without an answer the execution goes on with the input items, no data', async () => {
		const { id } = await startAndReadMail(CASES.limit);
		// 6 s of wait; n8n's wait tracker looks for due executions every 60 s.
		const done = await settled(id, 150000);
		assert.equal(done.status, 'success');
		const [item] = afterItems(done);
		assert.equal(item.data, undefined, 'no answer: no data');
		assert.deepEqual(item.body, { case: 'limit' }, 'the item that came in goes on unchanged');
	});
});
