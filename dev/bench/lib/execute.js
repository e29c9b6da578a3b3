'use strict';

/**
 * One `n8n execute --id=ID` on the Node 24 binary, with the probe preloaded (peak RSS) and, on
 * request, `--cpu-prof`; then the execution's run data read from n8n's database (read-execution.js):
 * `data.resultData.runData[node][0]` holds each node's `startTime`, `executionTime` (ms) and output
 * items. (`--rawOutput` prints the same run through n8n's logger, but a large one was sometimes cut
 * off at exit; the database copy is complete.)
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../../n8n/runtime');

const PRELOAD = path.join(__dirname, 'probe-preload.js');

/** Executions are read back by id: only one newer than the last one read belongs to this run. */
let lastExecutionId = 0;

/**
 * @returns {Promise<{run: {id, status, data}, code, probe, profileFile, ms}>} `probe`: {maxRssBytes, epochMs, monotonicNs} of the n8n process.
 */
async function executeWorkflow(env, workflowId, { cpuProfileDir, timeoutMs = 15 * 60 * 1000 } = {}) {
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-exec-'));
	const probeFile = path.join(scratch, 'probe.json');
	const runFile = path.join(scratch, 'run.json');
	const nodeArgs = ['--require', PRELOAD];
	if (cpuProfileDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`);
	try {
		const r = await rt.run(rt.nodeBin(), [...nodeArgs, rt.n8nBin(), 'execute', `--id=${workflowId}`], {
			cwd: env.N8N_USER_FOLDER,
			env: { ...env, BENCH_PROBE_OUT: probeFile },
			timeoutMs,
		});
		if (r.timedOut) throw new Error(`n8n execute --id=${workflowId} timed out after ${rt.formatSeconds(timeoutMs)}`);
		const db = path.join(env.N8N_USER_FOLDER, '.n8n', 'database.sqlite');
		const read = await rt.run(rt.nodeBin(), [path.join(__dirname, 'read-execution.js'), rt.n8nDir(), db, workflowId, String(lastExecutionId), runFile], { timeoutMs: 120000 });
		if (read.code !== 0) {
			throw new Error(`n8n execute --id=${workflowId} exited ${r.code} and left no execution to read: ${read.stderr.trim()}\n${rt.tail(r.stdout, 10)}\n${rt.tail(r.stderr, 10)}`);
		}
		const run = JSON.parse(fs.readFileSync(runFile, 'utf8'));
		lastExecutionId = run.id;
		let probe = null;
		try {
			probe = JSON.parse(fs.readFileSync(probeFile, 'utf8'));
		} catch {
			/* reported by the caller as an unknown peak RSS */
		}
		let profileFile = null;
		if (cpuProfileDir) {
			const files = fs.readdirSync(cpuProfileDir).filter((f) => f.endsWith('.cpuprofile'));
			const mine = files.find((f) => probe && f.includes(`.${probe.pid}.`));
			profileFile = mine ? path.join(cpuProfileDir, mine) : null;
		}
		return { run, code: r.code, probe, profileFile, ms: r.ms };
	} finally {
		fs.rmSync(scratch, { recursive: true, force: true });
	}
}

/** The first run of `nodeName` in the run data, or null when it did not run. */
function nodeRun(run, nodeName) {
	const runs = run.data.resultData.runData[nodeName];
	return runs ? runs[0] : null;
}

/** Output items (`{json, pairedItem}`) of a node's first output. */
function outputItems(run, nodeName) {
	const r = nodeRun(run, nodeName);
	const main = r && r.data && r.data.main;
	return (main && main[0]) || [];
}

/** Sum of `executionTime` (ms) of the named nodes; throws when one did not run. */
function executionTime(run, nodeNames) {
	let total = 0;
	for (const name of nodeNames) {
		const r = nodeRun(run, name);
		if (!r) throw new Error(`node "${name}" did not run (execution status ${run.status}${runError(run)})`);
		total += r.executionTime;
	}
	return total;
}

/**
 * CPU time (ms, all threads of the n8n process) spent while the named nodes ran, from the probe's
 * readings interpolated at each node's start and end; null when the probe has no readings around
 * them. On a busy machine a run's wall time grows with waiting for a core, its CPU time does not.
 */
function cpuTime(run, nodeNames, probe) {
	const samples = probe && probe.cpuSamples;
	if (!Array.isArray(samples) || samples.length < 2) return null;
	let totalUs = 0;
	for (const name of nodeNames) {
		const r = nodeRun(run, name);
		if (!r) throw new Error(`node "${name}" did not run (execution status ${run.status}${runError(run)})`);
		const from = cpuUsAt(samples, r.startTime);
		const to = cpuUsAt(samples, r.startTime + r.executionTime);
		if (from === null || to === null) return null;
		totalUs += to - from;
	}
	return totalUs / 1000;
}

/** The process's CPU µs at epoch ms `t`, linear between the two readings around it. */
function cpuUsAt(samples, t) {
	if (t < samples[0][0] || t > samples[samples.length - 1][0]) return null;
	let i = 1;
	while (samples[i][0] < t) i++;
	const [t0, cpu0] = samples[i - 1];
	const [t1, cpu1] = samples[i];
	return t1 === t0 ? cpu1 : cpu0 + ((cpu1 - cpu0) * (t - t0)) / (t1 - t0);
}

function runError(run) {
	const error = run.data.resultData.error;
	return error ? `: ${String(error.message).slice(0, 300)}` : '';
}

module.exports = { executeWorkflow, nodeRun, outputItems, executionTime, cpuTime, runError };
