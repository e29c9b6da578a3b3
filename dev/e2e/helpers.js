'use strict';
/**
 * What the e2e parts share: a recorder in front of the sandbox, the example workflows' expected
 * outputs, reading `n8n execute` and REST answers, and one-time lazy setup steps.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const assert = require('node:assert/strict');
const rt = require('../n8n/runtime');

/**
 * `fn` runs once, on first use, and every caller gets its result (or its error). Setup steps are
 * lazy so that a name filter that leaves a part out also leaves out its processes: Node 20's
 * runner still calls the hooks of a suite whose tests are all filtered out.
 */
function lazy(fn) {
	let promise = null;
	const get = () => {
		if (!promise) promise = Promise.resolve().then(fn);
		return promise;
	};
	get.started = () => promise !== null;
	return get;
}

// ---------------------------------------------------------------------------------------------
// A recorder in front of the sandbox: forwards every request and notes its route and `_format`
// (never the key), so the XML runs are proven to ask for XML.

function startRecorder(targetBaseUrl) {
	const target = new URL(targetBaseUrl);
	const seen = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const url = new URL(req.url, 'http://recorder.invalid');
			let format = url.searchParams.get('_format');
			if (format === null && body.length > 0) {
				try {
					const parsed = JSON.parse(body.toString('utf8'));
					if (parsed && typeof parsed === 'object' && '_format' in parsed) format = String(parsed._format);
				} catch {
					/* not JSON */
				}
			}
			seen.push({ method: req.method, path: url.pathname, format: format || 'json' });
			const upstream = http.request(
				{
					host: target.hostname,
					port: target.port,
					method: req.method,
					path: req.url,
					headers: { ...req.headers, host: target.host },
					timeout: 30000,
				},
				(up) => {
					res.writeHead(up.statusCode, up.headers);
					up.pipe(res);
				},
			);
			upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
			upstream.on('error', () => {
				if (!res.headersSent) res.writeHead(502);
				res.end();
			});
			upstream.end(body);
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			resolve({
				baseUrl: `http://127.0.0.1:${port}${target.pathname.replace(/\/+$/, '')}`,
				seen,
				take() {
					return seen.splice(0, seen.length);
				},
				close: () =>
					new Promise((r) => {
						server.closeAllConnections?.();
						server.close(() => r());
					}),
			});
		});
	});
}

function sandboxControl(sandboxBaseUrl, route, body) {
	const u = new URL(sandboxBaseUrl);
	const text = body === undefined ? '' : JSON.stringify(body);
	return new Promise((resolve, reject) => {
		const req = http.request(
			{
				host: u.hostname,
				port: u.port,
				method: 'POST',
				path: `/__sandbox/${route}`,
				timeout: 5000,
				headers: text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {},
			},
			(res) => {
				res.resume();
				res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`sandbox ${route}: HTTP ${res.statusCode}`))));
			},
		);
		req.on('timeout', () => req.destroy(new Error(`sandbox ${route}: timeout`)));
		req.on('error', reject);
		req.end(text);
	});
}

// ---------------------------------------------------------------------------------------------
// Workflows and their expected outputs.

function isMailPartner(node) {
	return node.type === rt.NODE_TYPE;
}

/** A node of this package (the MailPartner node or its trigger). */
function isOwnNode(node) {
	return node.type.startsWith(`${rt.PACKAGE_NAME}.`);
}

/** `n8n execute` and the webhook copies run only workflows that start with a Manual Trigger. */
function startsManually(workflow) {
	return workflow.nodes[0] && workflow.nodes[0].type === 'n8n-nodes-base.manualTrigger';
}

function variant(workflow, { id, name, format, credentialId, credentialName }) {
	const copy = JSON.parse(JSON.stringify(workflow));
	copy.id = id;
	copy.name = name;
	for (const node of copy.nodes.filter(isMailPartner)) {
		if (format) node.parameters.options = { ...(node.parameters.options || {}), responseFormat: format };
		if (credentialId) node.credentials = { mailPartnerApi: { id: credentialId, name: credentialName } };
	}
	return copy;
}

const xmlId = (id) => `x${id.slice(1)}`;

/** Output items of `node` (output index `output`) in an `n8n execute --rawOutput` result. */
function items(run, node, output = 0) {
	const runs = run.data.resultData.runData[node];
	if (!runs) return null;
	const main = runs[0].data && runs[0].data.main;
	return ((main && main[output]) || []).map((i) => i.json);
}

function mustRun(run, node) {
	assert.ok(run.data.resultData.runData[node], `node "${node}" did not run`);
}

/** Per example: assertions on one run, and what to compare between JSON and XML. */
const EXPECT = {
	'check-credits-before-campaign.json': {
		check(run) {
			const out = items(run, 'Get credits');
			assert.equal(out.length, 1, 'Get credits: one item');
			const [credits] = out;
			assert.equal(typeof credits.user.username, 'string');
			assert.ok(credits.user.username.length > 0, 'username is set');
			assert.equal(credits.credits.currency, 'EUR');
			// Euros as a number (MailPartner writes the text "250.000").
			assert.strictEqual(credits.credits.balance, 250, `balance the number 250, got ${JSON.stringify(credits.credits.balance)}`);
			assert.equal(typeof credits.credits.creditMail, 'number');
			assert.ok(credits.credits.creditMail >= 1000, 'creditMail ≥ 1000');
			const ready = items(run, 'Ready to send');
			assert.ok(ready && ready.length === 1, 'the ok branch ran with one item');
			assert.equal(ready[0].campaignReady, true);
			assert.strictEqual(ready[0].balanceEuros, 250, `balanceEuros 250, got ${JSON.stringify(ready[0].balanceEuros)}`);
			assert.equal(run.data.resultData.runData['Not enough credits'], undefined, 'the error branch did not run');
		},
		compare: ['Get credits', 'Ready to send'],
	},
	'list-all-subaccounts.json': {
		check(run) {
			const out = items(run, 'List subaccounts');
			assert.equal(out.length, 45, `45 subaccounts, got ${out.length}`);
			const ids = new Set();
			for (const s of out) {
				for (const k of ['id', 'email', 'type', 'token', 'createdAt', 'credits']) {
					assert.ok(k in s, `subaccount has ${k}: ${JSON.stringify(s)}`);
				}
				// Each subaccount's own key only with Include API Keys, which the example leaves off.
				assert.ok(!('apiKey' in s), `no apiKey by default: ${JSON.stringify(s)}`);
				assert.ok('balance' in s.credits && 'currency' in s.credits, 'credits {balance, currency}');
				assert.equal(typeof s.credits.balance, 'number', `balance in euros as a number: ${JSON.stringify(s.credits)}`);
				ids.add(String(s.id));
			}
			assert.equal(ids.size, 45, 'ids are unique');
		},
		compare: ['List subaccounts'],
	},
	'create-subaccount.json': {
		check(run) {
			const out = items(run, 'Create subaccount');
			assert.equal(out.length, 1, 'one item');
			const [c] = out;
			assert.equal(c.subaccount.email, 'newsletter-team@example.com');
			assert.equal(typeof c.subaccount.token, 'string');
			assert.ok(c.subaccount.token.length > 0, 'token is set');
			assert.equal(typeof c.sendConfirmMailTo, 'string');
			assert.equal(typeof c.parent_email, 'string');
			assert.ok(c.parent_email.includes('@'), 'parent_email is an e-mail');
		},
		compare: ['Create subaccount'],
		resetBetween: true,
		// New subaccounts get random tokens: compare everything else.
		mask: (json) => ({ ...json, subaccount: { ...json.subaccount, token: '<random>' } }),
	},
	'credit-top-up.json': {
		check(run) {
			const listed = items(run, 'List subaccounts');
			assert.equal(listed.length, 45, `45 subaccounts listed, got ${listed.length}`);
			assert.ok(listed.every((s) => typeof s.credits.balance === 'number'), 'every balance is a number');
			const low = listed.filter((s) => s.credits.balance < 2.5);
			const filtered = items(run, 'Below 2.50 EUR') || [];
			assert.deepEqual(filtered.map((s) => String(s.id)), low.map((s) => String(s.id)), 'the filter keeps exactly the subaccounts below 2.50 EUR');
			const toppedUp = items(run, 'Top up to 5 EUR') || [];
			assert.equal(toppedUp.length, low.length, `one top-up per subaccount below 2.50 EUR (${low.length})`);
			// Each move names its subaccount and the euros moved, and both balances after it are numbers.
			assert.deepEqual(
				toppedUp.map((t) => [t.subaccount, t.amount, typeof t.credit, typeof t.subaccountCredit]),
				low.map((s) => [s.token, Number((5 - s.credits.balance).toFixed(2)), 'number', 'number']),
				'each top-up names its subaccount and the amount moved',
			);
		},
		compare: ['List subaccounts', 'Below 2.50 EUR'],
		resetBetween: true,
	},
	'send-and-follow.json': {
		check(run) {
			// Sandbox mode: nothing is sent or charged; the sandbox reports the bounce address as Bounced.
			const sent = items(run, 'Send (sandbox mode)');
			assert.equal(sent.length, 1, 'one send');
			assert.ok(sent[0].messageId !== undefined && sent[0].messageId !== null, `the send has a message id: ${JSON.stringify(sent[0])}`);
			const recipients = items(run, 'Get status per recipient');
			assert.equal(recipients.length, 3, `one item per recipient, got ${recipients.length}`);
			const statusOf = Object.fromEntries(recipients.map((r) => [r.email, r.status]));
			assert.deepEqual(Object.values(statusOf).sort(), ['Bounced', 'Delivered', 'Delivered'], JSON.stringify(statusOf));
			assert.equal(items(run, 'Delivered').length, 2, 'two delivered');
			const other = items(run, 'Not delivered');
			assert.equal(other.length, 1, 'one not delivered');
			assert.equal(other[0].needsFollowUp, true);
			assert.equal(other[0].status, 'Bounced');
		},
		// Each send gets a new message id, tokens and dates: compare who got which status.
		compare: ['Get status per recipient'],
		mask: (json) => ({ email: json.email, status: json.status }),
		resetBetween: true,
	},
	'check-send-status.json': {
		check(run) {
			const out = items(run, 'Get status');
			assert.equal(out.length, 3, 'Get status: one item per recipient');
			for (const r of out) {
				assert.equal(r.messageId, '1001');
				for (const k of ['email', 'token', 'status', 'cost', 'stopMail', 'date', 'dateIso']) assert.ok(k in r, `recipient has ${k}`);
			}
			assert.deepEqual(out.map((r) => r.status).sort(), ['Bounced', 'Delivered', 'Delivered']);
			const undelivered = items(run, 'Not delivered?', 0);
			const delivered = items(run, 'Not delivered?', 1);
			assert.deepEqual(undelivered.map((r) => r.status), ['Bounced'], 'one undelivered recipient');
			assert.equal(delivered.length, 2, 'two delivered recipients');
			const flagged = items(run, 'Undelivered');
			assert.equal(flagged.length, 1);
			assert.equal(flagged[0].needsFollowUp, true);
			assert.equal(flagged[0].messageId, '1001', 'messageId carried to each recipient');
		},
		compare: ['Get status', 'Undelivered', 'Delivered'],
	},
};

/** Parse `n8n execute --rawOutput` stdout: log lines first, then the run as pretty JSON. */
function parseRun(stdout) {
	const start = stdout.search(/^\{$/m);
	if (start < 0) throw new Error(`no JSON in n8n execute output:\n${rt.tail(stdout, 20)}`);
	const text = stdout.slice(start);
	const end = text.search(/^\}$/m);
	return JSON.parse(text.slice(0, end + 1));
}

async function execute(env, id) {
	const r = await rt.n8nCli(['execute', `--id=${id}`, '--rawOutput'], { env, timeoutMs: 120000 });
	if (r.timedOut) throw new Error(`n8n execute --id=${id} timed out`);
	return r;
}

// ---------------------------------------------------------------------------------------------
// Part 2: REST.

async function rest(baseUrl, method, route, { body, cookie, browserId } = {}) {
	const headers = { 'content-type': 'application/json', 'browser-id': browserId };
	if (cookie) headers.cookie = cookie;
	const res = await fetch(`${baseUrl}${route}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
		signal: AbortSignal.timeout(30000),
	});
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: res.status, json, text, headers: res.headers };
}

async function restLogin(baseUrl) {
	const browserId = `e2e-${process.pid}`;
	const login = () =>
		rest(baseUrl, 'POST', '/rest/login', {
			browserId,
			body: { emailOrLdapLoginId: rt.LOCAL_OWNER.email, password: rt.LOCAL_OWNER.password },
		});
	let r = await login();
	if (r.status !== 200) {
		// n8n before the owner could be preset by environment (the 1.x line): set it up the way the
		// editor's first screen does, then log in.
		const settings = await rest(baseUrl, 'GET', '/rest/settings', { browserId });
		const um = settings.json && settings.json.data && settings.json.data.userManagement;
		if (um && um.showSetupOnFirstLoad) {
			const { email, firstName, lastName, password } = rt.LOCAL_OWNER;
			const setup = await rest(baseUrl, 'POST', '/rest/owner/setup', { browserId, body: { email, firstName, lastName, password } });
			assert.equal(setup.status, 200, `POST /rest/owner/setup: HTTP ${setup.status} ${setup.text.slice(0, 300)}`);
			r = await login();
		}
	}
	assert.equal(r.status, 200, `POST /rest/login: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	const setCookie = r.headers.getSetCookie ? r.headers.getSetCookie() : [r.headers.get('set-cookie')];
	const auth = setCookie.find((c) => c && c.startsWith('n8n-auth='));
	assert.ok(auth, 'login sets the n8n-auth cookie');
	return { cookie: auth.split(';')[0], browserId, user: r.json && r.json.data };
}

/** The editor's own credential test: fetch the stored (redacted) data, POST /rest/credentials/test. */
async function restCredentialTest(baseUrl, session, credentialId) {
	const got = await rest(baseUrl, 'GET', `/rest/credentials/${credentialId}?includeData=true`, session);
	assert.equal(got.status, 200, `GET credential ${credentialId}: HTTP ${got.status} ${got.text.slice(0, 300)}`);
	const cred = got.json.data;
	const r = await rest(baseUrl, 'POST', '/rest/credentials/test', {
		...session,
		body: { credentials: { id: cred.id, name: cred.name, type: cred.type, data: cred.data } },
	});
	assert.equal(r.status, 200, `POST /rest/credentials/test: HTTP ${r.status} ${r.text.slice(0, 300)}`);
	return { result: r.json.data, raw: r.text, storedData: got.text };
}


/** The example workflows, [{file, workflow}] by file name: examples/ or MAILPARTNER_E2E_EXAMPLES. */
function loadExamples() {
	const dir = process.env.MAILPARTNER_E2E_EXAMPLES;
	if (!dir) return rt.loadExamples();
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) }));
}

/** Fail if any of `secrets` occurs in `text` (without printing the secret itself). */
function assertNoSecret(text, secrets, where) {
	for (const secret of secrets) {
		assert.ok(!String(text).includes(secret), `an API key value appears in ${where}`);
	}
}

module.exports = {
	lazy,
	loadExamples,
	startRecorder,
	sandboxControl,
	isMailPartner,
	isOwnNode,
	startsManually,
	variant,
	xmlId,
	items,
	mustRun,
	EXPECT,
	parseRun,
	execute,
	rest,
	restLogin,
	restCredentialTest,
	assertNoSecret,
};
