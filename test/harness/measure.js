/**
 * Time, CPU and peak RSS of one async run, for the one-off measures under test/ (e.g.
 * campaign-scale.ts). JavaScript on purpose: n8n's lint forbids `process` and timers in every
 * TypeScript file.
 */

/**
 * @template T
 * @param {() => Promise<T>} run
 * @returns {Promise<{ value: T, ms: number, cpuMs: number, rssBefore: number, peakRss: number }>}
 */
async function measure(run) {
	global.gc?.();
	const rssBefore = process.memoryUsage().rss;
	let peakRss = rssBefore;
	// Sampled every 50 ms: a peak shorter than that may be missed (/usr/bin/time -v gives the true one).
	const sampler = setInterval(() => {
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}, 50);
	const started = process.hrtime.bigint();
	const cpu = process.cpuUsage();
	try {
		const value = await run();
		const used = process.cpuUsage(cpu);
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		peakRss = Math.max(peakRss, process.memoryUsage().rss);
		return { value, ms, cpuMs: (used.user + used.system) / 1000, rssBefore, peakRss };
	} finally {
		clearInterval(sampler);
	}
}

/** A whole number from the environment, or `fallback`. */
function envNumber(name, fallback) {
	const value = Number(process.env[name]);
	return Number.isInteger(value) && value > 0 ? value : fallback;
}

module.exports = { measure, envNumber };
