'use strict';
/**
 * Running the cached n8n: its environment (local only, sqlite, nothing phoning home, the owner
 * account preset, n8n 3's defaults), its CLI (imports of the demo credential and the example
 * workflows) and `n8n start` until it is ready.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const waitOn = require('wait-on');
const { REPO_DIR, spawnTracked, stopChild, whileRunning, run, runChecked } = require('./processes');
const { PACKAGE_NAME, nodeBin, n8nBin, n8nDir } = require('./install');

const NODE_TYPE = `${PACKAGE_NAME}.mailPartner`;
const CREDENTIAL_TYPE = 'mailPartnerApi';
/** The sandbox's throwaway keys (public, local only). */
const SANDBOX_KEYS = { demo: 'sandbox-demo-key', empty: 'sandbox-empty-key' };
/** Fixed id the example workflows use for their MailPartner credential. */
const CREDENTIAL_ID = 'mailPartnerCred1';
const CREDENTIAL_NAME = 'MailPartner sandbox';
/** Encryption key for throwaway/local n8n user folders only. Never use it for real data. */
const LOCAL_ENCRYPTION_KEY = 'mailpartner-local-sandbox-encryption-key-not-secret';
/** The local owner account preset by env (documented local-only password). */
const LOCAL_OWNER = { email: 'owner@example.com', firstName: 'Local', lastName: 'Owner', password: 'MailPartner-Local-1' };

/**
 * n8n 3's defaults that 2.41 already has (README → Compatibility → n8n 3): SSRF protection on, the
 * sandbox's loopback address allowed (n8n blocks 127.0.0.0/8), unverified community packages refused.
 * `npm start` and the e2e use them; the benchmark keeps n8n's current defaults, like its users.
 */
const N8N_3_DEFAULTS = { N8N_SSRF_PROTECTION_ENABLED: 'true', N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32', N8N_UNVERIFIED_PACKAGES_ENABLED: 'false' };

/** bcrypt hash with the bcryptjs that n8n's install brings. */
function bcryptHash(password) {
	return require(require.resolve('bcryptjs', { paths: [path.join(n8nDir(), 'node_modules', 'n8n')] })).hashSync(password, 10);
}

/** Environment for every n8n command: local only, sqlite, nothing phoning home, a fixed key. */
function n8nEnv({ userFolder, port = 5678, brokerPort, encryptionKey, owner, n8n3Defaults = true, extra = {} }) {
	const env = {
		...process.env,
		PATH: `${path.dirname(nodeBin())}${path.delimiter}${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder, N8N_ENCRYPTION_KEY: encryptionKey || LOCAL_ENCRYPTION_KEY, DB_TYPE: 'sqlite',
		N8N_HOST: '127.0.0.1', N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1', N8N_PORT: String(port), N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false', N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`, WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_DIAGNOSTICS_ENABLED: 'false', N8N_VERSION_NOTIFICATIONS_ENABLED: 'false', N8N_TEMPLATES_ENABLED: 'false', N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false', N8N_DIAGNOSTICS_CONFIG_FRONTEND: '', N8N_DIAGNOSTICS_CONFIG_BACKEND: '', EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true', N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info', GENERIC_TIMEZONE: process.env.GENERIC_TIMEZONE || 'UTC',
		...(n8n3Defaults ? N8N_3_DEFAULTS : {}),
		...extra,
	};
	if (brokerPort) env.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
	if (owner) {
		Object.assign(env, {
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true', N8N_INSTANCE_OWNER_EMAIL: owner.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName, N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcryptHash(owner.password),
		});
	}
	// Variables of the outer `npm run` would leak into n8n's own npm use.
	for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
	return env;
}

/** One n8n CLI command, run to completion in the user folder (the result of `run`). */
function n8nCli(args, { env, timeoutMs = 3 * 60 * 1000 } = {}) {
	return run(nodeBin(), [n8nBin(), ...args], { cwd: env.N8N_USER_FOLDER, env, timeoutMs });
}

/** The same, throwing unless it exits 0 (the result of `runChecked`). */
function n8nCliChecked(what, args, { env }) {
	return runChecked(what, nodeBin(), [n8nBin(), ...args], { cwd: env.N8N_USER_FOLDER, env, timeoutMs: 3 * 60 * 1000 });
}

/** A credential entry for `n8n import:credentials` (data unencrypted; n8n encrypts on import). */
function mailPartnerCredential({ id = CREDENTIAL_ID, name = CREDENTIAL_NAME, apiKey, baseUrl }) {
	return { id, name, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl } };
}

/**
 * `n8n import:<kind> --separate` of `entities`, one file each in a private temporary folder that
 * lives only for the import (credentials hold API keys). Workflows need their fixed `id`.
 */
async function importEach(kind, env, entities) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-import-'));
	try {
		entities.forEach((entity, i) => fs.writeFileSync(path.join(dir, `${i}.json`), JSON.stringify(entity), { mode: 0o600 }));
		return await n8nCliChecked(`n8n import:${kind}`, [`import:${kind}`, '--separate', `--input=${dir}`], { env });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}
const importCredentials = (env, credentials) => importEach('credentials', env, credentials);
const importWorkflows = (env, workflows) => importEach('workflow', env, workflows);

/** The example workflows: [{file, workflow}] sorted by file name. */
function loadExamples() {
	const dir = path.join(REPO_DIR, 'examples');
	return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) }));
}

/**
 * `n8n start` in the background, until `/healthz/readiness` says the REST API and the community
 * nodes are loaded (`/healthz` answers before that; an n8n without the route answers 404 there).
 * wait-on cannot be cancelled: if n8n exits first, its polls end only at `timeoutMs`.
 * Returns {url, child, logFile, ms, stop()}.
 */
async function startN8n({ env, timeoutMs = 180000, logFile }) {
	const port = Number(env.N8N_PORT);
	const url = `http://127.0.0.1:${port}`;
	const started = Date.now();
	const child = spawnTracked(nodeBin(), [n8nBin(), 'start'], { cwd: env.N8N_USER_FOLDER, env, logFile });
	const resources = [`http-get://127.0.0.1:${port}/healthz`, `http-get://127.0.0.1:${port}/healthz/readiness`];
	await whileRunning(child, 'n8n start', waitOn({ resources, timeout: timeoutMs, interval: 500, httpTimeout: 3000, proxy: false, validateStatus: (status) => status === 200 || status === 404 }));
	return { url, child, logFile, ms: Date.now() - started, stop: () => stopChild(child, 15000) };
}

module.exports = {
	NODE_TYPE, CREDENTIAL_TYPE, SANDBOX_KEYS, CREDENTIAL_ID, CREDENTIAL_NAME, LOCAL_OWNER,
	n8nEnv, n8nCli, mailPartnerCredential, importCredentials, importWorkflows, loadExamples, startN8n,
};
