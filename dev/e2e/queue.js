'use strict';
/**
 * Part 4 of the e2e run: n8n in queue mode, as production runs it. Redis and Postgres (Debian's
 * packages, installed when missing, data in the run's throwaway folder, 127.0.0.1 only), one n8n
 * main and two workers (`EXECUTIONS_MODE=queue`), each with the packed package in its own nodes
 * folder (`<user folder>/.n8n/nodes`), which is how n8n's queue-mode docs ask for community
 * packages on every instance.
 *
 * The examples are run through webhooks of the main, so the workers execute them, and their
 * results are read back through the main's REST API and checked like part 1's. Then 20
 * executions of 500 Get Status items each start at once: both workers must take some, the 20
 * answers must add up to 10 000 results, the sandbox must have answered 10 000 status requests,
 * and no log (main, workers, Redis, Postgres, sandbox) nor the database dump holds the API key.
 */
const fs = require('node:fs');
const path = require('node:path');
const net = require('node:net');
const { randomUUID } = require('node:crypto');
const assert = require('node:assert/strict');
const rt = require('../n8n/runtime');
const h = require('./helpers');

const LOAD_EXECUTIONS = 20;
const LOAD_ITEMS = 500;
const WORKER_CONCURRENCY = 5;
const DB = { user: 'n8n', password: 'n8n-e2e-local-only', database: 'postgres' };
const APT_PACKAGES = ['redis-server', 'postgresql'];

// ---------------------------------------------------------------------------------------------
// Redis and Postgres from Debian's packages.

function postgresBinDir() {
	const base = '/usr/lib/postgresql';
	if (!fs.existsSync(base)) return null;
	const versions = fs
		.readdirSync(base)
		.filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(base, versions[0], 'bin') : null;
}

function redisServerBin() {
	return ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p)) || null;
}

/** Install Redis and Postgres with apt-get when they are missing (needs root, as in CI). */
async function ensureDebianPackages() {
	if (redisServerBin() && postgresBinDir()) return 'present';
	if (typeof process.getuid === 'function' && process.getuid() !== 0) {
		throw new Error(`Redis or Postgres is missing; install them as root: apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`);
	}
	rt.log(`installing ${APT_PACKAGES.join(' and ')} from Debian's packages ...`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await rt.runChecked('apt-get update', 'apt-get', ['update', '-qq'], { env, timeoutMs: 10 * 60 * 1000 });
	// policy-rc.d-free install: the packages' own services may start; this part never uses them
	// (it runs its own servers on other ports, with data in the throwaway folder).
	await rt.runChecked('apt-get install', 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...APT_PACKAGES], {
		env,
		timeoutMs: 10 * 60 * 1000,
	});
	if (!redisServerBin() || !postgresBinDir()) throw new Error('apt-get install left no redis-server or initdb');
	return 'installed';
}

/** Postgres refuses to run as root: run its programs as the Debian package's `postgres` user then. */
function asPostgresUser(cmd, args) {
	if (typeof process.getuid === 'function' && process.getuid() === 0) return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
	return [cmd, args];
}

function waitForPort(port, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	return new Promise((resolve, reject) => {
		const attempt = () => {
			const socket = net.connect({ host: '127.0.0.1', port });
			socket.once('connect', () => {
				socket.destroy();
				resolve();
			});
			socket.once('error', () => {
				socket.destroy();
				if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port} after ${rt.formatSeconds(timeoutMs)}`));
				else setTimeout(attempt, 250);
			});
		};
		attempt();
	});
}

async function startRedis(dir, logsDir) {
	const port = await rt.freePort();
	fs.mkdirSync(dir, { recursive: true });
	const child = rt.spawnTracked(
		redisServerBin(),
		['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', '--appendonly', 'no', '--dir', dir],
		{ cwd: dir, logFile: path.join(logsDir, 'redis.log') },
	);
	await Promise.race([
		waitForPort(port, 30000),
		child.exited.then((e) => {
			throw new Error(`redis-server exited with ${e.code}: ${rt.tail(child.stdoutText)}`);
		}),
	]);
	return { port, child };
}

async function startPostgres(dir, logsDir) {
	const bin = postgresBinDir();
	const port = await rt.freePort();
	const dataDir = path.join(dir, 'data');
	fs.mkdirSync(dir, { recursive: true });
	const pwFile = path.join(dir, 'pwfile');
	fs.writeFileSync(pwFile, `${DB.password}\n`, { mode: 0o600 });
	if (process.getuid && process.getuid() === 0) {
		await rt.runChecked('chown', 'chown', ['-R', 'postgres:postgres', dir]);
		// runuser needs to reach the folder: the throwaway root is private to root (mkdtemp 0700).
		for (let d = path.dirname(dir); d !== path.dirname(d) && d.startsWith(path.dirname(path.dirname(dir))); d = path.dirname(d)) {
			fs.chmodSync(d, 0o711);
		}
	}
	const [initCmd, initArgs] = asPostgresUser(path.join(bin, 'initdb'), [
		'-D', dataDir, '-U', DB.user, `--pwfile=${pwFile}`, '--auth-host=scram-sha-256', '--auth-local=peer', '--no-sync', '-E', 'UTF8', '--locale=C',
	]);
	await rt.runChecked('initdb', initCmd, initArgs, { cwd: dir, timeoutMs: 120000, logFile: path.join(logsDir, 'postgres-initdb.log') });
	fs.rmSync(pwFile, { force: true });
	// Throwaway data: durability is switched off to keep the shared machine's disk quiet.
	const [cmd, args] = asPostgresUser(path.join(bin, 'postgres'), [
		'-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dir,
		'-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100',
	]);
	const child = rt.spawnTracked(cmd, args, { cwd: dir, logFile: path.join(logsDir, 'postgres.log') });
	await Promise.race([
		waitForPort(port, 60000),
		child.exited.then((e) => {
			throw new Error(`postgres exited with ${e.code}: ${rt.tail(child.stderrText)}`);
		}),
	]);
	return { port, child, bin };
}

// ---------------------------------------------------------------------------------------------
// Workflows for the workers: the examples with a Webhook instead of the Manual Trigger, and the
// load workflow.

function webhookCopy(workflow, { id, name, pathSuffix }) {
	const copy = JSON.parse(JSON.stringify(workflow));
	copy.id = id;
	copy.name = name;
	copy.active = false;
	const trigger = copy.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	assert.ok(trigger, `${workflow.id} starts with a Manual Trigger`);
	// Same node name, so the connections stay as they are.
	Object.assign(trigger, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path: `mailpartner-e2e-${pathSuffix}`, responseMode: 'lastNode', options: {} },
	});
	return copy;
}

function loadOptions() {
	const raw = process.env.MAILPARTNER_E2E_LOAD_OPTIONS;
	return raw ? JSON.parse(raw) : {};
}

function loadWorkflow(credential) {
	const id = 'mpQueueLoad00001';
	return {
		id,
		name: `e2e queue load: ${LOAD_ITEMS} Get Status items`,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: {
			Webhook: { main: [[{ node: 'Message ids', type: 'main', index: 0 }]] },
			'Message ids': { main: [[{ node: 'Get status', type: 'main', index: 0 }]] },
			'Get status': { main: [[{ node: 'Count', type: 'main', index: 0 }]] },
		},
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: 'mailpartner-e2e-load', responseMode: 'lastNode', options: {} },
			},
			{
				id: randomUUID(),
				name: 'Message ids',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: `return Array.from({ length: ${LOAD_ITEMS} }, (_, i) => ({ json: { messageId: '1001', n: i } }));` },
			},
			{
				id: randomUUID(),
				name: 'Get status',
				type: rt.NODE_TYPE,
				typeVersion: 1,
				position: [440, 0],
				// Simplify off (where the node has it): one result per message, its recipients in a list.
				// The node's Options are its defaults, as a user's; MAILPARTNER_E2E_LOAD_OPTIONS (JSON,
				// e.g. {"timeout":120}) sets some, to see the rest of the chain while a default fails.
				parameters: { resource: 'message', operation: 'getStatus', messageId: '={{ $json.messageId }}', simplify: false, options: loadOptions() },
				credentials: { mailPartnerApi: credential },
			},
			{
				id: randomUUID(),
				name: 'Count',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [660, 0],
				// What a user would check: one result per input item, each with its recipients.
				parameters: {
					jsCode: [
						'const all = $input.all();',
						'const withRecipients = all.filter((i) => Array.isArray(i.json.StatutResponseList) && i.json.StatutResponseList.length === 3).length;',
						'const paired = new Set(all.map((i) => i.pairedItem && i.pairedItem.item)).size;',
						'return [{ json: { results: all.length, withRecipients, paired, executionId: $execution.id } }];',
					].join('\n'),
				},
			},
		],
	};
}

/** The examples a webhook can start in place of their Manual Trigger (trigger examples are polled). */
function manualExamples() {
	return h.loadExamples().filter(({ workflow }) => h.startsManually(workflow));
}

// ---------------------------------------------------------------------------------------------
// n8n processes.

function flattedParse() {
	const p = require.resolve('flatted', { paths: [path.join(rt.n8nDir(), 'node_modules', 'n8n')] });
	return require(p).parse;
}

async function startWorker({ env, name, logFile }) {
	const child = rt.spawnTracked(rt.nodeBin(), [rt.n8nBin(), 'worker', `--concurrency=${WORKER_CONCURRENCY}`], {
		cwd: env.N8N_USER_FOLDER,
		env,
		logFile,
	});
	const port = Number(env.QUEUE_HEALTH_CHECK_PORT);
	const deadline = Date.now() + 240000;
	let exited = null;
	child.exited.then((e) => (exited = e));
	for (;;) {
		if (exited) throw new Error(`${name} exited with ${exited.code}\n${rt.tail(child.stdoutText, 30)}\n${rt.tail(child.stderrText, 30)}`);
		const r = await rt.httpGet(`http://127.0.0.1:${port}/healthz/readiness`, 3000);
		if (r.status === 200) break;
		if (Date.now() > deadline) throw new Error(`${name} not ready on :${port}/healthz/readiness\n${rt.tail(child.stdoutText, 30)}`);
		await rt.sleep(500);
	}
	return { name, child, logFile };
}

/** Execution ids a worker's log says it started. */
function executionsStarted(logFile) {
	const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
	return new Set([...text.matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]));
}

async function postWebhook(url, timeoutMs) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: '{}',
		signal: AbortSignal.timeout(timeoutMs),
	});
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, text, json };
}

// ---------------------------------------------------------------------------------------------

function registerQueueMode({ it, after, packed, installed, root, keys }) {
	const state = {};
	const timings = {};

	const infra = h.lazy(async () => {
		let t = Date.now();
		const [tarball, , debian] = await Promise.all([packed(), installed(), ensureDebianPackages()]);
		timings.packages = { ms: Date.now() - t, debian };
		const dir = path.join(await root(), 'queue');
		const logsDir = path.join(dir, 'logs');
		fs.mkdirSync(logsDir, { recursive: true });
		state.logsDir = logsDir;

		t = Date.now();
		const [redis, postgres] = await Promise.all([startRedis(path.join(dir, 'redis'), logsDir), startPostgres(path.join(dir, 'postgres'), logsDir)]);
		state.postgres = postgres;
		const sandbox = await rt.startSandbox({ state: 'demo', logFile: path.join(logsDir, 'sandbox.log') });
		state.sandbox = sandbox;
		timings.services = Date.now() - t;

		t = Date.now();
		const folders = ['main', 'worker-1', 'worker-2'].map((n) => path.join(dir, n));
		// The documented way for queue mode: the package in the nodes folder of every instance.
		await Promise.all(folders.map((f) => rt.installPackage(f, tarball)));
		const shared = {
			EXECUTIONS_MODE: 'queue',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: DB.database,
			DB_POSTGRESDB_USER: DB.user,
			DB_POSTGRESDB_PASSWORD: DB.password,
			N8N_LOG_LEVEL: 'info',
			// n8n 2.41's MCP server registry fetches a list from api.n8n.io at start: not wanted
			// (loopback only), and the failed lookups only add noise to the logs.
			N8N_DISABLED_MODULES: 'mcp-registry',
		};
		const mainPort = await rt.freePort();
		const mainEnv = rt.n8nEnv({ userFolder: folders[0], port: mainPort, brokerPort: await rt.freePort(), owner: rt.LOCAL_OWNER, extra: shared });
		const workerEnvs = [];
		for (const folder of folders.slice(1)) {
			workerEnvs.push(
				rt.n8nEnv({
					userFolder: folder,
					port: await rt.freePort(),
					brokerPort: await rt.freePort(),
					extra: {
						...shared,
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(await rt.freePort()),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					},
				}),
			);
		}

		const credential = { id: rt.CREDENTIAL_ID, name: rt.CREDENTIAL_NAME };
		await rt.importCredentials(mainEnv, [rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: sandbox.baseUrl })]);
		const examples = manualExamples().map(({ file, workflow }) => ({
			file,
			json: webhookCopy(workflow, { id: `q${workflow.id.slice(1)}`, name: `${workflow.name} (queue, JSON)`, pathSuffix: `${workflow.id}-json` }),
			xml: webhookCopy(h.variant(workflow, { id: workflow.id, name: workflow.name, format: 'xml' }), {
				id: `r${workflow.id.slice(1)}`,
				name: `${workflow.name} (queue, XML)`,
				pathSuffix: `${workflow.id}-xml`,
			}),
		}));
		const load = loadWorkflow(credential);
		const workflows = [...examples.flatMap((e) => [e.json, e.xml]), load];
		await rt.importWorkflows(mainEnv, workflows);
		// Webhooks answer only for published (active) workflows. (`import:workflow
		// --activeState=fromJson` logs "Failed to activate workflow" for each in 2.41.1 and leaves
		// them inactive.) One CLI process per workflow (the command takes one id), three at a time.
		const queue = [...workflows];
		const publishOne = async () => {
			for (let wf = queue.shift(); wf; wf = queue.shift()) {
				await rt.n8nCliChecked(`n8n publish:workflow --id=${wf.id}`, ['publish:workflow', `--id=${wf.id}`], { env: mainEnv });
			}
		};
		await Promise.all([publishOne(), publishOne(), publishOne()]);
		timings.imports = Date.now() - t;

		t = Date.now();
		const main = await rt.startN8n({ env: mainEnv, logFile: path.join(logsDir, 'main.log'), timeoutMs: 300000 });
		const workers = await Promise.all(workerEnvs.map((env, i) => startWorker({ env, name: `worker-${i + 1}`, logFile: path.join(logsDir, `worker-${i + 1}.log`) })));
		timings.start = Date.now() - t;
		Object.assign(state, { main, workers, examples, load, mainEnv });
		return state;
	});

	after(async () => {
		if (!infra.started()) return;
		await rt.stopAll(15000);
	});

	const workerOf = (executionId) => state.workers.filter((w) => executionsStarted(w.logFile).has(String(executionId))).map((w) => w.name);

	/** The execution of a workflow that the webhook just ran, read back through the REST API. */
	async function lastExecution(session, workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const list = await h.rest(state.main.url, 'GET', `/rest/executions?filter=${filter}&limit=10`, session);
		assert.equal(list.status, 200, `GET /rest/executions: HTTP ${list.status} ${list.text.slice(0, 300)}`);
		const results = list.json.data.results || list.json.data;
		assert.ok(results.length > 0, `no execution of ${workflowId}`);
		const newest = results.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b));
		const got = await h.rest(state.main.url, 'GET', `/rest/executions/${newest.id}`, session);
		assert.equal(got.status, 200, `GET /rest/executions/${newest.id}: HTTP ${got.status}`);
		const exec = got.json.data;
		return { id: String(exec.id), status: exec.status, data: flattedParse()(exec.data) };
	}

	it('setup: Redis, Postgres, sandbox, package in every instance, imports, main and two workers', async (t) => {
		await infra();
		const { packages, services, imports, start } = timings;
		t.diagnostic(
			`Debian packages ${packages.debian} (${rt.formatSeconds(packages.ms)} with build/pack/n8n), Redis + Postgres + sandbox ${rt.formatSeconds(services)}, ` +
				`package installs + imports + publish ${rt.formatSeconds(imports)}, main + workers ready ${rt.formatSeconds(start)}`,
		);
	});

	it('the main serves the community node type (POST /rest/login, /types/nodes.json)', async () => {
		await infra();
		state.session = await h.restLogin(state.main.url);
		const r = await h.rest(state.main.url, 'GET', '/types/nodes.json', state.session);
		assert.equal(r.status, 200);
		assert.equal(r.json.filter((d) => d.name === rt.NODE_TYPE).length, 1, `${rt.NODE_TYPE} in /types/nodes.json`);
	});

	for (const { file } of manualExamples()) {
		const expect = h.EXPECT[file];
		for (const format of ['json', 'xml']) {
			it(`examples/${file} through a webhook, executed by a worker (${format.toUpperCase()})`, async (t) => {
				await infra();
				assert.ok(state.session, 'logged in');
				const example = state.examples.find((e) => e.file === file);
				const wf = example[format];
				if (format === 'json' || expect.resetBetween) await h.sandboxControl(state.sandbox.baseUrl, 'reset');
				const hook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
				const r = await postWebhook(`${state.main.url}/webhook/${hook.parameters.path}`, 180000);
				assert.equal(r.status, 200, `webhook: HTTP ${r.status} ${r.text.slice(0, 300)}`);
				const run = await lastExecution(state.session, wf.id);
				assert.equal(run.status, 'success', `execution ${run.id}: ${run.status}`);
				expect.check(run);
				const by = workerOf(run.id);
				assert.equal(by.length, 1, `execution ${run.id} was started by one worker, not ${JSON.stringify(by)}`);
				t.diagnostic(`execution ${run.id} on ${by[0]}`);
			});
		}
	}

	it(`${LOAD_EXECUTIONS} executions of ${LOAD_ITEMS} Get Status items at once: both workers take some, nothing is lost`, async (t) => {
		await infra();
		await h.sandboxControl(state.sandbox.baseUrl, 'reset');
		const hook = state.load.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
		const url = `${state.main.url}/webhook/${hook.parameters.path}`;
		const started = Date.now();
		const answers = await Promise.all(Array.from({ length: LOAD_EXECUTIONS }, () => postWebhook(url, 15 * 60 * 1000)));
		const ms = Date.now() - started;
		const failed = answers.filter((a) => a.status !== 200);
		if (failed.length > 0) {
			// Say why, as a user would find it in the executions list: each failed execution's error.
			const filter = encodeURIComponent(JSON.stringify({ workflowId: state.load.id }));
			const list = await h.rest(state.main.url, 'GET', `/rest/executions?filter=${filter}&limit=50`, state.session);
			const errors = {};
			for (const e of ((list.json && list.json.data && list.json.data.results) || []).filter((x) => x.status !== 'success')) {
				const got = await h.rest(state.main.url, 'GET', `/rest/executions/${e.id}`, state.session);
				const data = flattedParse()(got.json.data.data);
				const err = data.resultData.error || {};
				const key = `${data.resultData.lastNodeExecuted}: ${err.message}`;
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
		const perWorker = Object.fromEntries(state.workers.map((w) => [w.name, ids.filter((id) => executionsStarted(w.logFile).has(id)).length]));
		for (const [name, n] of Object.entries(perWorker)) assert.ok(n > 0, `${name} executed none of the load: ${JSON.stringify(perWorker)}`);
		assert.equal(Object.values(perWorker).reduce((a, b) => a + b, 0), LOAD_EXECUTIONS, `each execution on exactly one worker: ${JSON.stringify(perWorker)}`);
		const answer = await fetch(`${state.sandbox.baseUrl.replace(/\/v1$/, '')}/__sandbox/state`).then((r) => r.json());
		// `{ state: { requests: { byRoute } } }` (the sandbox's control route; older sandboxes: `{ requests }`).
		const requests = (answer.state || answer).requests || {};
		const statusCalls = requests.byRoute && requests.byRoute['GET /bulk-status'];
		assert.equal(statusCalls, LOAD_EXECUTIONS * LOAD_ITEMS, `status requests the sandbox answered: ${JSON.stringify(requests)}`);
		const rate = (total / (ms / 1000)).toFixed(0);
		const options = JSON.stringify(loadOptions());
		t.diagnostic(`${total} results in ${rt.formatSeconds(ms)} (${rate} items/s); executions per worker ${JSON.stringify(perWorker)}; node options ${options}`);
	});

	it('the API key is in no log and not in the database', async () => {
		await infra();
		const files = fs.readdirSync(state.logsDir).map((f) => path.join(state.logsDir, f));
		assert.ok(files.length >= 5, `logs: ${files.map((f) => path.basename(f))}`);
		for (const f of files) h.assertNoSecret(fs.readFileSync(f, 'utf8'), keys, path.basename(f));
		// The whole database as text: execution data, workflows, credentials (stored encrypted).
		const dump = await rt.run(path.join(state.postgres.bin, 'pg_dump'), ['-h', '127.0.0.1', '-p', String(state.postgres.port), '-U', DB.user, DB.database], {
			env: { ...process.env, PGPASSWORD: DB.password },
			timeoutMs: 120000,
		});
		assert.equal(dump.code, 0, `pg_dump: ${rt.tail(dump.stderr)}`);
		assert.ok(dump.stdout.includes('mailPartnerCred1'), 'the dump holds the credential row');
		assert.ok(dump.stdout.length > 100000, `the dump holds the executions (${dump.stdout.length} bytes)`);
		h.assertNoSecret(dump.stdout, keys, 'the database dump');
	});
}

module.exports = { registerQueueMode, ensureDebianPackages };
