'use strict';

/**
 * Loaded into the n8n process with `node --require` (never into its task runner: `--require` on the
 * command line is not inherited). At exit it writes the process's own peak RSS (getrusage, exact,
 * unlike sampling /proc) and one reading of the wall clock and the monotonic clock together, which
 * lets the bench map the measured node's start time (epoch ms in the run data) onto the CPU
 * profile's timestamps (monotonic µs).
 */
const fs = require('node:fs');

const out = process.env.BENCH_PROBE_OUT;
if (out) {
	process.on('exit', () => {
		try {
			fs.writeFileSync(
				out,
				JSON.stringify({
					pid: process.pid,
					maxRssBytes: process.resourceUsage().maxRSS * 1024,
					epochMs: Date.now(),
					monotonicNs: String(process.hrtime.bigint()),
				}),
			);
		} catch {
			// The bench reports a missing probe file; never change how n8n exits.
		}
	});
}
