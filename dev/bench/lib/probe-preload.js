'use strict';

/**
 * Loaded into the n8n process (not its task runner) with `node --require`. At exit it writes to
 * $BENCH_PROBE_DIR/probe.json the process's peak RSS (getrusage, exact), the wall and monotonic clocks read
 * together (to place run data times on the CPU profile's clock), and its CPU time (all threads) as
 * [epoch ms, CPU µs] every 10 ms: a busy event loop only delays a reading, each carries its own time.
 * Then to run.json the newest execution of workflow $BENCH_WORKFLOW_ID after #$BENCH_AFTER_ID in n8n's
 * database, as `{id, status, data}` (`data`: the run data, un-flatted with n8n's own flatted). Not
 * `n8n execute --rawOutput`: a large output (the 2 000-subaccount list) printed through n8n's logger was
 * cut off now and then at exit; by its exit event n8n has closed the database, so its copy is complete.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const dir = process.env.BENCH_PROBE_DIR;
if (dir) {
	const cpuSamples = [];
	const sampleCpu = () => {
		const { user, system } = process.cpuUsage();
		cpuSamples.push([Date.now(), user + system]);
	};
	sampleCpu();
	setInterval(sampleCpu, 10).unref(); // never keeps n8n alive
	process.on('exit', () => {
		sampleCpu();
		// Read before the run data is: parsing it must not count in the peak RSS.
		const probe = { pid: process.pid, maxRssBytes: process.resourceUsage().maxRSS * 1024, epochMs: Date.now(), monotonicNs: String(process.hrtime.bigint()), cpuSamples };
		try {
			fs.writeFileSync(path.join(dir, 'probe.json'), JSON.stringify(probe));
			fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(lastExecution()));
		} catch (error) {
			// The bench reports a missing file with n8n's output; never change how n8n exits.
			process.stderr.write(`bench probe: ${error.message}\n`);
		}
	});
}

function lastExecution() {
	const { DatabaseSync } = require('node:sqlite');
	const { parse } = createRequire(process.argv[1])('flatted'); // argv[1]: n8n's bin, so n8n's own flatted
	const row = new DatabaseSync(path.join(process.env.N8N_USER_FOLDER, '.n8n', 'database.sqlite'), { readOnly: true })
		.prepare(
			`SELECT e.id, e.status, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id
			 WHERE e.workflowId = ? AND CAST(e.id AS INTEGER) > ? ORDER BY CAST(e.id AS INTEGER) DESC LIMIT 1`,
		)
		.get(process.env.BENCH_WORKFLOW_ID, Number(process.env.BENCH_AFTER_ID));
	if (!row) throw new Error(`no execution of workflow ${process.env.BENCH_WORKFLOW_ID} after #${process.env.BENCH_AFTER_ID}`);
	return { id: Number(row.id), status: row.status, data: parse(row.data) };
}
