'use strict';
/**
 * The end-to-end tests, on Node's built-in test runner (`npm run test:e2e` starts it through
 * e2e/run.js). The packed package inside a real n8n (2.41.1 on Node 24 unless
 * MAILPARTNER_N8N_VERSION picks a matrix version), against the local sandbox.
 *
 *   part 1  every example through `n8n execute --rawOutput`, in JSON and XML mode (same items), a
 *           wrong API key (clear error, key never printed), an empty account (the error branch)
 *   part 2  the credential test through n8n's REST API while `n8n start` runs
 *   part 3  the editor in Chromium (playwright-core); screenshots in e2e/screenshots/
 *   part 4  queue mode: Redis, Postgres, an n8n main and two workers (e2e/queue.js)
 *
 * Setup is lazy (see helpers.lazy): each part's first test builds what the part needs, so
 * `--test-name-pattern "part 1"` neither starts the n8n server nor the queue-mode processes. The
 * first test of each part is its setup, so the runner's durations say what each step costs.
 * E2E_KEEP=1 keeps the throwaway folder with every log; MAILPARTNER_E2E_TARBALL=file.tgz tests
 * that tarball instead of building this checkout, and MAILPARTNER_E2E_EXAMPLES=folder takes the
 * example workflows from there (e.g. both from one older commit).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const assert = require('node:assert/strict');
const { describe, it, after } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const { registerEditorChecks } = require('./editor');
const { registerQueueMode } = require('./queue');

rt.setLogPrefix('[e2e]');
rt.stopOnSignals();

const WRONG_KEY = 'e2e-wrong-key-4f9c2a71d6';
const BAD_CREDENTIAL_ID = 'mailPartnerBadK1';
const EMPTY_CREDENTIAL_ID = 'mailPartnerEmpt1';
/** A Base URL in 127.0.0.0/8 but not the allowed 127.0.0.1/32: n8n's SSRF protection refuses it. */
const SSRF_CREDENTIAL_ID = 'mailPartnerSsrf1';
const KEYS = [rt.SANDBOX_KEYS.demo, rt.SANDBOX_KEYS.empty, WRONG_KEY];
const { lazy } = h;

// ---------------------------------------------------------------------------------------------
// Shared, lazily built state.

const root = lazy(() => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-e2e-'));
	fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
	rt.log(`throwaway folder: ${dir}`);
	return dir;
});
const logsDir = async () => path.join(await root(), 'logs');

/**
 * The package under test: this checkout built and packed, or MAILPARTNER_E2E_TARBALL (a tarball
 * from `npm pack`, e.g. of a release or of another commit) as it is.
 */
const packed = lazy(async () => {
	const given = process.env.MAILPARTNER_E2E_TARBALL;
	if (!given) return rt.buildAndPack(path.join(await root(), 'pack'));
	assert.ok(fs.existsSync(given), `MAILPARTNER_E2E_TARBALL=${given} does not exist`);
	rt.log(`testing ${given} (not building this checkout)`);
	return path.resolve(given);
});
const installed = lazy(() => rt.ensureN8n());

/** The sqlite n8n of parts 1–3: package installed, sandbox behind the recorder, imports done. */
const base = lazy(async () => {
	const [tarball] = await Promise.all([packed(), installed()]);
	const dir = await root();
	const userFolder = path.join(dir, 'user');
	await rt.installPackage(userFolder, tarball);
	const sandbox = await rt.startSandbox({ state: 'demo', logFile: path.join(dir, 'logs', 'sandbox.log') });
	const recorder = await h.startRecorder(sandbox.baseUrl);
	recorderToClose = recorder;
	rt.log(`sandbox ${sandbox.baseUrl}, recorder ${recorder.baseUrl}`);
	const env = rt.n8nEnv({
		userFolder,
		port: await rt.freePort(),
		brokerPort: await rt.freePort(),
		owner: rt.LOCAL_OWNER,
	});
	await rt.importCredentials(env, [
		rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: recorder.baseUrl }),
		rt.mailPartnerCredential({ id: BAD_CREDENTIAL_ID, name: 'MailPartner wrong key', apiKey: WRONG_KEY, baseUrl: recorder.baseUrl }),
		rt.mailPartnerCredential({ id: EMPTY_CREDENTIAL_ID, name: 'MailPartner empty account', apiKey: rt.SANDBOX_KEYS.empty, baseUrl: recorder.baseUrl }),
		rt.mailPartnerCredential({ id: SSRF_CREDENTIAL_ID, name: 'MailPartner blocked address', apiKey: rt.SANDBOX_KEYS.demo, baseUrl: 'http://127.0.0.2:9/v1' }),
	]);
	const examplesList = examples();
	const credits = examplesList.find((e) => e.file === 'check-credits-before-campaign.json');
	assert.ok(credits, 'examples/check-credits-before-campaign.json exists');
	const wrongKey = { credentialId: BAD_CREDENTIAL_ID, credentialName: 'MailPartner wrong key' };
	const extra = [
		h.variant(credits.workflow, { id: 'mpWrongKeyJson01', name: 'e2e wrong key (json)', ...wrongKey }),
		h.variant(credits.workflow, { id: 'mpWrongKeyXml001', name: 'e2e wrong key (xml)', format: 'xml', ...wrongKey }),
		h.variant(credits.workflow, { id: 'mpEmptyAccount01', name: 'e2e empty account', credentialId: EMPTY_CREDENTIAL_ID, credentialName: 'MailPartner empty account' }),
		h.variant(credits.workflow, { id: 'mpSsrfBlocked001', name: 'e2e address blocked by SSRF protection', credentialId: SSRF_CREDENTIAL_ID, credentialName: 'MailPartner blocked address' }),
	];
	// A Send that MailPartner answers with a proxy's HTML page: what the next node gets, and what a stopped node says.
	extra.push(lostSendWorkflow('mpSendLostCont01', 'e2e send answered 502 (Continue On Fail)', 'continueRegularOutput'));
	extra.push(lostSendWorkflow('mpSendLostStop01', 'e2e send answered 502 (stops)', 'stopWorkflow'));
	const xmlCopies = examplesList.map((e) => h.variant(e.workflow, { id: h.xmlId(e.workflow.id), name: `${e.workflow.name} (XML)`, format: 'xml' }));
	await rt.importWorkflows(env, [...examplesList.map((e) => e.workflow), ...xmlCopies, ...extra]);
	return { tarball, userFolder, sandbox, recorder, env, examples: examplesList };
});
let recorderToClose = null;

/** Manual Trigger → MailPartner Send with n8n's On Error setting `onError` → a No Op node named "After Send". */
function lostSendWorkflow(id, name, onError) {
	const node = (suffix, fields) => ({ id: `00000000-0000-4000-8000-0000000e2e${suffix}`, typeVersion: 1, position: [Number(suffix) * 220, 0], ...fields });
	return {
		id,
		name,
		active: false,
		isArchived: false,
		nodes: [
			node('01', { name: 'Start', type: 'n8n-nodes-base.manualTrigger', parameters: {} }),
			node('02', {
				name: 'Send',
				type: rt.NODE_TYPE,
				onError,
				parameters: { resource: 'message', operation: 'send', subject: 'Hello', htmlContent: '<p>Hello</p>', to: 'ada@example.com', options: {} },
				credentials: { mailPartnerApi: { id: rt.CREDENTIAL_ID, name: 'MailPartner sandbox' } },
			}),
			node('03', { name: 'After Send', type: 'n8n-nodes-base.noOp', parameters: {} }),
		],
		connections: {
			Start: { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
			Send: { main: [[{ node: 'After Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** Runs `id` while the sandbox answers every request with a proxy's HTML page, HTTP 502. */
async function executeWithHtml502(id) {
	const { env, sandbox } = await base();
	await h.sandboxControl(sandbox.baseUrl, 'reset');
	await h.sandboxControl(sandbox.baseUrl, 'faults', { htmlErrorPage: true });
	try {
		const r = await h.execute(env, id);
		fs.writeFileSync(path.join(await logsDir(), `${id}.out`), `${r.stdout}\n${r.stderr}`);
		return r;
	} finally {
		await h.sandboxControl(sandbox.baseUrl, 'faults', {});
	}
}

/** The example workflows: examples/ of this checkout, or MAILPARTNER_E2E_EXAMPLES (a folder). */
function examples() {
	return h.loadExamples();
}

/** `n8n start` on the same user folder, for parts 2 and 3. */
const server = lazy(async () => {
	const { env } = await base();
	const n8n = await rt.startN8n({ env, logFile: path.join(await logsDir(), 'n8n-start.log'), timeoutMs: 240000 });
	// Older n8n (2.8) answer /healthz before their REST API is mounted, and have no readiness
	// endpoint to say so: wait for the public settings route.
	const deadline = Date.now() + 180000;
	for (;;) {
		const r = await rt.httpGet(`${n8n.url}/rest/settings`, 5000);
		if (r.status === 200) break;
		assert.ok(Date.now() < deadline, `GET /rest/settings still answers ${r.status} after 180 s`);
		await rt.sleep(500);
	}
	rt.log(`n8n answers on ${n8n.url} (${rt.formatSeconds(n8n.ms)})`);
	return n8n;
});

after(async () => {
	if (recorderToClose) await recorderToClose.close();
	await rt.stopAll(10000);
	if (root.started()) {
		const dir = await root();
		if (process.env.E2E_KEEP === '1') rt.log(`kept ${dir}`);
		else fs.rmSync(dir, { recursive: true, force: true });
	}
});

// ---------------------------------------------------------------------------------------------

describe(`part 1: example workflows through \`n8n execute\` (n8n ${rt.runtime().n8n}, Node ${rt.runtime().node})`, () => {
	it('setup: build and pack, n8n installed, package in the user folder, sandbox, imports', async (t) => {
		const started = Date.now();
		const { tarball } = await base();
		t.diagnostic(`${path.basename(tarball)}, n8n ${rt.runtime().n8n} on Node ${rt.runtime().node}, ready in ${rt.formatSeconds(Date.now() - started)}`);
	});

	// The examples are read here, at registration, so that each one gets its own named tests.
	for (const { file, workflow } of examples()) {
		const expect = h.EXPECT[file];
		const runs = {};
		// A workflow started by the MailPartner Trigger is polled by an active n8n, not run by
		// `n8n execute`: its run tests are reported as skipped, with the reason.
		const skip = h.startsManually(workflow) ? false : `starts with ${workflow.nodes[0].type}: n8n execute runs only workflows with a Manual Trigger`;
		it(`examples/${file} uses this package's nodes with the fixed credential id`, () => {
			const own = workflow.nodes.filter(h.isOwnNode);
			assert.ok(own.length > 0, 'uses a node of this package');
			for (const n of own) assert.equal(n.credentials.mailPartnerApi.id, rt.CREDENTIAL_ID);
			const others = workflow.nodes.filter((n) => !h.isOwnNode(n) && !n.type.startsWith('n8n-nodes-base.'));
			assert.deepEqual(others.map((n) => n.type), [], 'only core nodes besides this package’s');
		});
		for (const format of ['json', 'xml']) {
			const id = format === 'json' ? workflow.id : h.xmlId(workflow.id);
			it(`examples/${file} runs (${format.toUpperCase()})`, { skip }, async () => {
				assert.ok(expect, `no expectations written for ${file}`);
				const { env, sandbox, recorder } = await base();
				// Fresh seed before each pair; the create example also needs one between its two
				// runs (the same e-mail twice is MailPartner's code 7). Message dates are seeded
				// relative to the reset, so the status example must not be reset in between.
				if (format === 'json' || expect.resetBetween) await h.sandboxControl(sandbox.baseUrl, 'reset');
				recorder.take();
				const r = await h.execute(env, id);
				const logs = await logsDir();
				fs.writeFileSync(path.join(logs, `${id}.stdout`), r.stdout);
				fs.writeFileSync(path.join(logs, `${id}.stderr`), r.stderr);
				assert.equal(r.code, 0, `n8n execute exited ${r.code}:\n${rt.tail(r.stdout, 15)}\n${rt.tail(r.stderr, 15)}`);
				const run = h.parseRun(r.stdout);
				assert.equal(run.status, 'success', `execution status ${run.status}`);
				expect.check(run);
				const calls = recorder.take();
				assert.ok(calls.length > 0, 'MailPartner was called');
				const formats = [...new Set(calls.map((c) => c.format))];
				assert.deepEqual(formats, [format], `every call asked for ${format}: ${JSON.stringify(calls)}`);
				runs[format] = run;
			});
		}
		it(`examples/${file}: the same items in JSON and XML mode`, { skip }, () => {
			assert.ok(runs.json && runs.xml, 'both runs passed');
			const mask = expect.mask || ((x) => x);
			for (const node of expect.compare) {
				h.mustRun(runs.json, node);
				h.mustRun(runs.xml, node);
				assert.deepEqual(h.items(runs.xml, node).map(mask), h.items(runs.json, node).map(mask), `items of "${node}"`);
			}
		});
	}

	for (const [id, format] of [
		['mpWrongKeyJson01', 'JSON'],
		['mpWrongKeyXml001', 'XML'],
	]) {
		it(`a wrong API key fails clearly without printing the key (${format})`, async () => {
			const { env } = await base();
			const r = await h.execute(env, id);
			const all = `${r.stdout}\n${r.stderr}`;
			fs.writeFileSync(path.join(await logsDir(), `${id}.out`), all);
			assert.notEqual(r.code, 0, 'n8n execute must fail');
			assert.ok(all.includes('Invalid API key (MailPartner code 10'), `no "Invalid API key (MailPartner code 10" in the output:\n${rt.tail(all, 20)}`);
			h.assertNoSecret(all, [WRONG_KEY], 'the output');
		});
	}

	it('a Send answered HTTP 502 under Continue On Fail: the next node gets the message, the description with the warning, and the status', async () => {
		const r = await executeWithHtml502('mpSendLostCont01');
		assert.equal(r.code, 0, `n8n execute exited ${r.code}:\n${rt.tail(r.stdout, 15)}\n${rt.tail(r.stderr, 15)}`);
		const run = h.parseRun(r.stdout);
		// What n8n stored for the Send node after it rewrote the node's output, and what the next node received.
		for (const node of ['Send', 'After Send']) {
			const received = h.items(run, node);
			assert.equal(received.length, 1, `one item from "${node}"`);
			const [item] = received;
			assert.deepEqual(Object.keys(item).sort(), ['details', 'error'], `"${node}": ${JSON.stringify(item)}`);
			assert.equal(item.error, 'The send may have gone out: MailPartner answered with an HTML page (HTTP 502)');
			assert.equal(item.details.httpStatus, 502);
			assert.equal(item.details.mayHaveHappened, true);
			assert.match(item.details.description, /^MailPartner may have carried it out before the answer was lost.* Before running it again, check whether it did: Account → Get Credits/);
		}
		h.assertNoSecret(`${r.stdout}\n${r.stderr}`, KEYS, 'the output');
	});

	it('a Send answered HTTP 502 without Continue On Fail stops the node with the same warning', async () => {
		const r = await executeWithHtml502('mpSendLostStop01');
		const all = `${r.stdout}\n${r.stderr}`;
		assert.notEqual(r.code, 0, 'n8n execute must fail');
		assert.ok(all.includes('The send may have gone out: MailPartner answered with an HTML page (HTTP 502)'), rt.tail(all, 20));
		h.assertNoSecret(all, KEYS, 'the output');
	});

	// n8n's SSRF protection exists from n8n 2.12: the older matrix rows have no such setting.
	it('with n8n’s SSRF protection on, a Base URL it blocks gives a clear error naming the setting', { skip: !rt.runtime().isDefault && 'n8n before 2.12 has no SSRF protection' }, async () => {
		const { env } = await base();
		assert.equal(env.N8N_SSRF_PROTECTION_ENABLED, 'true', 'the e2e runs with SSRF protection on');
		const r = await h.execute(env, 'mpSsrfBlocked001');
		const all = `${r.stdout}\n${r.stderr}`;
		fs.writeFileSync(path.join(await logsDir(), 'mpSsrfBlocked001.out'), all);
		assert.notEqual(r.code, 0, 'n8n execute must fail');
		assert.ok(all.includes("n8n's SSRF protection blocked the request to 127.0.0.2:9"), rt.tail(all, 20));
		h.assertNoSecret(all, KEYS, 'the output');
	});

	it('an empty account takes the "Not enough credits" branch', async () => {
		const { env, sandbox } = await base();
		await h.sandboxControl(sandbox.baseUrl, 'reset');
		const r = await h.execute(env, 'mpEmptyAccount01');
		const all = `${r.stdout}\n${r.stderr}`;
		assert.notEqual(r.code, 0, 'the Stop and Error node fails the run');
		assert.ok(all.includes('Not enough MailPartner credits: 0 mails'), rt.tail(all, 20));
		h.assertNoSecret(all, [rt.SANDBOX_KEYS.empty], 'the output');
	});
});

describe('part 2: the credential test through the REST API', () => {
	let session;
	it('setup: n8n start answers /healthz', async (t) => {
		const n8n = await server();
		t.diagnostic(`n8n ${rt.runtime().n8n} on ${n8n.url}, /healthz after ${rt.formatSeconds(n8n.ms)}`);
	});
	it('the preset owner logs in (POST /rest/login)', async () => {
		session = await h.restLogin((await server()).url);
		assert.equal(session.user.email, rt.LOCAL_OWNER.email);
	});
	it('the community node type is loaded by the server', async () => {
		assert.ok(session, 'logged in');
		const r = await h.rest((await server()).url, 'GET', '/types/nodes.json', session);
		assert.equal(r.status, 200, `GET /types/nodes.json: HTTP ${r.status}`);
		const types = r.json.filter((d) => d.name === rt.NODE_TYPE);
		assert.equal(types.length, 1, `${rt.NODE_TYPE} in /types/nodes.json`);
		assert.equal(types[0].displayName, 'MailPartner');
	});
	it('credential test: the sandbox key passes', async () => {
		assert.ok(session, 'logged in');
		const { result, storedData } = await h.restCredentialTest((await server()).url, session, rt.CREDENTIAL_ID);
		h.assertNoSecret(storedData, [rt.SANDBOX_KEYS.demo], 'the stored credential the API returns (it must be redacted)');
		assert.equal(result.status, 'OK', `credential test: ${JSON.stringify(result)}`);
	});
	it('credential test: a wrong key fails', async (t) => {
		assert.ok(session, 'logged in');
		const { result, raw } = await h.restCredentialTest((await server()).url, session, BAD_CREDENTIAL_ID);
		assert.equal(result.status, 'Error', `credential test: ${JSON.stringify(result)}`);
		// n8n before 2.41 (2.8.4, 1.123.x) refuses a 401 with its own words before it reads the
		// credential's rules: the key is refused there too, the README says so.
		const saysWhy = /^Invalid API key: MailPartner refused it/;
		assert.match(result.message, rt.runtime().isDefault ? saysWhy : new RegExp(`${saysWhy.source}|^Authorization failed`), 'the credential test says why');
		h.assertNoSecret(raw, [WRONG_KEY], 'the answer');
		t.diagnostic(`message: ${JSON.stringify(result.message)}`);
	});
	it('the n8n server log holds no API key', async () => {
		if (!server.started()) return;
		const text = fs.readFileSync(path.join(await logsDir(), 'n8n-start.log'), 'utf8');
		h.assertNoSecret(text, KEYS, 'n8n-start.log');
	});
});

describe('part 3: the editor in Chromium', () => {
	it('setup: n8n start answers /healthz', async () => {
		await server();
	});
	registerEditorChecks({
		it,
		after,
		baseUrl: async () => (await server()).url,
		owner: rt.LOCAL_OWNER,
		screenshotsDir: path.join(__dirname, 'screenshots'),
		workflowId: 'mpCheckCredits01',
		profileDir: async () => path.join(await root(), 'chromium-profile'),
		log: rt.log,
		// What `npm start` gives a newcomer: the demo credential alone (parts 1 and 2 needed the
		// wrong-key, empty-account and blocked-address ones; n8n would give a new node one of those).
		onlyDemoCredential: async () => {
			const url = (await server()).url;
			const session = await h.restLogin(url);
			for (const id of [BAD_CREDENTIAL_ID, EMPTY_CREDENTIAL_ID, SSRF_CREDENTIAL_ID]) {
				const r = await h.rest(url, 'DELETE', `/rest/credentials/${id}`, session);
				assert.ok([200, 404].includes(r.status), `DELETE /rest/credentials/${id}: HTTP ${r.status}`);
			}
		},
	});
	// The sqlite server is not needed past this point (part 4 runs its own n8n processes).
	after(async () => {
		if (server.started()) await (await server()).stop();
	});
});

describe('part 4: queue mode (Redis, Postgres, an n8n main and two workers)', () => {
	registerQueueMode({ it, after, packed, installed, root, keys: KEYS });
});

describe('part 5: the MailPartner Trigger, polled by an active n8n (about 9 minutes: n8n polls once a minute)', () => {
	// Its own n8n and sandbox, in its own process (e2e/trigger.e2e.js, runnable alone): publishes two
	// trigger workflows, lowers the credits and unsubscribes addresses, restarts n8n between polls,
	// and counts exactly one execution per event.
	it('one execution per event, none repeated or lost across an n8n restart', { timeout: 25 * 60 * 1000 }, async (t) => {
		const run = await rt.run(process.execPath, [path.join(__dirname, 'trigger.e2e.js')], { timeoutMs: 24 * 60 * 1000 });
		const output = `${run.stdout}\n${run.stderr}`;
		assert.equal(run.code, 0, `e2e/trigger.e2e.js exited ${run.code}${run.timedOut ? ' (timed out)' : ''}:\n${rt.tail(output, 40)}`);
		t.diagnostic(rt.tail(run.stdout, 6));
	});
});
