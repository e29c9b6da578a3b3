'use strict';

/** The one table the bench prints (Markdown, so it goes into the README as it is). */

const NAMES = {
	a: 'a: this node',
	b: 'b: HTTP Request, key in the URL',
	bq: "b′: HTTP Request, query-auth credential",
	c: 'c: raw axios loop',
};
const LETTERS = { a: 'a', b: 'b', bq: 'b′', c: 'c' };
const RATIO_NAMES = { b: `a/${LETTERS.b}`, bq: `a/${LETTERS.bq}`, c: `a/${LETTERS.c}` };

const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US').replace(/,/g, ' ') : '–');
const fixed = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const seconds = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '–');
const kib = (bytes) => `${int(bytes / 1024)} KiB`;
const mib = (bytes) => (Number.isFinite(bytes) ? `${int(bytes / 2 ** 20)} MiB` : '–');
const range = (s, fmt = int) => (s && s.n > 1 ? `${fmt(s.min)}–${fmt(s.max)}` : '');

function renderTable(r) {
	const rows = [];
	const row = (...cells) => rows.push(`| ${cells.join(' | ')} |`);
	// The repeated runs first (what a long-running n8n pays per item), then the first runs.
	const throughput = [...(r.throughput || [])].sort((x, y) => (x.run === 'first') - (y.run === 'first'));
	for (const t of throughput) {
		const runName = { repeated: 'repeated run', first: 'first run in a fresh n8n', single: 'one run in a fresh n8n' }[t.run];
		const title = `Get Status, N=${int(t.n)}, ${t.format.toUpperCase()}, ${runName} (items/s)`;
		let first = true;
		for (const [v, s] of Object.entries(t.variants)) {
			const ratio = v !== 'a' && t.variants.a && s.median ? `${RATIO_NAMES[v]} **${fixed(t.variants.a.median / s.median)}**` : '';
			const name = t.format === 'xml' && (v === 'b' || v === 'bq') ? `${NAMES[v]} + XML node` : t.format === 'xml' && v === 'c' ? `${NAMES[v]} (text, unparsed)` : NAMES[v];
			row(first ? title : '', name, int(s.median), range(s), ratio);
			first = false;
		}
		// The same runs' CPU time per item (all threads of the n8n process), when the probe read it.
		const cpu = t.cpuMsPerItem || {};
		for (const [v, s] of Object.entries(cpu)) {
			if (!s.n) continue;
			const ratio = v !== 'a' && cpu.a && cpu.a.n ? `CPU ${LETTERS[v]}/a **${fixed(s.median / cpu.a.median)}**` : '';
			row('', `${LETTERS[v]}: CPU per item (ms)`, fixed(s.median), range(s, fixed), ratio);
		}
	}
	const p = r.paced;
	if (p) {
		const title = `Paced: ${int(p.n)} items, sandbox limit ${int(p.limit.requests)} / ${p.limit.windowMs / 1000} s (floor ${seconds(p.floorMs)})`;
		let first = true;
		for (const [v, x] of Object.entries(p.variants)) {
			const name = v === 'a' ? 'a: this node, default pacing' : 'b: HTTP Request';
			row(first ? title : '', name, seconds(x.wallMs), `${fixed(x.vsFloor)}× floor`, `429s to the user: **${x.reached429}** (sandbox sent ${x.sandbox429}); ${x.okItems} ok items${x.errorItems > x.reached429 ? `, **${x.errorItems - x.reached429} other errors**` : ''}`);
			first = false;
		}
	}
	const l = r.returnAll;
	if (l) {
		const title = `Return All: ${int(l.subaccounts)} subaccounts, ${l.pages} pages, ${l.latencyMs} ms latency (ms)`;
		row(title, 'a: this node', int(l.node.median), range(l.node), `time a/sequential **${fixed(l.ratio)}**`);
		row('', 'sequential page loop', int(l.sequential.median), range(l.sequential), `latency floor ${int(l.sequentialFloorMs)} ms`);
	}
	const f = r.footprint;
	if (f) {
		row('Footprint', 'dist/ (installed)', kib(f.distBytes), '', `tarball ${kib(f.tarballBytes)}`);
		const c = f.coldRequireMs;
		row('', 'cold require, node file (ms)', fixed(c.node.median, 1), range(c.node, (x) => fixed(x, 1)), `HTTP Request node file ${fixed(c.httpRequest.median, 1)} ms (${range(c.httpRequest, (x) => fixed(x, 1))})`);
		if (f.peakRssBytesAt10k) {
			const rss = f.peakRssBytesAt10k;
			row('', 'peak RSS of n8n, 10 000 items JSON', `a ${mib(rss.a && rss.a.median)}`, '', `b ${mib(rss.b && rss.b.median)}, b′ ${mib(rss.bq && rss.bq.median)}`);
		}
	}
	const m = r.machine;
	const head = [
		`MailPartner node benchmark${r.quick ? ' (quick)' : ''}, ${r.date.slice(0, 10)}: ${m.cpus} cores (${m.cpuModel}), n8n ${m.n8n} on Node ${m.n8nNode}, ` +
			`sandbox latency ${r.settings.latencyMs} ms, load average ${m.loadAverageAtStart[0]} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd[0]} at end` : ''}.`,
		'Medians with min–max over the rounds. Throughput ratios are items/s medians over medians (above 1: this node is faster); the Return All ratio is of times (below 1: faster).',
		'CPU per item: the n8n process’s CPU time (all its threads) while the measured nodes ran, over N; its ratio is b over a (above 1: this node costs less). Unlike items/s, it does not count waiting for a core on a busy machine.',
		'At N ≤ 1 000 each execution runs the measured node twice on the same items: the first run (V8 has not compiled its code yet) and the repeated run (as in a long-running n8n). At N = 10 000, one run.',
		'',
		'| case | variant | median | min–max | ratio / note |',
		'|---|---|---:|---:|---|',
	];
	return [...head, ...rows].join('\n');
}

function renderProfile(profile) {
	const lines = [`Where the time goes (CPU profile of the n8n process during the measured node's run, N=${profile.n} ${profile.format.toUpperCase()}):`];
	for (const v of ['a', 'b']) {
		const p = profile[v];
		if (!p) continue;
		lines.push(`\n${NAMES[v]}: ${p.executionTimeMs} ms run, ${p.busyMs} ms on the CPU (main thread), ${p.idleMs} ms idle`);
		lines.push(`  by package: ${p.topPackages.slice(0, 8).map((x) => `${x.name} ${x.shareOfBusy}%`).join(', ')}`);
		lines.push('  top self time:');
		for (const fn of p.topFunctions.slice(0, 12)) lines.push(`    ${String(fn.ms).padStart(7)} ms ${String(fn.shareOfBusy).padStart(5)}%  ${fn.name}`);
	}
	return lines.join('\n');
}

module.exports = { renderTable, renderProfile };
