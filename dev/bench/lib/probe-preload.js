'use strict';

/**
 * Loaded into the n8n process with `node --require` (never into its task runner: `--require` on the
 * command line is not inherited). At exit it writes:
 * - the process's own peak RSS (getrusage, exact, unlike sampling /proc);
 * - one reading of the wall clock and the monotonic clock together, which lets the bench map the
 *   measured node's start time (epoch ms in the run data) onto the CPU profile's timestamps
 *   (monotonic µs);
 * - the process's CPU time (user + system, all its threads: GC helpers and libuv's pool too), read
 *   every 10 ms with the wall clock, so the bench can tell the CPU the measured node's run cost from
 *   the wall time it took: on a shared machine the wall time also counts waiting for a core.
 */
const fs = require('node:fs');

const out = process.env.BENCH_PROBE_OUT;
if (out) {
	/** [epoch ms, CPU µs] pairs; a busy event loop only delays a reading, each one carries its own time. */
	const cpuSamples = [];
	const sampleCpu = () => {
		const { user, system } = process.cpuUsage();
		cpuSamples.push([Date.now(), user + system]);
	};
	sampleCpu();
	// unref: the sampling never keeps n8n alive.
	setInterval(sampleCpu, 10).unref();
	process.on('exit', () => {
		sampleCpu();
		try {
			fs.writeFileSync(
				out,
				JSON.stringify({
					pid: process.pid,
					maxRssBytes: process.resourceUsage().maxRSS * 1024,
					epochMs: Date.now(),
					monotonicNs: String(process.hrtime.bigint()),
					cpuSamples,
				}),
			);
		} catch {
			// The bench reports a missing probe file; never change how n8n exits.
		}
	});
}
