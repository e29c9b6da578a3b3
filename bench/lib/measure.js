'use strict';

/**
 * Timing helpers. The machine is shared (2 cores), so variants that are compared are interleaved
 * round by round (in a rotating order) rather than run one block after another: a noisy moment
 * then hits every variant instead of one. Warm-up rounds are run and thrown away.
 */

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

function summarize(samples) {
	const sorted = [...samples].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	return { runs: sorted.length, median, min: sorted[0], max: sorted[sorted.length - 1] };
}

const rotate = (list, by) => list.map((_, index) => list[(index + by) % list.length]);

/**
 * Runs each variant once per round, `warmup` rounds discarded then `rounds` kept.
 * A variant is `{ name, run: async () => result, check?: (result) => void }`: `check` runs outside
 * the timed section and throws when the result is wrong (which fails the benchmark).
 * @returns {Record<string, {runs, median, min, max}>} in milliseconds
 */
async function compareAsync(variants, { warmup, rounds }) {
	const samples = Object.fromEntries(variants.map((variant) => [variant.name, []]));
	for (let round = 0; round < warmup + rounds; round++) {
		for (const variant of rotate(variants, round)) {
			const started = nowMs();
			const result = await variant.run();
			const elapsed = nowMs() - started;
			if (variant.check) variant.check(result);
			if (round >= warmup) samples[variant.name].push(elapsed);
		}
	}
	return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, summarize(list)]));
}

let sink;

/** How many calls of `fn` make one batch of about `targetMs`. */
function calibrate(fn, targetMs) {
	let calls = 1;
	for (;;) {
		const started = nowMs();
		for (let i = 0; i < calls; i++) sink = fn();
		const elapsed = nowMs() - started;
		if (elapsed >= targetMs || calls >= 1 << 22) return Math.max(1, Math.ceil((calls * targetMs) / Math.max(elapsed, 1e-3)));
		calls *= 2;
	}
}

/**
 * Synchronous per-call timing: each variant is calibrated to batches of about `targetMs`, then
 * batches are interleaved; a sample is one batch's time divided by its calls.
 * @returns {Record<string, {runs, median, min, max, callsPerBatch}>} in microseconds per call
 */
function comparePerCall(variants, { batches, warmupBatches, targetMs }) {
	const sizes = Object.fromEntries(variants.map((variant) => [variant.name, calibrate(variant.run, targetMs)]));
	const samples = Object.fromEntries(variants.map((variant) => [variant.name, []]));
	for (let batch = 0; batch < warmupBatches + batches; batch++) {
		for (const variant of rotate(variants, batch)) {
			const calls = sizes[variant.name];
			const started = nowMs();
			for (let i = 0; i < calls; i++) sink = variant.run();
			const elapsed = nowMs() - started;
			if (batch >= warmupBatches) samples[variant.name].push((elapsed * 1000) / calls);
		}
	}
	return Object.fromEntries(
		Object.entries(samples).map(([name, list]) => [name, { ...summarize(list), callsPerBatch: sizes[name] }]),
	);
}

module.exports = { compareAsync, comparePerCall, summarize, nowMs, sinkValue: () => sink };
