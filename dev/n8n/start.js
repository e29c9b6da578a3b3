#!/usr/bin/env node
'use strict';
/**
 * `npm start`: a local n8n with this package installed as a community package, wired to the local
 * MailPartner sandbox, the example workflows imported and an owner account preset. It prints the
 * URLs and runs until Ctrl-C, which stops everything it started. `--smoke` (CI) checks what a
 * newcomer gets, then stops.
 *
 * Environment (all optional):
 *   N8N_PORT, MAILPARTNER_SANDBOX_PORT  editor and sandbox ports (default 5678, 8710)
 *   MAILPARTNER_N8N_USER_FOLDER n8n user folder (default: the checkout, so its git-ignored `.n8n/`)
 *   MAILPARTNER_N8N_CACHE       where Node 24 and n8n are installed (default ~/.cache/n8n-nodes-mailpartner)
 *   MAILPARTNER_SKIP_EXAMPLES=1 do not re-import the example workflows (they are overwritten otherwise)
 *   N8N_ENCRYPTION_KEY          the user folder's key (default: a fixed local-only key; set your own
 *                               before the first run if you store a real API key)
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const rt = require('./runtime');

const { smoke } = parseArgs({ options: { smoke: { type: 'boolean', default: false } } }).values;
rt.setLogPrefix('[start]');
// Ctrl-C is how a developer ends `npm start`: a clean stop, exit 0.
rt.stopOnSignals(15000, 0);

async function main() {
	const t0 = Date.now();
	const n8nPort = Number(process.env.N8N_PORT || 5678);
	const sandboxPort = Number(process.env.MAILPARTNER_SANDBOX_PORT || 8710);
	const userFolder = path.resolve(process.env.MAILPARTNER_N8N_USER_FOLDER || rt.REPO_DIR);
	const dataDir = path.join(userFolder, '.n8n');
	// Before minutes of build and install, not after.
	for (const [what, port] of [['n8n (N8N_PORT)', n8nPort], ['the sandbox (MAILPARTNER_SANDBOX_PORT)', sandboxPort]]) {
		if (!(await rt.portFree(port))) throw new Error(`port ${port} for ${what} is in use on 127.0.0.1: is another \`npm start\` running? Stop it or pick another port.`);
	}

	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-pack-'));
	try {
		// The build does not wait for a first n8n install (minutes), nor the install for the build.
		const [tarball] = await Promise.all([rt.buildAndPack(packDir), rt.ensureN8n()]);
		await rt.installPackage(userFolder, tarball);
		rt.log(`installed ${path.basename(tarball)} into ${path.join(dataDir, 'nodes')}`);
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}

	const sandbox = await rt.startSandbox({ port: sandboxPort, state: 'demo', logFile: path.join(dataDir, 'sandbox.log') });
	rt.log(`sandbox listening on ${sandbox.baseUrl}`);
	const env = rt.n8nEnv({ userFolder, port: n8nPort, brokerPort: await rt.freePort(), encryptionKey: process.env.N8N_ENCRYPTION_KEY, owner: rt.LOCAL_OWNER });

	// Only the demo account: with one credential of its type, n8n gives it to every new MailPartner
	// node. With a second one (the empty account, imported here before) n8n picked that one, and a
	// newcomer's first Get Credits showed 0.
	rt.log('importing the MailPartner sandbox credential ...');
	await rt.importCredentials(env, [rt.mailPartnerCredential({ apiKey: rt.SANDBOX_KEYS.demo, baseUrl: sandbox.baseUrl })]);
	if (process.env.MAILPARTNER_SKIP_EXAMPLES !== '1') {
		const examples = rt.loadExamples();
		rt.log(`importing ${examples.length} example workflows: ${examples.map((e) => e.file).join(', ')}`);
		await rt.importWorkflows(env, examples.map((e) => e.workflow));
	}

	const logFile = path.join(dataDir, 'n8n-start.log');
	rt.log(`starting n8n ${rt.N8N_VERSION} on 127.0.0.1:${n8nPort} (log: ${logFile}) ...`);
	const n8n = await rt.startN8n({ env, logFile, timeoutMs: 240000 });
	const line = '-'.repeat(72);
	console.log(`
${line}
  n8n ${rt.N8N_VERSION} is ready (${rt.formatSeconds(Date.now() - t0)})
  Editor:    ${n8n.url}/
  Login:     ${rt.LOCAL_OWNER.email}  /  ${rt.LOCAL_OWNER.password}   (local-only account)
  Sandbox:   ${sandbox.baseUrl}   (credential "${rt.CREDENTIAL_NAME}", key ${rt.SANDBOX_KEYS.demo})
  Data:      ${dataDir}
  Examples:  Overview → the "MailPartner – …" workflows
  Ctrl-C stops n8n and the sandbox.
${line}
`);
	if (smoke) {
		await smokeCheck(n8n.url, sandbox.baseUrl);
		return rt.stopAllAndExit(0, 15000, () => rt.log('stopping n8n and the sandbox ...'));
	}
	const ended = await Promise.race([n8n.child.exited.then((e) => ({ what: 'n8n', ...e })), sandbox.child.exited.then((e) => ({ what: 'the sandbox', ...e }))]);
	throw new Error(`${ended.what} exited unexpectedly (code ${ended.code}${ended.signal ? `, ${ended.signal}` : ''}); see ${logFile}`);
}

/** As the preset owner: the node is served, new nodes get the demo credential (the only one), the sandbox answers. */
async function smokeCheck(baseUrl, sandboxUrl) {
	const headers = { 'content-type': 'application/json', 'browser-id': `start-${process.pid}` };
	const body = JSON.stringify({ emailOrLdapLoginId: rt.LOCAL_OWNER.email, password: rt.LOCAL_OWNER.password });
	const login = await fetch(`${baseUrl}/rest/login`, { method: 'POST', headers, body, signal: AbortSignal.timeout(30000) });
	if (login.status !== 200) throw new Error(`login answered HTTP ${login.status}`);
	headers.cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
	const get = async (route) => (await fetch(`${baseUrl}${route}`, { headers, signal: AbortSignal.timeout(30000) })).json();
	const served = (await get('/types/nodes.json')).some((type) => type.name === rt.NODE_TYPE);
	const credentials = (await get('/rest/credentials')).data.filter((c) => c.type === rt.CREDENTIAL_TYPE);
	const me = await (await fetch(`${sandboxUrl}/me?apiKey=${rt.SANDBOX_KEYS.demo}`, { signal: AbortSignal.timeout(30000) })).json();
	const problems = [
		served ? '' : `${rt.NODE_TYPE} is not served by n8n`,
		credentials.length === 1 && credentials[0].id === rt.CREDENTIAL_ID ? '' : `expected only the demo credential, found ${JSON.stringify(credentials.map((c) => c.name))}`,
		me.success === true ? '' : 'the sandbox does not answer /me for the demo key',
	].filter(Boolean);
	if (problems.length > 0) throw new Error(`smoke check: ${problems.join('; ')}`);
	rt.log('smoke check passed: the node is served, new nodes get the demo credential, the sandbox answers');
}

main().catch((err) => rt.stopAllAndExit(1, 15000, () => console.error(`[start] ${err.message || err}`)));
