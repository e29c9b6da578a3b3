'use strict';

/**
 * Loaded into the n8n process (not its task runner) with `node --require`. At exit it writes to
 * $BENCH_PROBE_OUT the process's peak RSS (getrusage, exact), the wall and monotonic clocks read
 * together (to place run data times on the CPU profile's clock), and its CPU time (all threads) as
 * [epoch ms, CPU µs] every 10 ms: a busy event loop only delays a reading, each carries its own time.
 */
const fs = require('node:fs');

const out = process.env.BENCH_PROBE_OUT;
if (out) {
	const cpuSamples = [];
	const sampleCpu = () => {
		const { user, system } = process.cpuUsage();
		cpuSamples.push([Date.now(), user + system]);
	};
	sampleCpu();
	setInterval(sampleCpu, 10).unref(); // never keeps n8n alive
	process.on('exit', () => {
		sampleCpu();
		const probe = { pid: process.pid, maxRssBytes: process.resourceUsage().maxRSS * 1024, epochMs: Date.now(), monotonicNs: String(process.hrtime.bigint()), cpuSamples };
		try {
			fs.writeFileSync(out, JSON.stringify(probe));
		} catch {
			// The bench reports a missing probe file; never change how n8n exits.
		}
	});
}
