'use strict';
/**
 * What the e2e test files share: the throwaway folder and the package under test (both lazy), the
 * sandbox's control routes, `n8n execute` and n8n's REST API, the example workflows and the
 * workflows a test builds, and the check that no API key leaked.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { randomUUID } = require('node:crypto');
const { createRequire } = require('node:module');
const { setTimeout: sleep } = require('node:timers/promises');
const { after } = require('node:test');
const waitOn = require('wait-on');
const rt = require('../n8n/runtime');

rt.setLogPrefix('[e2e]');
rt.stopOnSignals();

const WRONG_KEY = 'e2e-wrong-key-4f9c2a71d6';
/** Every API key the e2e uses: none may appear in an output, a log or a database. */
const KEYS = [rt.SANDBOX_KEYS.demo, rt.SANDBOX_KEYS.empty, WRONG_KEY];

/**
 * `fn` runs once, on first use, and every caller gets its result (or its error). Setup steps are
 * lazy so that a name filter that leaves a part out also leaves out its processes: Node 20's
 * runner still calls the hooks of a suite whose tests are all filtered out.
 */
function lazy(fn) {
	let promise = null;
	const get = () => (promise ??= Promise.resolve().then(fn));
	get.started = () => promise !== null;
	return get;
}

/** This test file's throwaway folder, with `logs/`; removed after its tests unless E2E_KEEP=1. */
const root = lazy(() => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-e2e-'));
	fs.mkdirSync(path.join(dir, 'logs'));
	rt.log(`throwaway folder: ${dir}`);
	return dir;
});
const logsDir = async () => path.join(await root(), 'logs');

/** The package under test: MAILPARTNER_E2E_TARBALL (run.js packs once for every file), else this checkout built and packed. */
const packed = lazy(async () => {
	const given = process.env.MAILPARTNER_E2E_TARBALL;
	if (!given) return rt.buildAndPack(path.join(await root(), 'pack'));
	assert.ok(fs.existsSync(given), `MAILPARTNER_E2E_TARBALL=${given} does not exist`);
	return path.resolve(given);
});
const installed = lazy(() => rt.ensureN8n());

after(async () => {
	await rt.stopAll(15000);
	if (!root.started()) return;
	const dir = await root();
	if (process.env.E2E_KEEP === '1') rt.log(`kept ${dir}`);
	else fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A sqlite n8n's user folder with the package installed, a sandbox in its demo state, the demo
 * credential and `credentials` (pointing at the sandbox, or at what `through(sandboxUrl)` gives)
 * and `workflows` imported.
 */
async function prepareN8n({ through, credentials = [], workflows = [] } = {}) {
	const [tarball] = await Promise.all([packed(), installed()]);
	const userFolder = path.join(await root(), 'user');
	await rt.installPackage(userFolder, tarball);
	const sandbox = await rt.startSandbox({ state: 'demo', logFile: path.join(await logsDir(), 'sandbox.log') });
	const baseUrl = through ? await through(sandbox.baseUrl) : sandbox.baseUrl;
	const env = rt.n8nEnv({ userFolder, port: await rt.freePort(), brokerPort: await rt.freePort(), owner: rt.LOCAL_OWNER });
	await rt.importCredentials(env, [{ apiKey: rt.SANDBOX_KEYS.demo }, ...credentials].map((c) => rt.mailPartnerCredential({ baseUrl, ...c })));
	await rt.importWorkflows(env, workflows);
	return { tarball, sandbox, env };
}

/** `n8n start` on that user folder, once its REST API answers; the log is `logs/<logName>`. */
async function startServer(env, logName = 'n8n-start.log') {
	const n8n = await rt.startN8n({ env, logFile: path.join(await logsDir(), logName), timeoutMs: 240000 });
	// Older n8n (2.8) answer /healthz before their REST API is mounted, and have no readiness
	// endpoint to say so: wait for the public settings route.
	await readyOrExit(n8n.child, 'n8n start', [`http-get://127.0.0.1:${new URL(n8n.url).port}/rest/settings`], 180000);
	rt.log(`n8n answers on ${n8n.url} (${rt.formatSeconds(n8n.ms)})`);
	return n8n;
}

/** Polls `check` every `everyMs` until it gives a truthy value, and returns it; fails naming `what` after `timeoutMs`. */
async function until(check, what, timeoutMs, everyMs = 1000) {
	const deadline = Date.now() + timeoutMs;
	for (let value = await check(); ; value = await check()) {
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${rt.formatSeconds(timeoutMs)} waiting for ${what}`);
		await sleep(everyMs);
	}
}

/** Waits for wait-on `resources` (e.g. `tcp:127.0.0.1:6379`), failing at once if `child` exits first. */
function readyOrExit(child, name, resources, timeout) {
	const exited = child.exited.then((e) => {
		throw new Error(`${name} exited with ${e.code}\n${rt.tail(child.stdoutText, 30)}\n${rt.tail(child.stderrText, 30)}`);
	});
	return Promise.race([waitOn({ resources, timeout, interval: 500, tcpTimeout: 1000, httpTimeout: 3000 }), exited]);
}

// ---------------------------------------------------------------------------------------------
// The sandbox's control routes (never the API key).

async function sandboxControl(sandboxBaseUrl, route, body) {
	const r = await rest(new URL(sandboxBaseUrl).origin, 'POST', `/__sandbox/${route}`, { body, timeoutMs: 5000 });
	assert.equal(r.status, 200, `sandbox ${route}: HTTP ${r.status}`);
}

/** The sandbox's state: accounts, and `requests.byRoute` (how often each route was called). */
async function sandboxState(sandboxBaseUrl) {
	return (await rest(new URL(sandboxBaseUrl).origin, 'GET', '/__sandbox/state', { timeoutMs: 5000 })).json.state;
}

/** The newest mail with this subject that the sandbox kept for the demo account (waits for it). */
const sentMail = (sandboxBaseUrl, subject) =>
	until(async () => {
		const messages = Object.values((await sandboxState(sandboxBaseUrl)).accounts[rt.SANDBOX_KEYS.demo].messages);
		return messages.findLast((m) => m.subject === subject);
	}, `the sandbox to receive the mail "${subject}"`, 120000, 500);

// ---------------------------------------------------------------------------------------------
// Workflows.

/** A node of this package (the MailPartner node or its trigger). */
const isOwnNode = (node) => node.type.startsWith(`${rt.PACKAGE_NAME}.`);
/** `n8n execute` and the webhook copies run only workflows that start with a Manual Trigger. */
const startsManually = (workflow) => workflow.nodes[0]?.type === 'n8n-nodes-base.manualTrigger';
const CREDENTIALS = { mailPartnerApi: { id: rt.CREDENTIAL_ID, name: rt.CREDENTIAL_NAME } };

/** A copy of `workflow` with another id and name, its MailPartner nodes set to `format` and/or another credential. */
function variant(workflow, { id, name, format, credentialId, credentialName }) {
	const copy = structuredClone(workflow);
	Object.assign(copy, { id, name });
	for (const node of copy.nodes.filter((n) => n.type === rt.NODE_TYPE)) {
		if (format) node.parameters.options = { ...node.parameters.options, responseFormat: format };
		if (credentialId) node.credentials = { mailPartnerApi: { id: credentialId, name: credentialName } };
	}
	return copy;
}

/** A workflow whose nodes (`{name, type, parameters, …}`) run one after the other, as `n8n import:workflow` takes it. */
function chain(id, name, nodes) {
	return {
		id,
		name,
		active: false,
		isArchived: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: nodes.map((node, i) => ({ id: randomUUID(), typeVersion: 1, position: [i * 220, 0], parameters: {}, ...node })),
		connections: Object.fromEntries(nodes.slice(1).map((node, i) => [nodes[i].name, { main: [[{ node: node.name, type: 'main', index: 0 }]] }])),
	};
}

/** Output items of `node` (output index `output`) in a run's data. */
function items(run, node, output = 0) {
	const runs = run.data.resultData.runData[node];
	if (!runs) return null;
	return (runs[0].data?.main?.[output] || []).map((i) => i.json);
}

function mustRun(run, node) {
	assert.ok(run.data.resultData.runData[node], `node "${node}" did not run`);
}

// ---------------------------------------------------------------------------------------------
// n8n: `n8n execute` and the REST API.

/** `n8n execute --rawOutput`; its stdout and stderr are kept in the logs as `<id>.out`. */
async function execute(env, id) {
	const r = await rt.n8nCli(['execute', `--id=${id}`, '--rawOutput'], { env, timeoutMs: 120000 });
	if (r.timedOut) throw new Error(`n8n execute --id=${id} timed out`);
	fs.writeFileSync(path.join(await logsDir(), `${id}.out`), `${r.stdout}\n${r.stderr}`);
	if (r.signal === 'SIGSEGV' && printedSuccess(r.stdout)) {
		// n8n 2.41.1 on Node 24 now and then dies with SIGSEGV while exiting, after it printed
		// (and stored) the whole run (README: known flake, seen only on a loaded machine). The run
		// is what is checked; a crash before or during the run still fails the test.
		console.log(`[e2e] n8n execute --id=${id} printed a successful run, then exited with SIGSEGV: the run is checked as printed`);
		return { ...r, code: 0, crashedOnExit: true, all: `${r.stdout}\n${r.stderr}` };
	}
	return { ...r, all: `${r.stdout}\n${r.stderr}` };
}

/** Whether stdout holds a whole run that n8n reports as successful. */
function printedSuccess(stdout) {
	try {
		const run = parseRun(stdout);
		return run.status === 'success' && !run.data.resultData.error;
	} catch {
		return false;
	}
}

/** Parse `n8n execute --rawOutput` stdout: log lines first, then the run as pretty JSON. */
function parseRun(stdout) {
	const start = stdout.search(/^\{$/m);
	if (start < 0) throw new Error(`no JSON in n8n execute output:\n${rt.tail(stdout, 20)}`);
	const text = stdout.slice(start);
	return JSON.parse(text.slice(0, text.search(/^\}$/m) + 1));
}

/** One call to n8n; `json` is the parsed answer (null when it is not JSON). */
async function rest(baseUrl, method, route, { body, cookie, browserId, timeoutMs = 30000 } = {}) {
	const headers = { 'content-type': 'application/json', ...(browserId && { 'browser-id': browserId }), ...(cookie && { cookie }) };
	const res = await fetch(`${baseUrl}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, json, text, headers: res.headers };
}

/** A GET that must answer 200; returns its `data`. */
async function restData(baseUrl, route, session) {
	const r = await rest(baseUrl, 'GET', route, session);
	assert.equal(r.status, 200, `GET ${route}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	return r.json.data;
}

async function restLogin(baseUrl) {
	const browserId = `e2e-${process.pid}`;
	const { email, firstName, lastName, password } = rt.LOCAL_OWNER;
	const login = () => rest(baseUrl, 'POST', '/rest/login', { browserId, body: { emailOrLdapLoginId: email, password } });
	let r = await login();
	if (r.status !== 200) {
		// n8n before the owner could be preset by environment (the 1.x line): set it up the way the
		// editor's first screen does, then log in.
		const settings = await rest(baseUrl, 'GET', '/rest/settings', { browserId });
		if (settings.json?.data?.userManagement?.showSetupOnFirstLoad) {
			const setup = await rest(baseUrl, 'POST', '/rest/owner/setup', { browserId, body: { email, firstName, lastName, password } });
			assert.equal(setup.status, 200, `POST /rest/owner/setup: HTTP ${setup.status} ${setup.text.slice(0, 300)}`);
			r = await login();
		}
	}
	assert.equal(r.status, 200, `POST /rest/login: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	const auth = r.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
	assert.ok(auth, 'login sets the n8n-auth cookie');
	return { cookie: auth.split(';')[0], browserId, user: r.json?.data };
}

/** The editor's own credential test: fetch the stored (redacted) data, POST /rest/credentials/test. */
async function restCredentialTest(baseUrl, session, credentialId) {
	const got = await rest(baseUrl, 'GET', `/rest/credentials/${credentialId}?includeData=true`, session);
	assert.equal(got.status, 200, `GET credential ${credentialId}: HTTP ${got.status} ${got.text.slice(0, 300)}`);
	const { id, name, type, data } = got.json.data;
	const r = await rest(baseUrl, 'POST', '/rest/credentials/test', { ...session, body: { credentials: { id, name, type, data } } });
	assert.equal(r.status, 200, `POST /rest/credentials/test: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	return { result: r.json.data, raw: r.text, storedData: got.text };
}

/**
 * Publishes `workflows` (each `{ id }`) on the running n8n as the editor's Publish button does:
 * webhooks and triggers answer only for published workflows, and `import:workflow` leaves them
 * unpublished. A REST call each, where `n8n publish:workflow` would boot an n8n CLI per workflow.
 */
async function publish(baseUrl, session, workflows) {
	for (const { id } of workflows) {
		const { versionId } = await restData(baseUrl, `/rest/workflows/${id}`, session);
		const r = await rest(baseUrl, 'POST', `/rest/workflows/${id}/activate`, { ...session, body: { versionId } });
		assert.equal(r.status, 200, `publish ${id}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	}
}

/** The executions of a workflow, newest first, as the editor lists them. */
async function executions(baseUrl, session, workflowId) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const data = await restData(baseUrl, `/rest/executions?filter=${filter}&limit=100`, session);
	return (data.results ?? data).filter((e) => String(e.workflowId) === workflowId).sort((a, b) => Number(b.id) - Number(a.id));
}

/** One execution with its run data (n8n stores it "flatted": parsed with n8n's own copy of flatted). */
async function execution(baseUrl, session, executionId) {
	const exec = await restData(baseUrl, `/rest/executions/${executionId}`, session);
	const { parse } = createRequire(path.join(rt.n8nDir(), 'node_modules', 'n8n', 'package.json'))('flatted');
	return { id: String(exec.id), status: exec.status, data: parse(exec.data) };
}

/** Fail if any of `secrets` occurs in `text` (without printing the secret itself). */
function assertNoSecret(text, secrets, where) {
	for (const secret of secrets) assert.ok(!String(text).includes(secret), `an API key value appears in ${where}`);
}

module.exports = {
	WRONG_KEY, KEYS, lazy, root, logsDir, packed, installed, prepareN8n, startServer, until, readyOrExit,
	sandboxControl, sandboxState, sentMail, isOwnNode, startsManually, CREDENTIALS, variant, chain,
	items, mustRun, execute, parseRun, rest, restLogin, restCredentialTest, publish, executions, execution,
	assertNoSecret,
};
