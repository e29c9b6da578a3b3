'use strict';

/**
 * Summary of a V8 `.cpuprofile` (from `node --cpu-prof`) over one time window: the measured node's
 * run inside the n8n process, so n8n's own start-up and shutdown do not drown it.
 *
 * V8 stamps samples with the monotonic clock in µs; the probe (probe-preload.js) read that clock and
 * the wall clock at the same moment, which places the run data's `startTime` (epoch ms) on it.
 */

const fs = require('node:fs');

/** Which package a script belongs to: the last `node_modules/<pkg>` in its URL, else a coarse bucket. */
function packageOf(url) {
	if (!url) return '(native / V8)';
	const parts = url.split('node_modules/');
	if (parts.length > 1) {
		const rest = parts[parts.length - 1].split('/');
		return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
	}
	if (url.startsWith('node:')) return 'node (core)';
	return url.replace(/^file:\/\//, '');
}

function shortUrl(url) {
	if (!url) return '';
	const parts = url.split('node_modules/');
	return parts[parts.length - 1].replace(/^file:\/\//, '');
}

/**
 * @param {string} file   the .cpuprofile
 * @param {{fromEpochMs: number, toEpochMs: number, probe: {epochMs: number, monotonicNs: string}}} window
 * @param {number} [top=15]
 */
function summariseProfile(file, { fromEpochMs, toEpochMs, probe }, top = 15) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const probeUs = Number(BigInt(probe.monotonicNs) / 1000n);
	const toMonotonicUs = (epochMs) => probeUs - (probe.epochMs - epochMs) * 1000;
	const from = toMonotonicUs(fromEpochMs);
	const to = toMonotonicUs(toEpochMs);
	const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
	const selfUs = new Map();
	let t = profile.startTime;
	let windowUs = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i];
		if (t < from || t > to) continue;
		// A sample stands for the time until the next one.
		const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
		const id = profile.samples[i];
		selfUs.set(id, (selfUs.get(id) || 0) + dt);
		windowUs += dt;
	}
	const byFunction = new Map();
	const byPackage = new Map();
	let idleUs = 0;
	for (const [id, us] of selfUs) {
		const { callFrame } = nodes.get(id);
		const name = callFrame.functionName || '(anonymous)';
		if (name === '(idle)') {
			idleUs += us;
			continue;
		}
		const key = callFrame.url ? `${name} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}` : name;
		byFunction.set(key, (byFunction.get(key) || 0) + us);
		const pkg = callFrame.url ? packageOf(callFrame.url) : name;
		byPackage.set(pkg, (byPackage.get(pkg) || 0) + us);
	}
	const busyUs = windowUs - idleUs;
	const rank = (map) =>
		[...map.entries()]
			.sort((x, y) => y[1] - x[1])
			.slice(0, top)
			.map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, shareOfBusy: busyUs ? Math.round((1000 * us) / busyUs) / 10 : 0 }));
	return {
		windowMs: Math.round(windowUs / 1000),
		busyMs: Math.round(busyUs / 1000),
		idleMs: Math.round(idleUs / 1000),
		topFunctions: rank(byFunction),
		topPackages: rank(byPackage),
	};
}

module.exports = { summariseProfile };
