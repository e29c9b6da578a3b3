'use strict';
/**
 * Part 4 of the e2e run: n8n in queue mode, as production runs it. Redis and Postgres (Debian's
 * packages, installed when missing, data in the throwaway folder, 127.0.0.1 only), one n8n main and
 * two workers (`EXECUTIONS_MODE=queue`), each with the packed package in its own nodes folder, as
 * n8n's queue-mode docs ask for community packages. The examples run through webhooks of the main,
 * so the workers execute them, and are checked like part 1's; then 20 executions of 500 Get Status
 * items each start at once; last, no log and no byte of the database holds the API key.
 */
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const assert = require('node:assert/strict');
const { describe, it } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const { EXPECT } = require('./examples');

const LOAD_EXECUTIONS = 20;
const LOAD_ITEMS = 500;
const DB = { user: 'n8n', password: 'n8n-e2e-local-only', database: 'postgres' };
const APT_PACKAGES = ['redis-server', 'postgresql'];
const IS_ROOT = process.getuid?.() === 0;

const redisBin = () => ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p));
/** The newest Postgres of Debian's packages: /usr/lib/postgresql/<version>/bin. */
function postgresBin() {
	const base = '/usr/lib/postgresql';
	const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
	return versions.length ? path.join(base, String(Math.max(...versions.map(Number))), 'bin') : null;
}

/** Install Redis and Postgres with apt-get when they are missing (needs root, as in CI). */
async function ensureDebianPackages() {
	if (redisBin() && postgresBin()) return 'present';
	assert.ok(IS_ROOT, `Redis or Postgres is missing; install them as root: apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`);
	rt.log(`installing ${APT_PACKAGES.join(' and ')} from Debian's packages ...`);
	const opts = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeoutMs: 10 * 60 * 1000 };
	await rt.runChecked('apt-get update', 'apt-get', ['update', '-qq'], opts);
	// The packages' own services may start; this part never uses them (its own servers run on other ports).
	await rt.runChecked('apt-get install', 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...APT_PACKAGES], opts);
	assert.ok(redisBin() && postgresBin(), 'apt-get install left no redis-server or initdb');
	return 'installed';
}

/** Postgres refuses to run as root: its programs then run as the Debian package's `postgres` user. */
const asPostgres = (cmd, args) => (IS_ROOT ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

async function startRedis(dir, logsDir) {
	const port = await rt.freePort();
	fs.mkdirSync(dir, { recursive: true });
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no', '--dir', dir];
	const child = rt.spawnTracked(redisBin(), args, { cwd: dir, logFile: path.join(logsDir, 'redis.log') });
	await h.readyOrExit(child, 'redis-server', [`tcp:127.0.0.1:${port}`], 30000);
	return { port };
}

async function startPostgres(dir, logsDir) {
	const bin = postgresBin();
	const port = await rt.freePort();
	const dataDir = path.join(dir, 'data');
	const pwFile = path.join(dir, 'pwfile');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(pwFile, `${DB.password}\n`, { mode: 0o600 });
	if (IS_ROOT) {
		await rt.runChecked('chown', 'chown', ['-R', 'postgres:postgres', dir]);
		// runuser needs to reach the folder: the throwaway root is private to root (mkdtemp 0700).
		for (let d = path.dirname(dir); d !== path.dirname(d) && d.startsWith(path.dirname(path.dirname(dir))); d = path.dirname(d)) fs.chmodSync(d, 0o711);
	}
	const init = ['-D', dataDir, '-U', DB.user, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '--no-sync', '-E', 'UTF8', '--locale=C'];
	await rt.runChecked('initdb', ...asPostgres(path.join(bin, 'initdb'), init), { cwd: dir, timeoutMs: 120000, logFile: path.join(logsDir, 'postgres-initdb.log') });
	fs.rmSync(pwFile, { force: true });
	// Throwaway data: durability is switched off to keep the shared machine's disk quiet.
	const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=100'].flatMap((s) => ['-c', s]);
	const child = rt.spawnTracked(...asPostgres(path.join(bin, 'postgres'), ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dir, ...settings]), {
		cwd: dir,
		logFile: path.join(logsDir, 'postgres.log'),
	});
	await h.readyOrExit(child, 'postgres', [`tcp:127.0.0.1:${port}`], 60000);
	return { port, bin };
}

const webhookNode = (name, pathSuffix) => ({
	name,
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	webhookId: randomUUID(),
	parameters: { httpMethod: 'POST', path: `mailpartner-e2e-${pathSuffix}`, responseMode: 'lastNode', options: {} },
});

/** The example with a Webhook of the same name instead of its Manual Trigger, so the connections stay. */
function webhookCopy(workflow, id, name, pathSuffix) {
	const copy = Object.assign(structuredClone(workflow), { id, name, active: false });
	const trigger = copy.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	assert.ok(trigger, `${workflow.id} starts with a Manual Trigger`);
	Object.assign(trigger, webhookNode(trigger.name, pathSuffix));
	return copy;
}

/** Node options of the load's Get Status: its defaults, as a user's; MAILPARTNER_E2E_LOAD_OPTIONS (JSON, e.g. {"timeout":120}) sets some, to see the rest of the chain while a default fails. */
const loadOptions = () => JSON.parse(process.env.MAILPARTNER_E2E_LOAD_OPTIONS || '{}');

const loadWorkflow = () =>
	h.chain('mpQueueLoad00001', `e2e queue load: ${LOAD_ITEMS} Get Status items`, [
		webhookNode('Webhook', 'load'),
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
	const timings = {};
	const time = async (name, fn) => {
		const t = Date.now();
		const result = await fn();
		timings[name] = rt.formatSeconds(Date.now() - t);
		return result;
	};
	const [tarball, , debian] = await time('packages', () => Promise.all([h.packed(), h.installed(), ensureDebianPackages()]));
	const dir = path.join(await h.root(), 'queue');
	const logsDir = path.join(dir, 'logs');
	fs.mkdirSync(logsDir, { recursive: true });
	const [redis, postgres, sandbox] = await time('services', () =>
		Promise.all([startRedis(path.join(dir, 'redis'), logsDir), startPostgres(path.join(dir, 'postgres'), logsDir), rt.startSandbox({ state: 'demo', logFile: path.join(logsDir, 'sandbox.log') })]),
	);
	const shared = {
		EXECUTIONS_MODE: 'queue', OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb', DB_POSTGRESDB_HOST: '127.0.0.1', DB_POSTGRESDB_PORT: String(postgres.port), DB_POSTGRESDB_DATABASE: DB.database,
		DB_POSTGRESDB_USER: DB.user, DB_POSTGRESDB_PASSWORD: DB.password, N8N_LOG_LEVEL: 'info',
		// n8n 2.41's MCP server registry fetches a list from api.n8n.io at start: not wanted (loopback only).
		N8N_DISABLED_MODULES: 'mcp-registry',
	};
	const env = async (name, extra, owner) =>
		rt.n8nEnv({ userFolder: path.join(dir, name), port: await rt.freePort(), brokerPort: await rt.freePort(), owner, extra: { ...shared, ...extra } });
	const mainEnv = await env('main', {}, rt.LOCAL_OWNER);
	const workerEnvs = [];
	for (const name of ['worker-1', 'worker-2']) {
		const health = { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(await rt.freePort()), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' };
		workerEnvs.push({ name, env: await env(name, health) });
	}
	const examples = manualExamples().map(({ file, workflow }) => ({
		file,
		json: webhookCopy(workflow, `q${workflow.id.slice(1)}`, `${workflow.name} (queue, JSON)`, `${workflow.id}-json`),
		xml: webhookCopy(h.variant(workflow, { id: workflow.id, name: workflow.name, format: 'xml' }), `r${workflow.id.slice(1)}`, `${workflow.name} (queue, XML)`, `${workflow.id}-xml`),
	}));
	const load = loadWorkflow();
	await time('imports', async () => {
		// The documented way for queue mode: the package in the nodes folder of every instance.
		await Promise.all(['main', 'worker-1', 'worker-2'].map((name) => rt.installPackage(path.join(dir, name), tarball)));
		await rt.importCredentials(mainEnv, [rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: sandbox.baseUrl })]);
		const workflows = [...examples.flatMap((e) => [e.json, e.xml]), load];
		await rt.importWorkflows(mainEnv, workflows);
		// Webhooks answer only for published workflows (`import:workflow --activeState=fromJson` leaves
		// them inactive in 2.41.1). The command takes one id: three CLI processes at a time.
		const publishNext = async () => {
			for (let wf = workflows.shift(); wf; wf = workflows.shift()) await rt.n8nCliChecked(`n8n publish:workflow --id=${wf.id}`, ['publish:workflow', `--id=${wf.id}`], { env: mainEnv });
		};
		await Promise.all([publishNext(), publishNext(), publishNext()]);
	});
	// The main first: it prepares the database the workers then use.
	const [main, ...workers] = await time('start', async () => [
		await rt.startN8n({ env: mainEnv, logFile: path.join(logsDir, 'main.log'), timeoutMs: 300000 }),
		...(await Promise.all(
			workerEnvs.map(async ({ name, env: workerEnv }) => {
				const logFile = path.join(logsDir, `${name}.log`);
				const child = rt.spawnTracked(rt.nodeBin(), [rt.n8nBin(), 'worker', '--concurrency=5'], { cwd: workerEnv.N8N_USER_FOLDER, env: workerEnv, logFile });
				await h.readyOrExit(child, name, [`http-get://127.0.0.1:${workerEnv.QUEUE_HEALTH_CHECK_PORT}/healthz/readiness`], 240000);
				return { name, logFile };
			}),
		)),
	]);
	return { main, workers, sandbox, postgres, logsDir, examples, load, timings: { ...timings, debian } };
});

/** Names of the workers whose log says they started this execution. */
const workersOf = (workers, executionId) =>
	workers.filter((w) => new RegExp(`Worker started execution ${executionId}\\b`).test(fs.readFileSync(w.logFile, 'utf8'))).map((w) => w.name);

/** Calls the webhook of `workflow` on the main. */
const callWebhook = (main, workflow, timeoutMs) =>
	h.rest(main.url, 'POST', `/webhook/${workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook').parameters.path}`, { body: {}, timeoutMs });

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
				const r = await callWebhook(main, wf, 180000);
				assert.equal(r.status, 200, `webhook: HTTP ${r.status} ${r.text.slice(0, 300)}`);
				const [newest] = await h.executions(main.url, session, wf.id);
				assert.ok(newest, `no execution of ${wf.id}`);
				const run = await h.execution(main.url, session, newest.id);
				assert.equal(run.status, 'success', `execution ${run.id}: ${run.status}`);
				EXPECT[file].check(run);
				const by = workersOf(workers, run.id);
				assert.equal(by.length, 1, `execution ${run.id} was started by one worker, not ${JSON.stringify(by)}`);
				t.diagnostic(`execution ${run.id} on ${by[0]}`);
			});
		}
	}

	it(`${LOAD_EXECUTIONS} executions of ${LOAD_ITEMS} Get Status items at once: both workers take some, nothing is lost`, async (t) => {
		const { main, workers, sandbox, load } = await infra();
		await h.sandboxControl(sandbox.baseUrl, 'reset');
		const started = Date.now();
		const answers = await Promise.all(Array.from({ length: LOAD_EXECUTIONS }, () => callWebhook(main, load, 15 * 60 * 1000)));
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
		const perWorker = Object.fromEntries(workers.map((w) => [w.name, ids.filter((id) => workersOf([w], id).length > 0).length]));
		for (const [name, n] of Object.entries(perWorker)) assert.ok(n > 0, `${name} executed none of the load: ${JSON.stringify(perWorker)}`);
		assert.equal(Object.values(perWorker).reduce((a, b) => a + b, 0), LOAD_EXECUTIONS, `each execution on exactly one worker: ${JSON.stringify(perWorker)}`);
		const { requests } = await h.sandboxState(sandbox.baseUrl);
		assert.equal(requests.byRoute['GET /bulk-status'], LOAD_EXECUTIONS * LOAD_ITEMS, `status requests the sandbox answered: ${JSON.stringify(requests)}`);
		const rate = (total / (ms / 1000)).toFixed(0);
		t.diagnostic(`${total} results in ${rt.formatSeconds(ms)} (${rate} items/s); executions per worker ${JSON.stringify(perWorker)}; node options ${JSON.stringify(loadOptions())}`);
	});

	it('the API key is in no log and not in the database', async () => {
		const { logsDir, postgres } = await infra();
		const files = fs.readdirSync(logsDir).map((f) => path.join(logsDir, f));
		assert.ok(files.length >= 5, `logs: ${files.map((f) => path.basename(f))}`);
		for (const f of files) h.assertNoSecret(fs.readFileSync(f, 'utf8'), h.KEYS, path.basename(f));
		// The whole database as text: execution data, workflows, credentials (stored encrypted).
		const args = ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', DB.user, DB.database];
		const dump = await rt.run(path.join(postgres.bin, 'pg_dump'), args, { env: { ...process.env, PGPASSWORD: DB.password }, timeoutMs: 120000 });
		assert.equal(dump.code, 0, `pg_dump: ${rt.tail(dump.stderr)}`);
		assert.ok(dump.stdout.includes(rt.CREDENTIAL_ID), 'the dump holds the credential row');
		assert.ok(dump.stdout.length > 100000, `the dump holds the executions (${dump.stdout.length} bytes)`);
		h.assertNoSecret(dump.stdout, h.KEYS, 'the database dump');
	});
});
