'use strict';
/**
 * n8n in queue mode, as production runs it, for part 4 (queue.test.js, with its Send and Wait
 * cases): Redis and Postgres (Debian's packages, installed when missing, data in the throwaway
 * folder, 127.0.0.1 only), one n8n main and two workers (`EXECUTIONS_MODE=queue`), each with the
 * packed package in its own nodes folder, as n8n's queue-mode docs ask for community packages, and
 * WEBHOOK_URL the main's on every instance (a worker that signs a resume link must point at the main).
 */
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const assert = require('node:assert/strict');
const rt = require('../n8n/runtime');
const h = require('./helpers');

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
	// The packages' own services may start; the e2e never uses them (its own servers run on other ports).
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
	const args = ['-D', dataDir, '-h', '127.0.0.1', '-p', String(port), '-k', dir, ...settings];
	const child = rt.spawnTracked(...asPostgres(path.join(bin, 'postgres'), args), { cwd: dir, logFile: path.join(logsDir, 'postgres.log') });
	await h.readyOrExit(child, 'postgres', [`tcp:127.0.0.1:${port}`], 60000);
	return { port, bin };
}

/** A Webhook node at /webhook/mailpartner-e2e-<pathSuffix>. */
const webhookNode = (name, pathSuffix, responseMode = 'lastNode') =>
	({ name, type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: randomUUID(), parameters: { httpMethod: 'POST', path: `mailpartner-e2e-${pathSuffix}`, responseMode, options: {} } });

/** POSTs `body` to the webhook of `workflow` on n8n at `url`. */
const callWebhook = (url, workflow, { body = {}, timeoutMs } = {}) =>
	h.rest(url, 'POST', `/webhook/${workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook').parameters.path}`, { body, timeoutMs });

/** The names of the workers whose logs say they started execution `id`, once per start (a resume starts it again). */
function workerStarts(workers, id) {
	return workers.flatMap((w) => [...fs.readFileSync(w.logFile, 'utf8').matchAll(/Worker started execution (\d+)\b/g)].filter((m) => m[1] === String(id)).map(() => w.name));
}

/**
 * Starts it all, with the demo credential and `workflows` imported and published; `timings` says
 * what each step took. `sandbox` is the sandbox the credential points at, `session` the owner's
 * login on the main.
 */
async function startQueueMode({ workflows }) {
	const timings = {};
	const time = async (name, fn) => {
		const t = Date.now();
		const result = await fn();
		timings[name] = rt.formatSeconds(Date.now() - t);
		return result;
	};
	const [tarball, , debian] = await time('packages', () => Promise.all([h.packed(), h.installed(), ensureDebianPackages()]));
	timings.debian = debian;
	const dir = path.join(await h.root(), 'queue');
	const logsDir = path.join(dir, 'logs');
	fs.mkdirSync(logsDir, { recursive: true });
	const [redis, postgres, sandbox] = await time('services', () =>
		Promise.all([startRedis(path.join(dir, 'redis'), logsDir), startPostgres(path.join(dir, 'postgres'), logsDir), rt.startSandbox({ state: 'demo', logFile: path.join(logsDir, 'sandbox.log') })]),
	);
	const mainPort = await rt.freePort();
	const shared = {
		EXECUTIONS_MODE: 'queue', OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true', QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb', DB_POSTGRESDB_HOST: '127.0.0.1', DB_POSTGRESDB_PORT: String(postgres.port), DB_POSTGRESDB_DATABASE: DB.database,
		DB_POSTGRESDB_USER: DB.user, DB_POSTGRESDB_PASSWORD: DB.password, N8N_LOG_LEVEL: 'info',
		// n8n 2.41's MCP server registry fetches a list from api.n8n.io at start: not wanted (loopback only).
		N8N_DISABLED_MODULES: 'mcp-registry',
		// The resume URL a worker puts in a Send and Wait mail must be the main's.
		WEBHOOK_URL: `http://127.0.0.1:${mainPort}/`,
	};
	const env = async (name, extra, owner, port) =>
		rt.n8nEnv({ userFolder: path.join(dir, name), port: port ?? (await rt.freePort()), brokerPort: await rt.freePort(), owner, extra: { ...shared, ...extra } });
	const mainEnv = await env('main', {}, rt.LOCAL_OWNER, mainPort);
	const workerEnvs = [];
	for (const name of ['worker-1', 'worker-2']) {
		const health = { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(await rt.freePort()), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' };
		workerEnvs.push({ name, env: await env(name, health) });
	}
	await time('imports', async () => {
		// The documented way for queue mode: the package in the nodes folder of every instance.
		await Promise.all(['main', 'worker-1', 'worker-2'].map((name) => rt.installPackage(path.join(dir, name), tarball)));
		await rt.importCredentials(mainEnv, [rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: sandbox.baseUrl })]);
		await rt.importWorkflows(mainEnv, workflows);
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
	const session = await h.restLogin(main.url);
	await time('publish', () => h.publish(main.url, session, workflows));
	return { main, workers, sandbox, session, logsDir, timings, pgDump: () => pgDump(postgres) };
}

/** The whole database as text (execution data, workflows, credentials as stored). */
async function pgDump(postgres) {
	const args = ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', DB.user, DB.database];
	const dump = await rt.run(path.join(postgres.bin, 'pg_dump'), args, { env: { ...process.env, PGPASSWORD: DB.password }, timeoutMs: 120000 });
	assert.equal(dump.code, 0, `pg_dump: ${rt.tail(dump.stderr)}`);
	return dump.stdout;
}

module.exports = { startQueueMode, webhookNode, callWebhook, workerStarts };
