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
 * n8n's 401. Limit Wait Time ends a wait with an explicit no-answer item (n8n's wait tracker looks every 60 s:
 * that case takes up to about a minute).
 *
 * The same cases run twice: on one n8n with sqlite, then in queue mode (Redis and Postgres from
 * Debian's packages, 127.0.0.1 only, an n8n main and two workers, WEBHOOK_URL the main's on every
 * instance, as n8n's queue-mode docs ask): a worker sends the mail and signs the link, the main
 * checks the signature and the answer resumes the execution on a worker. `--test-name-pattern
 * sqlite` (or `queue`) runs one of them. E2E_KEEP=1 keeps the throwaway folder and the logs.
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

const WORKFLOWS = Object.values(CASES).map((c) => c.workflow);

/** Shared by both setups: the throwaway folder and the packed package (built once). */
let shared = null;
function prepare() {
	shared ??= (async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-saw-'));
		rt.log(`throwaway folder: ${dir}`);
		const [tarball] = await Promise.all([rt.buildAndPack(path.join(dir, 'pack')), rt.ensureN8n()]);
		return { dir, tarball };
	})();
	return shared;
}

after(async () => {
	await rt.stopAll(15000);
	const { dir } = shared ? await shared : {};
	if (dir && !process.env.E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

/** Credential, workflows, published (webhooks answer only for published workflows). */
async function importAll(env, sandbox) {
	await rt.importCredentials(env, [rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: sandbox.baseUrl })]);
	await rt.importWorkflows(env, WORKFLOWS);
	for (const wf of WORKFLOWS) await rt.n8nCliChecked(`n8n publish:workflow --id=${wf.id}`, ['publish:workflow', `--id=${wf.id}`], { env });
}

/** One n8n, sqlite. */
async function sqliteSetup() {
	const { dir: root, tarball } = await prepare();
	const dir = path.join(root, 'sqlite');
	const logs = path.join(dir, 'logs');
	fs.mkdirSync(logs, { recursive: true });
	const userFolder = path.join(dir, 'user');
	await rt.installPackage(userFolder, tarball);
	const sandbox = await rt.startSandbox({ state: 'demo', logFile: path.join(logs, 'sandbox.log') });
	const env = rt.n8nEnv({ userFolder, port: await rt.freePort(), brokerPort: await rt.freePort(), owner: rt.LOCAL_OWNER });
	await importAll(env, sandbox);
	const n8n = await rt.startN8n({ env, logFile: path.join(logs, 'n8n.log'), timeoutMs: 300000 });
	return { url: n8n.url, sandbox, session: await login(n8n.url) };
}

// Queue mode: Redis, Postgres, a main and two workers.

const DB = { user: 'n8n', password: 'n8n-e2e-local-only', database: 'postgres' };
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function postgresBinDir() {
	const base = '/usr/lib/postgresql';
	const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
	return versions.length ? path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin') : null;
}

/** Postgres refuses to run as root: its programs run as the Debian package's `postgres` user then. */
const asPostgres = (cmd, args) => (isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

async function waitForHttp(what, url, child, timeoutMs) {
	let exited = null;
	child.exited.then((e) => (exited = e));
	await until(what, async () => {
		if (exited) throw new Error(`${what}: the process exited with ${exited.code}\n${rt.tail(child.stdoutText)}\n${rt.tail(child.stderrText)}`);
		return (await rt.httpGet(url, 3000)).status === 200;
	}, timeoutMs);
}

async function startRedis(dir, logs) {
	fs.mkdirSync(dir, { recursive: true });
	const port = await rt.freePort();
	const child = rt.spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
		cwd: dir,
		logFile: path.join(logs, 'redis.log'),
	});
	await until('redis answers', async () => /Ready to accept connections/.test(child.stdoutText), 30000);
	return port;
}

async function startPostgres(dir, logs) {
	const bin = postgresBinDir();
	assert.ok(bin, 'Postgres is installed (apt-get install -y --no-install-recommends postgresql redis-server)');
	fs.mkdirSync(dir, { recursive: true });
	const pwFile = path.join(dir, 'pwfile');
	fs.writeFileSync(pwFile, `${DB.password}\n`, { mode: 0o600 });
	if (isRoot) {
		await rt.runChecked('chown', 'chown', ['-R', 'postgres:postgres', dir]);
		// runuser must reach the folder: mkdtemp makes the throwaway root private (0700).
		for (let d = path.dirname(dir); d.startsWith(os.tmpdir()) && d !== os.tmpdir(); d = path.dirname(d)) fs.chmodSync(d, 0o711);
	}
	const data = path.join(dir, 'data');
	const [initCmd, initArgs] = asPostgres(path.join(bin, 'initdb'), ['-D', data, '-U', DB.user, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '--no-sync', '-E', 'UTF8', '--locale=C']);
	await rt.runChecked('initdb', initCmd, initArgs, { cwd: dir, timeoutMs: 120000 });
	fs.rmSync(pwFile, { force: true });
	const port = await rt.freePort();
	// Throwaway data: durability off, to keep the shared machine's disk quiet.
	const [cmd, args] = asPostgres(path.join(bin, 'postgres'), ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']);
	const child = rt.spawnTracked(cmd, args, { cwd: dir, logFile: path.join(logs, 'postgres.log') });
	await until('postgres accepts connections', async () => /ready to accept connections/.test(child.stderrText + child.stdoutText), 60000);
	return port;
}

async function queueSetup() {
	const { dir: root, tarball } = await prepare();
	const dir = path.join(root, 'queue');
	const logs = path.join(dir, 'logs');
	fs.mkdirSync(logs, { recursive: true });
	const [redisPort, postgresPort] = await Promise.all([startRedis(path.join(dir, 'redis'), logs), startPostgres(path.join(dir, 'postgres'), logs)]);
	const sandbox = await rt.startSandbox({ state: 'demo', logFile: path.join(logs, 'sandbox.log') });
	const folders = ['main', 'worker-1', 'worker-2'].map((name) => path.join(dir, name));
	await Promise.all(folders.map((folder) => rt.installPackage(folder, tarball)));
	const mainPort = await rt.freePort();
	const common = {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgresPort),
		DB_POSTGRESDB_DATABASE: DB.database,
		DB_POSTGRESDB_USER: DB.user,
		DB_POSTGRESDB_PASSWORD: DB.password,
		N8N_LOG_LEVEL: 'info',
		N8N_DISABLED_MODULES: 'mcp-registry',
		// The resume URL a worker puts in the mail must be the main's: one WEBHOOK_URL everywhere.
		WEBHOOK_URL: `http://127.0.0.1:${mainPort}/`,
	};
	const mainEnv = rt.n8nEnv({ userFolder: folders[0], port: mainPort, brokerPort: await rt.freePort(), owner: rt.LOCAL_OWNER, extra: common });
	await importAll(mainEnv, sandbox);
	const main = await rt.startN8n({ env: mainEnv, logFile: path.join(logs, 'main.log'), timeoutMs: 300000 });
	const workers = [];
	for (const [index, folder] of folders.slice(1).entries()) {
		const healthPort = await rt.freePort();
		const env = rt.n8nEnv({
			userFolder: folder,
			port: await rt.freePort(),
			brokerPort: await rt.freePort(),
			extra: { ...common, QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' },
		});
		const logFile = path.join(logs, `worker-${index + 1}.log`);
		const child = rt.spawnTracked(rt.nodeBin(), [rt.n8nBin(), 'worker', '--concurrency=5'], { cwd: folder, env, logFile });
		workers.push({ child, logFile, readiness: `http://127.0.0.1:${healthPort}/healthz/readiness` });
	}
	await Promise.all(workers.map((w, i) => waitForHttp(`worker ${i + 1} ready`, w.readiness, w.child, 240000)));
	/** How many times the workers' logs say they ran execution `id` (started, then resumed). */
	const runsOnWorkers = (id) =>
		workers.reduce((sum, w) => sum + [...fs.readFileSync(w.logFile, 'utf8').matchAll(/Worker started execution (\d+)/g)].filter((m) => m[1] === id).length, 0);
	return { url: main.url, sandbox, session: await login(main.url), runsOnWorkers };
}

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
async function execution(target, id) {
	const res = await request(`${target.url}/rest/executions/${id}`, { headers: target.session });
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
async function settled(target, id, timeoutMs = 30000) {
	return await until(`execution ${id} finishes`, async () => {
		const e = await execution(target, id);
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
async function startAndReadMail(target, c) {
	const origin = new URL(target.sandbox.baseUrl).origin;
	// n8n registers published workflows' webhooks shortly after /healthz answers: 404 until then.
	let started;
	await until(`the webhook ${c.path} is registered`, async () => {
		started = await request(`${target.url}/webhook/${c.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ case: c.key }) });
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
	await until(`execution ${id} waits`, async () => (await execution(target, id)).status === 'waiting', 30000);
	return { mail, links, id };
}

const form = (fields) => ({
	method: 'POST',
	headers: { 'content-type': 'application/x-www-form-urlencoded' },
	body: new URLSearchParams(fields).toString(),
});

// ---------------------------------------------------------------------------------------------

/** The cases, against the n8n that `setup` starts. */
function registerCases(name, setup) {
	describe(name, () => {
		const target = {};
		before(async () => Object.assign(target, await setup()));
		// One setup's processes at a time on the shared machine.
		after(async () => await rt.stopAll(15000));

		/** In queue mode: the execution ran on a worker, started and resumed (twice in the workers' logs). */
		const ranOnWorkers = (id) => {
			if (target.runsOnWorkers) assert.equal(target.runsOnWorkers(id), 2, `execution ${id}: started and resumed on the workers`);
		};

		it('Approval: the mail is kept by the sandbox, a GET shows the page and does not resume, the button approves, a second answer is refused', async () => {
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
			const refused = await request(forged.toString(), form({}));
			assert.equal(refused.status, 401, 'a forged signature is refused by n8n');
			assert.equal((await execution(target, id)).status, 'waiting');

			const answered = await request(links[0], form({}));
			assert.equal(answered.status, 200, answered.text.slice(0, 300));
			assert.match(answered.text, /Got it, thanks/);
			const done = await settled(target, id);
			assert.equal(done.status, 'success');
			const [item] = afterItems(done);
			assert.equal(item.data.approved, true);
			assert.ok(!Number.isNaN(Date.parse(item.data.respondedAt)), 'respondedAt is a date');

			const again = await request(links[0], form({}));
			assert.match(again.text, /No action required/, `second answer: HTTP ${again.status}`);
			assert.equal(afterItems(await execution(target, id)).length, 1);
			ranOnWorkers(id);
		});

		it('Approve and Decline: Decline gives approved false', async () => {
			const { links, id, mail } = await startAndReadMail(target, CASES.decline);
			assert.deepEqual(links.map((l) => new URL(l).searchParams.get('approved')), ['true', 'false']);
			assert.match(mail.htmlContent, />No<\/a>/);
			const page = await request(links[1]);
			assert.match(page.text, /<button type="submit">No<\/button>/);
			assert.equal((await execution(target, id)).status, 'waiting');
			const answered = await request(links[1], form({}));
			assert.equal(answered.status, 200);
			const [item] = afterItems(await settled(target, id));
			assert.equal(item.data.approved, false);
			ranOnWorkers(id);
		});

		it('Free Text: the page is a form, an empty answer is refused, the text resumes the execution', async () => {
			const { links, id } = await startAndReadMail(target, CASES.freeText);
			const page = await request(links[0]);
			assert.match(page.text, /<textarea name="text"/);
			const empty = await request(links[0], form({ text: '  ' }));
			assert.equal(empty.status, 400);
			assert.equal((await execution(target, id)).status, 'waiting');
			const answered = await request(links[0], form({ text: 'Not before Monday <please>' }));
			assert.equal(answered.status, 200, answered.text.slice(0, 300));
			const [item] = afterItems(await settled(target, id));
			assert.equal(item.data.text, 'Not before Monday <please>');
			ranOnWorkers(id);
		});

		it('Limit Wait Time: without an answer the execution goes on with an explicit no-answer item', async () => {
			const { id } = await startAndReadMail(target, CASES.limit);
			// 6 s of wait; n8n's wait tracker looks for due executions every 60 s.
			const done = await settled(target, id, 150000);
			assert.equal(done.status, 'success');
			const items = afterItems(done);
			assert.deepEqual(items, [{ data: { answered: false, timedOut: true } }], 'no answer: one explicit item');
			const webhookOutput = done.data.resultData.runData.Webhook[0].data.main[0];
			assert.deepEqual(webhookOutput[0].json.body, { case: 'limit' }, 'the node before keeps its own output');
			ranOnWorkers(id);
		});
	});
}

registerCases('Send and Wait for Response in n8n 2.41.1, sqlite', sqliteSetup);
registerCases('Send and Wait for Response in n8n 2.41.1, queue mode (main + 2 workers)', queueSetup);
