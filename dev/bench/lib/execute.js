'use strict';

/**
 * One `n8n execute --id=ID` on Node 24 with the probe preloaded and, on request, `--cpu-prof`; then
 * its run data from n8n's database (read-execution.js): `data.resultData.runData[node][0]` holds each
 * node's `startTime`, `executionTime` (ms) and output items.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../../n8n/runtime');

/** Executions are read back by id: only one newer than the last one read belongs to this run. */
let lastExecutionId = 0;

/** @returns {Promise<{run: {id, status, data}, code, probe, profileFile}>} `probe`: see probe-preload.js. */
async function executeWorkflow(env, workflowId, { cpuProfileDir } = {}) {
	const timeoutMs = 15 * 60 * 1000;
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-exec-'));
	const [probeFile, runFile] = [path.join(scratch, 'probe.json'), path.join(scratch, 'run.json')];
	const profiling = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
	try {
		const r = await rt.run(rt.nodeBin(), ['--require', path.join(__dirname, 'probe-preload.js'), ...profiling, rt.n8nBin(), 'execute', `--id=${workflowId}`], {
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
		// A missing probe file is reported by the caller as an unknown peak RSS and CPU time.
		const probe = fs.existsSync(probeFile) ? JSON.parse(fs.readFileSync(probeFile, 'utf8')) : null;
		// V8 names a profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
		const profile = cpuProfileDir && probe && fs.readdirSync(cpuProfileDir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${probe.pid}.`));
		return { run, code: r.code, probe, profileFile: profile ? path.join(cpuProfileDir, profile) : null };
	} finally {
		fs.rmSync(scratch, { recursive: true, force: true });
	}
}

const runError = (run) => (run.data.resultData.error ? `: ${String(run.data.resultData.error.message).slice(0, 300)}` : '');

/** The first run of `nodeName`; throws when it did not run. */
function nodeRun(run, nodeName) {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs) throw new Error(`node "${nodeName}" did not run (execution status ${run.status}${runError(run)})`);
	return runs[0];
}

/** Output items (`{json, pairedItem}`) of a node's first output, and the sum of the named nodes' `executionTime` (ms). */
const outputItems = (run, nodeName) => nodeRun(run, nodeName).data?.main?.[0] ?? [];
const executionTime = (run, nodeNames) => nodeNames.reduce((sum, name) => sum + nodeRun(run, name).executionTime, 0);

/** CPU ms of the n8n process (all threads) while the named nodes ran, the probe's readings interpolated; null without readings. */
function cpuTime(run, nodeNames, probe) {
	const samples = probe?.cpuSamples ?? [];
	const cpuUsAt = (t) => {
		const i = samples.findIndex(([time]) => time >= t);
		if (i < 1) return i === 0 && samples[0][0] === t ? samples[0][1] : null;
		const [[t0, cpu0], [t1, cpu1]] = [samples[i - 1], samples[i]];
		return cpu0 + ((cpu1 - cpu0) * (t - t0)) / (t1 - t0);
	};
	let totalUs = 0;
	for (const name of nodeNames) {
		const { startTime, executionTime: ms } = nodeRun(run, name);
		const [from, to] = [cpuUsAt(startTime), cpuUsAt(startTime + ms)];
		if (from === null || to === null) return null;
		totalUs += to - from;
	}
	return totalUs / 1000;
}

module.exports = { executeWorkflow, nodeRun, outputItems, executionTime, cpuTime, runError };
