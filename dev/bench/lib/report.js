'use strict';

/** The interleaved rounds and their medians; the one table the bench prints (Markdown, so it goes into the README as it is). */

/** Median (of an even count: the mean of the middle two), min and max of the finite values, and the values. */
function summary(values) {
	const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
	const mid = sorted.length >> 1;
	return { median: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, min: sorted[0], max: sorted.at(-1), n: sorted.length, values };
}

/** `runOne(v)` in `rounds` interleaved rounds (a, b, …, a, b, …): the machine is noisy, so variants compared run side by side. */
async function interleave(rounds, variants, runOne) {
	const runs = Object.fromEntries(variants.map((v) => [v, []]));
	for (let round = 0; round < rounds; round++) {
		for (const v of variants) {
			const r = await runOne(v);
			if (r) runs[v].push(r); // null: a run that went wrong (its problem is recorded)
		}
	}
	return runs;
}

/** The summary of `field` over each of `variants`' runs: {v: summary}. */
const summarise = (runs, field, variants = Object.keys(runs)) =>
	Object.fromEntries(variants.map((v) => [v, summary(runs[v].map((r) => r[field]))]));

const NAMES = { a: 'a: this node', b: 'b: HTTP Request, key in the URL', bq: 'b′: HTTP Request, query-auth credential', c: 'c: raw axios loop' };
const LETTERS = { a: 'a', b: 'b', bq: 'b′', c: 'c' };
const RUNS = { repeated: 'repeated run', first: 'first run in a fresh n8n', single: 'one run in a fresh n8n' };

const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US').replace(/,/g, ' ') : '–');
const fixed = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const seconds = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '–');
const mib = (bytes) => (Number.isFinite(bytes) ? `${int(bytes / 2 ** 20)} MiB` : '–');
const range = (s, fmt = int) => (s?.n > 1 ? `${fmt(s.min)}–${fmt(s.max)}` : '');
/** A row's median and min–max cells; a ratio in bold. */
const stat = (s, fmt = int) => [fmt(s.median), range(s, fmt)];
const ratio = (what, x, y) => `${what} **${fixed(x / y)}**`;

function renderTable(r) {
	const rows = [];
	// Each group's title goes in its first row only.
	const group = (title, lines) => lines.forEach((cells, i) => rows.push(`| ${[i ? '' : title, ...cells].join(' | ')} |`));
	// The repeated runs first (what a long-running n8n pays per item), then the first runs.
	for (const t of [...r.throughput].sort((x, y) => (x.run === 'first') - (y.run === 'first'))) {
		const { variants: s, cpuMsPerItem: cpu, format } = t;
		const suffix = (v) => (format !== 'xml' ? '' : v === 'c' ? ' (text, unparsed)' : v !== 'a' ? ' + XML node' : '');
		group(`Get Status, N=${int(t.n)}, ${format.toUpperCase()}, ${RUNS[t.run]} (items/s)`, [
			...Object.entries(s).map(([v, x]) => [NAMES[v] + suffix(v), ...stat(x), v !== 'a' && s.a && x.median ? ratio(`a/${LETTERS[v]}`, s.a.median, x.median) : '']),
			// The same runs' CPU time per item (all threads of the n8n process), when the probe read it.
			...Object.entries(cpu)
				.filter(([, x]) => x.n)
				.map(([v, x]) => [`${LETTERS[v]}: CPU per item (ms)`, ...stat(x, fixed), v !== 'a' && cpu.a?.n ? ratio(`CPU ${LETTERS[v]}/a`, x.median, cpu.a.median) : '']),
		]);
	}
	if (r.paced) {
		const { n, limit, floorMs, variants } = r.paced;
		const note = (x) => `429s to the user: **${x.reached429}** (sandbox sent ${x.sandbox429}); ${x.okItems} ok items${x.errorItems > x.reached429 ? `, **${x.errorItems - x.reached429} other errors**` : ''}`;
		group(
			`Paced: ${int(n)} items, sandbox limit ${int(limit.requests)} / ${limit.windowMs / 1000} s (floor ${seconds(floorMs)})`,
			Object.entries(variants).map(([v, x]) => [v === 'a' ? 'a: this node, default pacing' : 'b: HTTP Request', seconds(x.wallMs), `${fixed(x.vsFloor)}× floor`, note(x)]),
		);
	}
	if (r.returnAll) {
		const l = r.returnAll;
		group(`Return All: ${int(l.subaccounts)} subaccounts, ${l.pages} pages, ${l.latencyMs} ms latency (ms)`, [
			['a: this node', ...stat(l.node), ratio('time a/sequential', l.node.median, l.sequential.median)],
			['sequential page loop', ...stat(l.sequential), `latency floor ${int(l.sequentialFloorMs)} ms`],
		]);
	}
	if (r.campaign) {
		const { n, sends, ...c } = r.campaign;
		// A part's time and CPU per recipient, a then b, each b with its ratio to a.
		const part = (field, names) => [
			...['a', 'b'].map((v, i) => [`${v}: ${names[i]} (ms)`, ...stat(c[field][v]), i ? ratio('time b/a', c[field].b.median, c[field].a.median) : '']),
			...['a', 'b'].map((v, i) => [`${v}: CPU per recipient (ms)`, ...stat(c[`${field}Cpu`][v], (y) => fixed(y, 3)), i ? ratio('CPU b/a', c[`${field}Cpu`].b.median, c[`${field}Cpu`].a.median) : '']),
		];
		group(`Campaign: ${int(n)} recipients, one per item, then Get Status over the ${sends} sends`, [
			...part('send', ['this node, Send, One Recipient per Item, defaults', 'HTTP Request + Code node making batches of 500']),
			...part('status', ['this node, Get Status, one item per recipient', 'HTTP Request + Split Out']),
			['peak RSS of n8n', `a ${mib(c.rss.a.median)}`, '', `b ${mib(c.rss.b.median)}; each: ${sends} POST /send + ${sends} GET /bulk-status, every recipient sent once (sandbox)`],
		]);
	}
	if (r.footprint) {
		const { distBytes, tarballBytes, coldRequireMs: c } = r.footprint;
		const rss = r.throughput.find((t) => t.n === 10000 && t.format === 'json')?.maxRssBytes;
		const ms = (x) => fixed(x, 1);
		group('Footprint', [
			['dist/ (installed)', `${int(distBytes / 1024)} KiB`, '', `tarball ${int(tarballBytes / 1024)} KiB`],
			['cold require, node file (ms)', ...stat(c.node, ms), `HTTP Request node file ${ms(c.httpRequest.median)} ms (${range(c.httpRequest, ms)})`],
			...(rss ? [['peak RSS of n8n, 10 000 items JSON', `a ${mib(rss.a?.median)}`, '', `b ${mib(rss.b?.median)}, b′ ${mib(rss.bq?.median)}`]] : []),
		]);
	}
	const m = r.machine;
	return [
		`MailPartner node benchmark${r.quick ? ' (quick)' : ''}, ${r.date.slice(0, 10)}: ${m.cpus} cores (${m.cpuModel}), n8n ${m.n8n} on Node ${m.n8nNode}, ` +
			`sandbox latency ${r.settings.latencyMs} ms, load average ${m.loadAverageAtStart[0]} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd[0]} at end` : ''}.`,
		'Medians with min–max over the rounds. Throughput ratios are items/s medians over medians (above 1: this node is faster); the Return All ratio is of times (below 1: faster).',
		'CPU per item: the n8n process’s CPU time (all its threads) while the measured nodes ran, over N; its ratio is b over a (above 1: this node costs less). Unlike items/s, it does not count waiting for a core on a busy machine.',
		'At N ≤ 1 000 each execution runs the measured node twice on the same items: the first run (V8 has not compiled its code yet) and the repeated run (as in a long-running n8n). At N = 10 000, one run.',
		'',
		'| case | variant | median | min–max | ratio / note |',
		'|---|---|---:|---:|---|',
		...rows,
	].join('\n');
}

function renderProfile(profile) {
	const lines = [`Where the time goes (CPU profile of the n8n process during the measured node's run, N=${profile.n} ${profile.format.toUpperCase()}):`];
	for (const p of [profile.a, profile.b]) {
		if (!p) continue;
		lines.push(`\n${NAMES[p === profile.a ? 'a' : 'b']}: ${p.executionTimeMs} ms run, ${p.busyMs} ms on the CPU (main thread), ${p.idleMs} ms idle`);
		lines.push(`  by package: ${p.topPackages.slice(0, 8).map((x) => `${x.name} ${x.shareOfBusy}%`).join(', ')}`, '  top self time:');
		lines.push(...p.topFunctions.slice(0, 12).map((fn) => `    ${String(fn.ms).padStart(7)} ms ${String(fn.shareOfBusy).padStart(5)}%  ${fn.name}`));
	}
	return lines.join('\n');
}

module.exports = { summary, interleave, summarise, renderTable, renderProfile };
