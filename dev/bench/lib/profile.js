'use strict';

/**
 * Summary of a V8 `.cpuprofile` over the measured node's run only, so n8n's start-up does not drown
 * it. Samples carry monotonic µs; the probe read that clock and the wall clock together.
 */

const fs = require('node:fs');

/** A script's URL after its last `node_modules/`, and which package that is (else a coarse bucket). */
const shortUrl = (url) => url.split('node_modules/').pop().replace(/^file:\/\//, '');
function packageOf(url) {
	if (!url.includes('node_modules/')) return url.startsWith('node:') ? 'node (core)' : shortUrl(url);
	const [scope, name] = shortUrl(url).split('/');
	return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

/** @param {{fromEpochMs: number, toEpochMs: number, probe: {epochMs: number, monotonicNs: string}}} window */
function summariseProfile(file, { fromEpochMs, toEpochMs, probe }, top = 15) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const probeUs = Number(BigInt(probe.monotonicNs) / 1000n);
	const [from, to] = [fromEpochMs, toEpochMs].map((epochMs) => probeUs - (probe.epochMs - epochMs) * 1000);
	const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
	const byFunction = new Map();
	const byPackage = new Map();
	const add = (map, key, us) => map.set(key, (map.get(key) || 0) + us);
	let windowUs = 0;
	let idleUs = 0;
	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i];
		if (t < from || t > to) continue;
		// A sample stands for the time until the next one.
		const us = profile.timeDeltas[i + 1] ?? 0;
		const { functionName, url, lineNumber } = frames.get(profile.samples[i]);
		const name = functionName || '(anonymous)';
		windowUs += us;
		if (name === '(idle)') idleUs += us;
		else {
			add(byFunction, url ? `${name} ${shortUrl(url)}:${lineNumber + 1}` : name, us);
			add(byPackage, url ? packageOf(url) : name, us);
		}
	}
	const busyUs = windowUs - idleUs;
	const rank = (map) =>
		[...map]
			.sort((x, y) => y[1] - x[1])
			.slice(0, top)
			.map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, shareOfBusy: busyUs ? Math.round((1000 * us) / busyUs) / 10 : 0 }));
	return { windowMs: Math.round(windowUs / 1000), busyMs: Math.round(busyUs / 1000), idleMs: Math.round(idleUs / 1000), topFunctions: rank(byFunction), topPackages: rank(byPackage) };
}

module.exports = { summariseProfile };
