'use strict';

/** Cases 2–5 and the profile (case 1 is in run.js), each given the run's context, returning its results; the baselines without n8n. */

const fs = require('node:fs');
const path = require('node:path');

const axios = require('axios');

const rt = require('../../n8n/runtime');
const wf = require('./workflows');
const checks = require('./checks');
const { execute, measure } = require('./execute');
const { summary, interleave, summarise } = require('./report');
const { messageIdAt } = require('./sandbox');

/** Case 2: the sandbox's sliding-window limit on, N Get Status items through (a) with its default pacing and (b), both On Error → Continue. */
async function pacedCase(ctx) {
	const { sandbox, config, problem, redact } = ctx;
	const { n, requests, windowMs } = config.paced;
	// With a sliding window, `requests` go at once and each next batch once the first ones leave it.
	const floorMs = (Math.ceil(n / requests) - 1) * windowMs;
	rt.log(`paced: ${n} items, sandbox limit ${requests} requests / ${windowMs / 1000} s (floor ${floorMs / 1000} s)`);
	const out = { n, limit: { requests, windowMs }, floorMs, variants: {} };
	for (const v of ['a', 'b']) {
		const label = `paced ${v}`;
		// A fresh fault set starts an empty window: each variant gets the whole limit.
		await sandbox.setFaults({ latencyMs: config.latencyMs, rateLimit: { requests, windowMs } });
		const exec = await execute(ctx, `paced ${v}`, label);
		if (!exec) continue;
		const { ms: wallMs, items } = measure(exec, [wf.MEASURED]);
		const { problem: p, errors } = checks.checkStatusItems(label, items, n, { allowErrors: true });
		problem(p);
		const sent = exec.requests('GET /bulk-status');
		const refused = exec.sandbox.after.requests.rejected429 - exec.sandbox.before.requests.rejected429;
		const ok = items.length - errors.length;
		// Every request the sandbox saw is either an item's answer or a refusal (a retry adds both sides).
		problem(checks.checkCount(label, 'Get Status requests', sent, ok + refused));
		const reached429 = errors.filter((e) => e.is429).length;
		const errorSamples = [...new Set(errors.map((e) => redact(e.message).slice(0, 200)))].slice(0, 3);
		out.variants[v] = { wallMs, vsFloor: floorMs ? wallMs / floorMs : null, okItems: ok, errorItems: errors.length, reached429, sandbox429: refused, requests: sent, errorSamples };
		// Nothing but the limit is in the way: this node must answer every item. (HTTP Request's
		// 429 items are the measured outcome, not a fault of the run.)
		if (v === 'a' && errors.length) problem(`${label}: ${errors.length} item(s) failed, first at item ${errors[0].index}: ${errorSamples.join(' | ')}`);
		console.log(`  ${label}: ${(wallMs / 1000).toFixed(1)} s (floor ${floorMs / 1000} s), ${ok} ok, ${errors.length} errors (${reached429} of them 429), sandbox sent ${refused} × 429 over ${sent} requests`);
	}
	await sandbox.setFaults({ latencyMs: config.latencyMs });
	return out;
}

/** Case 3: every subaccount (100 pages of 20) at 20 ms latency: the node's Return All against a page-by-page loop. */
async function returnAllCase(ctx) {
	const { sandbox, config, problem } = ctx;
	const { subaccounts, pageSize, latencyMs, rounds } = config.returnAll;
	const pages = Math.ceil(subaccounts / pageSize);
	rt.log(`Return All: ${subaccounts} subaccounts (${pages} pages) at ${latencyMs} ms, ${rounds} round(s)`);
	await sandbox.setFaults({ latencyMs });
	const runs = await interleave(rounds, ['node', 'loop'], async (side) => {
		let r;
		if (side === 'loop') r = await inBench(sandbox, 'GET /subaccount/list', () => sequentialPages(sandbox));
		else {
			const exec = await execute(ctx, 'list all', 'Return All (node)');
			if (!exec) return null;
			const { ms, items } = measure(exec, [wf.MEASURED]);
			r = { ms, rows: items.map((i) => i.json), requests: exec.requests('GET /subaccount/list') };
		}
		// Both sides must read every subaccount in order, with one request per page.
		const p = checks.checkSubaccounts(`Return All (${side})`, r.rows, subaccounts) || checks.checkCount(`Return All (${side})`, 'list requests', r.requests, pages);
		if (p) {
			problem(p);
			return null;
		}
		console.log(`  ${side === 'loop' ? 'sequential loop' : 'node'} ${Math.round(r.ms)} ms`);
		return r;
	});
	await sandbox.setFaults({ latencyMs: config.latencyMs });
	const { node, loop } = summarise(runs, 'ms');
	return { subaccounts, pages, latencyMs, node, sequential: loop, sequentialFloorMs: pages * latencyMs };
}

/**
 * Case 5: `n` recipients, one per item, through (a) this node and (b) the HTTP Request build, then Get
 * Status over the sends. The sandbox's record must hold each recipient once; Get Status, one item each.
 */
async function campaignCase(ctx) {
	const { n, rounds } = ctx.config.campaign;
	const sends = Math.ceil(n / 500);
	rt.log(`campaign: ${n} recipients (${sends} sends) and Get Status, ${rounds} round(s) of a, b`);
	const expected = JSON.stringify(Array.from({ length: n }, (_, i) => wf.recipientEmail(i)).sort());
	const runs = await interleave(rounds, ['a', 'b'], async (v) => {
		const label = `campaign ${v} N=${n}`;
		const exec = await execute(ctx, `campaign ${v}`, label);
		if (!exec) return null;
		const messages = (state) => Object.values(state.accounts[ctx.sandbox.apiKey].messages);
		const old = new Set(messages(exec.sandbox.before).map((m) => m.messageId));
		const sent = messages(exec.sandbox.after).filter((m) => !old.has(m.messageId)).flatMap((m) => m.recipients.map((r) => r.email));
		const [send, status] = [measure(exec, wf.campaignNodes[v].send), measure(exec, wf.campaignNodes[v].status)];
		const statuses = status.items.map((item) => item.json.email);
		const once = (what, list) => (JSON.stringify(list.sort()) === expected ? null : `${label}: ${what} ${list.length} recipients (${new Set(list).size} different), expected each of the ${n} once`);
		const p = once('the sandbox received', sent) || once('Get Status gave', statuses) || checks.checkCount(label, 'sends', exec.requests('POST /send'), sends) || checks.checkCount(label, 'Get Status requests', exec.requests('GET /bulk-status'), sends);
		if (p) {
			ctx.problem(p);
			return null;
		}
		// CPU per recipient: the n8n process's CPU time while the part's nodes ran, over n (ms).
		const r = { send: send.ms, sendCpu: send.cpuMs / n || null, status: status.ms, statusCpu: status.cpuMs / n || null, rss: exec.probe?.maxRssBytes };
		const text = (ms, perRecipient) => `${Math.round(ms)} ms${perRecipient ? ` (${perRecipient.toFixed(3)} ms CPU per recipient)` : ''}`;
		console.log(`  ${label}: send ${text(r.send, r.sendCpu)}, Get Status ${text(r.status, r.statusCpu)}, peak RSS ${Math.round(r.rss / 2 ** 20)} MiB`);
		return r;
	});
	return { n, sends, ...Object.fromEntries(['send', 'sendCpu', 'status', 'statusCpu', 'rss'].map((field) => [field, summarise(runs, field)])) };
}

/** `loop()` in the bench process (no n8n), timed, with the requests the sandbox received on `route` meanwhile. */
async function inBench(sandbox, route, loop) {
	const count = async () => (await sandbox.state()).requests.byRoute[route] || 0;
	const before = await count();
	const started = performance.now();
	const result = await loop();
	const ms = performance.now() - started;
	return { ...result, ms, requests: (await count()) - before };
}

/** Concurrency of the raw loop: the figure n8n's notes measured by hand (50 at once). */
const RAW_CONCURRENCY = 50;

/**
 * `n` Get Status calls, at most RAW_CONCURRENCY in flight; XML as text, unparsed: the transport's floor.
 * Its answers as items in input order (XML as `{text}`), checked as n8n's are.
 */
async function rawStatusLoop({ baseUrl, apiKey }, n, format) {
	const items = new Array(n);
	let next = 0;
	async function worker() {
		while (next < n) {
			const i = next++;
			const params = { apiKey, messageId: messageIdAt(i), ...(format === 'xml' ? { _format: 'xml' } : {}) };
			const { data } = await axios.get(`${baseUrl}/bulk-status`, { params, responseType: format === 'xml' ? 'text' : 'json', timeout: 30000 });
			items[i] = { json: format === 'xml' ? { text: data } : data, pairedItem: i };
		}
	}
	await Promise.all(Array.from({ length: Math.min(RAW_CONCURRENCY, n) }, worker));
	return { items };
}

/** Every subaccount, one page after another (what a simple loop in a Code node would do). */
async function sequentialPages({ baseUrl, apiKey }) {
	const rows = [];
	for (let page = 1; ; page++) {
		const { data, total } = (await axios.get(`${baseUrl}/subaccount/list`, { params: { apiKey, page }, timeout: 30000 })).data;
		rows.push(...data);
		if (data.length === 0 || rows.length >= Number(total)) return { rows };
	}
}

/** Case 4: sizes, the median (min–max) of cold requires of the node file and of HTTP Request's, each in a fresh Node 24 process. */
async function footprintCase({ config }, packageDir, tarball) {
	rt.log('footprint: sizes and cold require');
	const dist = path.join(packageDir, 'dist');
	const coldRequire = async (file) => {
		const values = [];
		for (let i = 0; i < config.requireTimes; i++) {
			const r = await rt.run(rt.nodeBin(), [path.join(__dirname, 'require-probe.js'), rt.n8nDir(), file], { timeoutMs: 120000 });
			if (r.code !== 0) throw new Error(`cold require of ${path.basename(file)} failed (exit ${r.code}):\n${rt.tail(r.stderr, 15)}`);
			values.push(JSON.parse(r.stdout).ms);
		}
		return summary(values);
	};
	return {
		distBytes: fs.readdirSync(dist, { recursive: true }).map((f) => fs.statSync(path.join(dist, f))).reduce((sum, s) => sum + (s.isFile() ? s.size : 0), 0),
		tarballBytes: fs.statSync(tarball).size,
		coldRequireMs: {
			node: await coldRequire(path.join(dist, 'nodes', 'MailPartner', 'MailPartner.node.js')),
			httpRequest: await coldRequire(path.join(rt.n8nDir(), 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js')),
		},
	};
}

/** A script's URL after its last `node_modules/`, and which package that is (else a coarse bucket). */
const shortUrl = (url) => url.split('node_modules/').pop().replace(/^file:\/\//, '');
function packageOf(url) {
	if (!url.includes('node_modules/')) return url.startsWith('node:') ? 'node (core)' : shortUrl(url);
	const [scope, name] = shortUrl(url).split('/');
	return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

/**
 * A V8 `.cpuprofile` over the measured nodes' run only (`measure()`'s start and end, epoch ms; the profile's samples
 * carry monotonic µs: the probe read both clocks together).
 */
function summariseProfile(file, { startTime, endTime }, probe, top = 15) {
	const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
	const probeUs = Number(BigInt(probe.monotonicNs) / 1000n);
	const [from, to] = [startTime, endTime].map((epochMs) => probeUs - (probe.epochMs - epochMs) * 1000);
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

/** One (a) and one (b) run at the first size in `format` under `--cpu-prof`, each summarised over its measured nodes' run. */
async function profileCase(ctx, format) {
	const { config, problem, root } = ctx;
	const n = config.sizes[0].n;
	rt.log(`profile: a and b, N=${n} ${format.toUpperCase()}, --cpu-prof on the n8n process`);
	const out = { n, format };
	for (const v of ['a', 'b']) {
		const dir = path.join(root, `profile-${v}-${format}`);
		fs.mkdirSync(dir, { recursive: true });
		const exec = await execute(ctx, `${v} ${format} ${n}`, `profile ${v} ${format}`, { cpuProfileDir: dir });
		if (!exec || !exec.profileFile || !exec.probe) {
			if (exec) problem(`profile ${v} ${format}: no CPU profile or probe of the n8n process`);
			continue;
		}
		const measured = measure(exec, wf.measuredNodes(v, format));
		out[v] = { executionTimeMs: measured.ms, ...summariseProfile(exec.profileFile, measured, exec.probe), ...(config.keep ? { file: exec.profileFile } : {}) };
	}
	return out;
}

module.exports = { inBench, rawStatusLoop, pacedCase, returnAllCase, campaignCase, footprintCase, profileCase };
