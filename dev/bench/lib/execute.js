'use strict';

/**
 * One `n8n execute --id=ID` on Node 24 with the probe preloaded and, on request, `--cpu-prof`; the probe
 * hands back its run data from n8n's database (probe-preload.js): `data.resultData.runData[node][0]`
 * holds each node's `startTime`, `executionTime` (ms) and output items.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../../n8n/runtime');

/** Executions are read back by id: only one newer than the last one read belongs to this run. */
let lastExecutionId = 0;

/**
 * One execution of workflow `key`: `{run: {id, status, data}, probe, profileFile, requests(route), sandbox: {before, after}}`
 * (`probe`: see probe-preload.js; `requests`: how many the sandbox received on that route; its state before and after);
 * null, the problem recorded, when it failed.
 */
async function execute({ env, sandbox, workflows, problem }, key, label, { cpuProfileDir } = {}) {
	const workflowId = workflows[key].id;
	const timeoutMs = 15 * 60 * 1000;
	const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-exec-'));
	const profiling = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [];
	try {
		const before = await sandbox.state();
		const r = await rt.run(rt.nodeBin(), ['--require', path.join(__dirname, 'probe-preload.js'), ...profiling, rt.n8nBin(), 'execute', `--id=${workflowId}`], {
			cwd: env.N8N_USER_FOLDER,
			env: { ...env, BENCH_PROBE_DIR: scratch, BENCH_WORKFLOW_ID: workflowId, BENCH_AFTER_ID: String(lastExecutionId) },
			timeoutMs,
		});
		const after = await sandbox.state();
		if (r.timedOut) throw new Error(`n8n execute --id=${workflowId} timed out after ${rt.formatSeconds(timeoutMs)}`);
		// Both written by the probe as n8n exits (probe-preload.js).
		const read = (file) => (fs.existsSync(path.join(scratch, file)) ? JSON.parse(fs.readFileSync(path.join(scratch, file), 'utf8')) : null);
		const [run, probe] = [read('run.json'), read('probe.json')];
		if (!run) throw new Error(`n8n execute --id=${workflowId} exited ${r.code} and left no execution to read\n${rt.tail(r.stdout, 10)}\n${rt.tail(r.stderr, 10)}`);
		lastExecutionId = run.id;
		if (r.code !== 0 || run.status !== 'success') {
			problem(`${label}: n8n execute exited ${r.code}, status ${run.status}${runError(run)}`);
			return null;
		}
		// V8 names a profile CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile.
		const profile = cpuProfileDir && probe && fs.readdirSync(cpuProfileDir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${probe.pid}.`));
		const count = (state, route) => state.requests.byRoute[route] || 0;
		const requests = (route) => count(after, route) - count(before, route);
		return { run, probe, profileFile: profile ? path.join(cpuProfileDir, profile) : null, requests, sandbox: { before, after } };
	} finally {
		fs.rmSync(scratch, { recursive: true, force: true });
	}
}

const runError = (run) => (run.data.resultData.error ? `: ${String(run.data.resultData.error.message).slice(0, 300)}` : '');

/**
 * What a case reads of the named nodes' run: the sum of their `executionTime` (ms); the n8n process's CPU ms (all threads)
 * while they ran, the probe's readings interpolated (null without them); the last one's output items (`{json, pairedItem}`);
 * the first one's start and the last one's end (epoch ms). Throws when one of them did not run.
 */
function measure({ run, probe }, names) {
	const runs = names.map((name) => {
		if (!run.data.resultData.runData[name]) throw new Error(`node "${name}" did not run (execution status ${run.status}${runError(run)})`);
		return run.data.resultData.runData[name][0];
	});
	const samples = probe?.cpuSamples ?? [];
	const cpuUsAt = (t) => {
		const i = samples.findIndex(([time]) => time >= t);
		if (i < 1) return i === 0 && samples[0][0] === t ? samples[0][1] : null;
		const [[t0, cpu0], [t1, cpu1]] = [samples[i - 1], samples[i]];
		return cpu0 + ((cpu1 - cpu0) * (t - t0)) / (t1 - t0);
	};
	const cpuUs = runs.map(({ startTime, executionTime }) => [cpuUsAt(startTime), cpuUsAt(startTime + executionTime)]);
	const last = runs.at(-1);
	return {
		ms: runs.reduce((sum, r) => sum + r.executionTime, 0),
		cpuMs: cpuUs.flat().includes(null) ? null : cpuUs.reduce((sum, [from, to]) => sum + to - from, 0) / 1000,
		items: last.data?.main?.[0] ?? [],
		startTime: runs[0].startTime,
		endTime: last.startTime + last.executionTime,
	};
}

module.exports = { execute, measure };
