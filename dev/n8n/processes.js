'use strict';
/**
 * The tooling's child processes (npm, n8n, the sandbox, Redis, Postgres), spawned by execa, their
 * output kept per line and appended to a log file. Each runs in its own process group: stopping it
 * stops what it started (npm's build scripts, n8n's task runner), and Ctrl-C in the terminal reaches
 * only this script, which stops them in order. execa signals the leader only: the group kills are
 * here. Every child is tracked, so `stopAll()` and the exit hook end every group, pass or fail.
 */
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');
const { execa } = require('execa');
const { formatSeconds, tail, log } = require('./log');

const REPO_DIR = path.resolve(__dirname, '..', '..');
const children = new Set();

/** Signal a child's whole group (its pid is the group's id); false when the group is gone. */
function signalGroup(child, signal) {
	try {
		return process.kill(-child.pid, signal);
	} catch {
		return false;
	}
}

/**
 * Start a tracked child. `logFile`: append its output there; `onLine(line, 'stdout' | 'stderr')`.
 * The child gets `stdoutText`/`stderrText`, growing while it runs, and `exited`: {code, signal}.
 */
function spawnTracked(cmd, args, { cwd = REPO_DIR, env = process.env, logFile, onLine } = {}) {
	const output = (name) => [
		function* capture(line) {
			child[`${name}Text`] += `${line}\n`;
			if (onLine) onLine(line, name);
			yield line;
		},
		...(logFile ? [{ file: logFile, append: true }] : []),
	];
	// extendEnv: false, or execa would add back the variables n8nEnv() removes.
	const child = execa(cmd, args, { cwd, env, extendEnv: false, detached: true, stdin: 'ignore', stdout: output('stdout'), stderr: output('stderr'), buffer: false, reject: false });
	Object.assign(child, { stdoutText: '', stderrText: '' });
	children.add(child);
	child.exited = child.then((result) => {
		// Forget it once nothing of its group is left, so that no later kill can hit a reused id.
		if (!signalGroup(child, 0)) children.delete(child);
		if (result.exitCode === undefined && !result.signal) child.stderrText += result.message; // it could not start
		return { code: result.exitCode ?? (result.signal ? null : -1), signal: result.signal ?? null };
	});
	return child;
}

/** Await `ready` while `child` runs; if it exits first or `ready` fails, stop it and throw with its output. */
async function whileRunning(child, what, ready) {
	const exited = child.exited.then(({ code, signal }) => {
		throw new Error(`${what} exited with ${code}${signal ? ` (${signal})` : ''} before it was ready`);
	});
	exited.catch(() => {}); // exiting later, once ready, is not this wait's business
	try {
		return await Promise.race([ready, exited]);
	} catch (err) {
		await stopChild(child, 5000);
		throw new Error(`${err.message}\n${tail(child.stdoutText, 40)}\n${tail(child.stderrText, 40)}`);
	}
}

/** Stop a tracked child's whole group: SIGTERM, then SIGKILL after `graceMs`. */
async function stopChild(child, graceMs = 10000) {
	if (signalGroup(child, 'SIGTERM')) {
		const deadline = Date.now() + graceMs;
		while (signalGroup(child, 0) && Date.now() < deadline) await sleep(100);
		signalGroup(child, 'SIGKILL');
	}
	await Promise.race([child.exited, sleep(2000)]);
	children.delete(child);
}

const stopAll = (graceMs = 10000) => Promise.all([...children].map((child) => stopChild(child, graceMs)));

// Last resort when this process exits without stopAll() (an uncaught error, process.exit()).
process.on('exit', () => children.forEach((child) => signalGroup(child, 'SIGKILL')));

let exiting = false;
/**
 * Stop every tracked group, `say()` first, then exit with `code`. Only the first call acts: a second
 * Ctrl-C, or the error the stop raises in the script meanwhile, must neither cut it short nor be said.
 */
async function stopAllAndExit(code, graceMs = 10000, say = () => {}) {
	if (exiting) return;
	exiting = true;
	say();
	await stopAll(graceMs);
	process.exit(code);
}

/** On SIGINT/SIGTERM/SIGHUP: `stopAllAndExit(code)`; 130 says "interrupted" to the caller. */
function stopOnSignals(graceMs = 5000, code = 130) {
	// Node passes the signal's name to its handler.
	const stop = (signal) => stopAllAndExit(code, graceMs, () => log(`${signal}: stopping every process ...`));
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, stop);
}

/** Run to completion, the group killed past `timeoutMs`: {code, signal, stdout, stderr, timedOut}. */
async function run(cmd, args, { timeoutMs = 10 * 60 * 1000, ...options } = {}) {
	const child = spawnTracked(cmd, args, options);
	let timedOut = false;
	const timer = setTimeout(() => (timedOut = signalGroup(child, 'SIGKILL')), timeoutMs);
	const { code, signal } = await child.exited;
	clearTimeout(timer);
	signalGroup(child, 'SIGKILL'); // whatever it left running
	children.delete(child);
	return { code, signal, stdout: child.stdoutText, stderr: child.stderrText, timedOut };
}

/** `run`, throwing an error with the output's tail unless the command exits 0. */
async function runChecked(what, cmd, args, options = {}) {
	const r = await run(cmd, args, options);
	if (r.code !== 0 || r.timedOut) {
		const why = r.timedOut ? `timed out after ${formatSeconds(options.timeoutMs || 600000)}` : `exited with ${r.code}${r.signal ? ` (${r.signal})` : ''}`;
		throw new Error(`${what} failed: ${why}\n--- stdout (tail) ---\n${tail(r.stdout)}\n--- stderr (tail) ---\n${tail(r.stderr)}`);
	}
	return r;
}

module.exports = { REPO_DIR, spawnTracked, whileRunning, stopChild, stopAll, stopAllAndExit, stopOnSignals, run, runChecked, sleep };
