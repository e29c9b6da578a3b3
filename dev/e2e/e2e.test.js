'use strict';
/**
 * Parts 1 and 2 of the e2e run (the matrix runs them on other n8n versions), on one n8n with
 * sqlite (2.41.1 on Node 24 unless MAILPARTNER_N8N_VERSION picks a matrix version):
 *
 *   part 1  every example through `n8n execute --rawOutput`, in JSON and XML mode (same items), a
 *           wrong API key (clear error, key never printed), a Send answered by a proxy's HTML page,
 *           a Base URL that n8n's SSRF protection blocks, an empty account (the error branch)
 *   part 2  the credential test through n8n's REST API while `n8n start` runs
 *
 * The first test of each part is its setup (lazy, see helpers.lazy), so the runner's durations say
 * what each step costs and `--test-name-pattern "part 1"` never starts the n8n server.
 */
const fs = require('node:fs');
const http = require('node:http');
const { once } = require('node:events');
const path = require('node:path');
const assert = require('node:assert/strict');
const { describe, it, after } = require('node:test');
const rt = require('../n8n/runtime');
const h = require('./helpers');
const { EXPECT } = require('./examples');

const { WRONG_KEY, KEYS } = h;
const CREDENTIALS = {
	wrong: { id: 'mailPartnerBadK1', name: 'MailPartner wrong key', apiKey: WRONG_KEY },
	empty: { id: 'mailPartnerEmpt1', name: 'MailPartner empty account', apiKey: rt.SANDBOX_KEYS.empty },
	/** A Base URL in 127.0.0.0/8 but not the allowed 127.0.0.1/32: n8n's SSRF protection refuses it. */
	ssrf: { id: 'mailPartnerSsrf1', name: 'MailPartner blocked address', apiKey: rt.SANDBOX_KEYS.demo, baseUrl: 'http://127.0.0.2:9/v1' },
};
const HTML_502 = 'The send may have gone out: MailPartner answered with an HTML page (HTTP 502)';
/** The id of an example's copy in XML mode. */
const xmlId = (id) => `x${id.slice(1)}`;

/**
 * A recorder in front of the sandbox: forwards every request and notes its `_format` (from the
 * query or the JSON body, never the key), so the XML runs are proven to ask for XML.
 */
let recorderServer = null;
after(() => {
	recorderServer?.closeAllConnections();
	recorderServer?.close();
});
async function startRecorder(targetBaseUrl) {
	const target = new URL(targetBaseUrl);
	const formats = [];
	const proxy = (recorderServer = http.createServer(async (req, res) => {
		// A client that goes away mid-body ends its own exchange, not the test process.
		const body = await req.toArray().then(Buffer.concat, () => null);
		if (body === null) return void res.destroy();
		let format = new URL(req.url, target).searchParams.get('_format');
		try {
			format ??= JSON.parse(body.toString('utf8'))._format;
		} catch {
			/* not JSON */
		}
		formats.push(format ? String(format) : 'json');
		const headers = { ...req.headers, host: target.host };
		const upstream = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers, timeout: 30000 }, (up) => {
			res.writeHead(up.statusCode, up.headers);
			up.pipe(res);
		});
		upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
		upstream.on('error', () => (res.headersSent ? res : res.writeHead(502)).end());
		upstream.end(body);
	}));
	await once(proxy.listen(0, '127.0.0.1'), 'listening');
	return { baseUrl: `http://127.0.0.1:${proxy.address().port}${target.pathname.replace(/\/+$/, '')}`, take: () => formats.splice(0) };
}

/** Manual Trigger → MailPartner Send with n8n's On Error setting `onError` → a No Op node named "After Send". */
const lostSendWorkflow = (id, name, onError) =>
	h.chain(id, name, [
		{ name: 'Start', type: 'n8n-nodes-base.manualTrigger' },
		{
			name: 'Send',
			type: rt.NODE_TYPE,
			onError,
			parameters: { resource: 'message', operation: 'send', subject: 'Hello', htmlContent: '<p>Hello</p>', to: 'ada@example.com', options: {} },
			credentials: h.CREDENTIALS,
		},
		{ name: 'After Send', type: 'n8n-nodes-base.noOp' },
	]);

/** The n8n of parts 1 and 2: the sandbox behind the recorder, the examples and the error cases imported. */
const base = h.lazy(async () => {
	const examples = rt.loadExamples();
	const credits = examples.find((e) => e.file === 'check-credits-before-campaign.json');
	assert.ok(credits, 'examples/check-credits-before-campaign.json exists');
	const using = (c) => ({ credentialId: c.id, credentialName: c.name });
	let recorder = null;
	const n8n = await h.prepareN8n({
		through: async (url) => (recorder = await startRecorder(url)).baseUrl,
		credentials: Object.values(CREDENTIALS),
		workflows: [
			...examples.map((e) => e.workflow),
			...examples.map((e) => h.variant(e.workflow, { id: xmlId(e.workflow.id), name: `${e.workflow.name} (XML)`, format: 'xml' })),
			h.variant(credits.workflow, { id: 'mpWrongKeyJson01', name: 'e2e wrong key (json)', ...using(CREDENTIALS.wrong) }),
			h.variant(credits.workflow, { id: 'mpWrongKeyXml001', name: 'e2e wrong key (xml)', format: 'xml', ...using(CREDENTIALS.wrong) }),
			h.variant(credits.workflow, { id: 'mpEmptyAccount01', name: 'e2e empty account', ...using(CREDENTIALS.empty) }),
			h.variant(credits.workflow, { id: 'mpSsrfBlocked001', name: 'e2e address blocked by SSRF protection', ...using(CREDENTIALS.ssrf) }),
			// A Send that MailPartner answers with a proxy's HTML page: what the next node gets, and what a stopped node says.
			lostSendWorkflow('mpSendLostCont01', 'e2e send answered 502 (Continue On Fail)', 'continueRegularOutput'),
			lostSendWorkflow('mpSendLostStop01', 'e2e send answered 502 (stops)', 'stopWorkflow'),
		],
	});
	return { ...n8n, recorder };
});

/** `n8n execute --id=id` that must fail; returns its output, checked for the keys. */
async function executeFailing(id, secrets = KEYS) {
	const r = await h.execute((await base()).env, id);
	assert.notEqual(r.code, 0, 'n8n execute must fail');
	h.assertNoSecret(r.all, secrets, 'the output');
	return r.all;
}

/** Runs `id` while the sandbox answers every request with a proxy's HTML page, HTTP 502. */
async function executeWithHtml502(id) {
	const { env, sandbox } = await base();
	await h.sandboxControl(sandbox.baseUrl, 'reset');
	await h.sandboxControl(sandbox.baseUrl, 'faults', { htmlErrorPage: true });
	try {
		return await h.execute(env, id);
	} finally {
		await h.sandboxControl(sandbox.baseUrl, 'faults', {});
	}
}

/** `n8n start` on the same user folder, for part 2. */
const server = h.lazy(async () => h.startServer((await base()).env));

describe(`part 1: example workflows through \`n8n execute\` (n8n ${rt.runtime().n8n}, Node ${rt.runtime().node})`, () => {
	it('setup: build and pack, n8n installed, package in the user folder, sandbox, imports', async (t) => {
		const started = Date.now();
		const { tarball } = await base();
		t.diagnostic(`${path.basename(tarball)}, n8n ${rt.runtime().n8n} on Node ${rt.runtime().node}, ready in ${rt.formatSeconds(Date.now() - started)}`);
	});

	// The examples are read here, at registration, so that each one gets its own named tests.
	for (const { file, workflow } of rt.loadExamples()) {
		const expect = EXPECT[file];
		const runs = {};
		// A workflow started by the MailPartner Trigger is polled by an active n8n, not run by
		// `n8n execute`: its run tests are reported as skipped, with the reason.
		const skip = !h.startsManually(workflow) && `starts with ${workflow.nodes[0].type}: n8n execute runs only workflows with a Manual Trigger`;
		it(`examples/${file} uses this package's nodes with the fixed credential id`, () => {
			const own = workflow.nodes.filter(h.isOwnNode);
			assert.ok(own.length > 0, 'uses a node of this package');
			for (const n of own) assert.equal(n.credentials.mailPartnerApi.id, rt.CREDENTIAL_ID);
			const others = workflow.nodes.filter((n) => !h.isOwnNode(n) && !n.type.startsWith('n8n-nodes-base.'));
			assert.deepEqual(others.map((n) => n.type), [], 'only core nodes besides this package’s');
		});
		for (const format of ['json', 'xml']) {
			it(`examples/${file} runs (${format.toUpperCase()})`, { skip }, async () => {
				assert.ok(expect, `no expectations written for ${file}`);
				const { env, sandbox, recorder } = await base();
				// Fresh seed before each pair; the create example also needs one between its two
				// runs (the same e-mail twice is MailPartner's code 7). Message dates are seeded
				// relative to the reset, so the status example must not be reset in between.
				if (format === 'json' || expect.resetBetween) await h.sandboxControl(sandbox.baseUrl, 'reset');
				recorder.take();
				const r = await h.execute(env, format === 'json' ? workflow.id : xmlId(workflow.id));
				assert.equal(r.code, 0, `n8n execute exited ${r.code ?? r.signal}:\n${rt.tail(r.stdout, 15)}\n${rt.tail(r.stderr, 15)}`);
				const run = h.parseRun(r.stdout);
				assert.equal(run.status, 'success', `execution status ${run.status}`);
				expect.check(run);
				const formats = recorder.take();
				assert.ok(formats.length > 0, 'MailPartner was called');
				assert.deepEqual([...new Set(formats)], [format], `every call asked for ${format}: ${JSON.stringify(formats)}`);
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

	for (const [id, format] of [['mpWrongKeyJson01', 'JSON'], ['mpWrongKeyXml001', 'XML']]) {
		it(`a wrong API key fails clearly without printing the key (${format})`, async () => {
			const all = await executeFailing(id, [WRONG_KEY]);
			assert.ok(all.includes('Invalid API key (MailPartner code 10'), `no "Invalid API key (MailPartner code 10" in the output:\n${rt.tail(all, 20)}`);
		});
	}

	it('a Send answered HTTP 502 under Continue On Fail: the next node gets the message, the description with the warning, and the status', async () => {
		const r = await executeWithHtml502('mpSendLostCont01');
		assert.equal(r.code, 0, `n8n execute exited ${r.code ?? r.signal}:\n${rt.tail(r.stdout, 15)}\n${rt.tail(r.stderr, 15)}`);
		const run = h.parseRun(r.stdout);
		// What n8n stored for the Send node after it rewrote the node's output, and what the next node received.
		for (const node of ['Send', 'After Send']) {
			const received = h.items(run, node);
			assert.equal(received.length, 1, `one item from "${node}"`);
			const [item] = received;
			assert.deepEqual(Object.keys(item).sort(), ['details', 'error'], `"${node}": ${JSON.stringify(item)}`);
			assert.equal(item.error, HTML_502);
			assert.equal(item.details.httpStatus, 502);
			assert.equal(item.details.mayHaveHappened, true);
			assert.match(item.details.description, /^MailPartner may have carried it out before the answer was lost.* Before running it again, check whether it did: Account → Get Credits/);
		}
		h.assertNoSecret(r.all, KEYS, 'the output');
	});

	it('a Send answered HTTP 502 without Continue On Fail stops the node with the same warning', async () => {
		const r = await executeWithHtml502('mpSendLostStop01');
		assert.notEqual(r.code, 0, 'n8n execute must fail');
		assert.ok(r.all.includes(HTML_502), rt.tail(r.all, 20));
		h.assertNoSecret(r.all, KEYS, 'the output');
	});

	// n8n's SSRF protection exists from n8n 2.12: the older matrix rows have no such setting.
	it('with n8n’s SSRF protection on, a Base URL it blocks gives a clear error naming the setting', { skip: !rt.runtime().isDefault && 'n8n before 2.12 has no SSRF protection' }, async () => {
		assert.equal((await base()).env.N8N_SSRF_PROTECTION_ENABLED, 'true', 'the e2e runs with SSRF protection on');
		const all = await executeFailing('mpSsrfBlocked001');
		assert.ok(all.includes("n8n's SSRF protection blocked the request to 127.0.0.2:9"), rt.tail(all, 20));
	});

	it('an empty account takes the "Not enough credits" branch', async () => {
		await h.sandboxControl((await base()).sandbox.baseUrl, 'reset');
		// The Stop and Error node fails the run.
		const all = await executeFailing('mpEmptyAccount01', [rt.SANDBOX_KEYS.empty]);
		assert.ok(all.includes('Not enough MailPartner credits: 0 mails'), rt.tail(all, 20));
	});
});

describe('part 2: the credential test through the REST API', () => {
	let session;
	const url = async () => (await server()).url;
	it('setup: n8n start answers /healthz', async (t) => {
		const n8n = await server();
		t.diagnostic(`n8n ${rt.runtime().n8n} on ${n8n.url}, /healthz after ${rt.formatSeconds(n8n.ms)}`);
	});
	it('the preset owner logs in (POST /rest/login)', async () => {
		session = await h.restLogin(await url());
		assert.equal(session.user.email, rt.LOCAL_OWNER.email);
	});
	it('the community node type is loaded by the server', async () => {
		assert.ok(session, 'logged in');
		const r = await h.rest(await url(), 'GET', '/types/nodes.json', session);
		assert.equal(r.status, 200, `GET /types/nodes.json: HTTP ${r.status}`);
		const types = r.json.filter((d) => d.name === rt.NODE_TYPE);
		assert.equal(types.length, 1, `${rt.NODE_TYPE} in /types/nodes.json`);
		assert.equal(types[0].displayName, 'MailPartner');
	});
	it('credential test: the sandbox key passes', async () => {
		assert.ok(session, 'logged in');
		const { result, storedData } = await h.restCredentialTest(await url(), session, rt.CREDENTIAL_ID);
		h.assertNoSecret(storedData, [rt.SANDBOX_KEYS.demo], 'the stored credential the API returns (it must be redacted)');
		assert.equal(result.status, 'OK', `credential test: ${JSON.stringify(result)}`);
	});
	it('credential test: a wrong key fails', async (t) => {
		assert.ok(session, 'logged in');
		const { result, raw } = await h.restCredentialTest(await url(), session, CREDENTIALS.wrong.id);
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
		h.assertNoSecret(fs.readFileSync(path.join(await h.logsDir(), 'n8n-start.log'), 'utf8'), KEYS, 'n8n-start.log');
	});
});
