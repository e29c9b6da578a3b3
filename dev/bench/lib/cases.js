'use strict';

/** Cases 2–5 and the profile (case 1 is in run.js), each given the run's context, returning its results; the baselines without n8n. */

const fs = require('node:fs');
const path = require('node:path');

const axios = require('axios');

const rt = require('../../n8n/runtime');
const wf = require('./workflows');
const checks = require('./checks');
const { executeWorkflow, nodeRun, outputItems, executionTime, cpuTime, runError } = require('./execute');
const { summary } = require('./report');
const { messageIdAt } = require('./sandbox');

/** One execution of workflow `key`, with the sandbox's state before and after; null (problem recorded) when it failed. */
async function execute({ env, sandbox, workflows, problem }, key, label, options) {
	const before = await sandbox.state();
	const exec = await executeWorkflow(env, workflows[key].id, options);
	const after = await sandbox.state();
	if (exec.code !== 0 || exec.run.status !== 'success') return problem(`${label}: n8n execute exited ${exec.code}, status ${exec.run.status}${runError(exec.run)}`), null;
	const count = (state, route) => state.requests.byRoute[route] || 0;
	return { ...exec, requests: (route) => count(after, route) - count(before, route), sandbox: { before, after } };
}

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
		const items = outputItems(exec.run, wf.MEASURED);
		const { problem: p, errors } = checks.checkStatusItems(label, items, n, { allowErrors: true });
		problem(p);
		const sent = exec.requests('GET /bulk-status');
		const refused = exec.sandbox.after.requests.rejected429 - exec.sandbox.before.requests.rejected429;
		const ok = items.length - errors.length;
		// Every request the sandbox saw is either an item's answer or a refusal (a retry adds both sides).
		problem(checks.checkCount(label, 'Get Status requests', sent, ok + refused));
		const wallMs = executionTime(exec.run, [wf.MEASURED]);
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

/** Every subaccount (100 pages of 20) at 20 ms latency: the node's Return All against a page-by-page loop. */
async function returnAllCase(ctx) {
	const { sandbox, config, problem } = ctx;
	const { subaccounts, pageSize, latencyMs, rounds } = config.returnAll;
	const pages = Math.ceil(subaccounts / pageSize);
	rt.log(`Return All: ${subaccounts} subaccounts (${pages} pages) at ${latencyMs} ms, ${rounds} round(s)`);
	await sandbox.setFaults({ latencyMs });
	const times = { node: [], loop: [] };
	// Both sides must read every subaccount in order, with one request per page.
	const check = (side, rows, requests, ms) => {
		const p = checks.checkSubaccounts(`Return All (${side})`, rows, subaccounts) || checks.checkCount(`Return All (${side})`, 'list requests', requests, pages);
		if (p) problem(p);
		else times[side].push(ms);
	};
	for (let round = 0; round < rounds; round++) {
		const exec = await execute(ctx, 'list all', 'Return All (node)');
		if (exec) check('node', outputItems(exec.run, wf.MEASURED).map((i) => i.json), exec.requests('GET /subaccount/list'), executionTime(exec.run, [wf.MEASURED]));
		const before = await sandbox.count('GET /subaccount/list');
		const r = await sequentialPages({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey });
		check('loop', r.rows, (await sandbox.count('GET /subaccount/list')) - before, r.ms);
		console.log(`  node ${Math.round(times.node.at(-1)) || '–'} ms, sequential loop ${Math.round(times.loop.at(-1)) || '–'} ms`);
	}
	await sandbox.setFaults({ latencyMs: config.latencyMs });
	const [node, sequential] = [summary(times.node), summary(times.loop)];
	return { subaccounts, pages, latencyMs, node, sequential, ratio: node.median / sequential.median, sequentialFloorMs: pages * latencyMs };
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
	const runs = { a: [], b: [] };
	for (let round = 0; round < rounds * 2; round++) {
		const v = 'ab'[round % 2];
		const label = `campaign ${v} N=${n}`;
		const exec = await execute(ctx, `campaign ${v}`, label);
		if (!exec) continue;
		const messages = (state) => Object.values(state.accounts[ctx.sandbox.apiKey].messages);
		const old = new Set(messages(exec.sandbox.before).map((m) => m.messageId));
		const sent = messages(exec.sandbox.after).filter((m) => !old.has(m.messageId)).flatMap((m) => m.recipients.map((r) => r.email));
		const nodes = wf.campaignNodes[v];
		const statuses = outputItems(exec.run, nodes.status.at(-1)).map((item) => item.json.email);
		const once = (what, list) => (JSON.stringify(list.sort()) === expected ? null : `${label}: ${what} ${list.length} recipients (${new Set(list).size} different), expected each of the ${n} once`);
		const p = once('the sandbox received', sent) || once('Get Status gave', statuses) || checks.checkCount(label, 'sends', exec.requests('POST /send'), sends) || checks.checkCount(label, 'Get Status requests', exec.requests('GET /bulk-status'), sends);
		if (p) {
			ctx.problem(p);
			continue;
		}
		// CPU per recipient: the n8n process's CPU time while the part's nodes ran, over n (ms).
		const part = (names) => ({ ms: executionTime(exec.run, names), cpu: cpuTime(exec.run, names, exec.probe) / n || null });
		const r = { send: part(nodes.send), status: part(nodes.status), rss: exec.probe?.maxRssBytes };
		runs[v].push(r);
		const text = ({ ms, cpu }) => `${Math.round(ms)} ms${cpu ? ` (${cpu.toFixed(3)} ms CPU per recipient)` : ''}`;
		console.log(`  ${label}: send ${text(r.send)}, Get Status ${text(r.status)}, peak RSS ${Math.round(r.rss / 2 ** 20)} MiB`);
	}
	const of = (list, pick) => summary(list.map(pick));
	const figures = (list) => ({ send: of(list, (r) => r.send.ms), sendCpu: of(list, (r) => r.send.cpu), status: of(list, (r) => r.status.ms), statusCpu: of(list, (r) => r.status.cpu), rss: of(list, (r) => r.rss) });
	return { n, sends, variants: { a: figures(runs.a), b: figures(runs.b) } };
}

/** Concurrency of the raw loop: the figure n8n's notes measured by hand (50 at once). */
const RAW_CONCURRENCY = 50;

/** `n` Get Status calls, at most `concurrency` in flight, answers in input order; XML as text, unparsed: the transport's floor. */
async function rawStatusLoop({ baseUrl, apiKey, n, format, concurrency = RAW_CONCURRENCY }) {
	const answers = new Array(n);
	let next = 0;
	const started = performance.now();
	async function worker() {
		while (next < n) {
			const i = next++;
			const params = { apiKey, messageId: messageIdAt(i), ...(format === 'xml' ? { _format: 'xml' } : {}) };
			answers[i] = (await axios.get(`${baseUrl}/bulk-status`, { params, responseType: format === 'xml' ? 'text' : 'json', timeout: 30000 })).data;
		}
	}
	await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
	return { ms: performance.now() - started, answers };
}

/** Every subaccount, one page after another (what a simple loop in a Code node would do). */
async function sequentialPages({ baseUrl, apiKey }) {
	const rows = [];
	const started = performance.now();
	for (let page = 1; ; page++) {
		const { data, total } = (await axios.get(`${baseUrl}/subaccount/list`, { params: { apiKey, page }, timeout: 30000 })).data;
		rows.push(...data);
		if (data.length === 0 || rows.length >= Number(total)) break;
	}
	return { ms: performance.now() - started, rows };
}

/** Median (min–max) of `times` cold requires of `file`, each in a fresh Node 24 process. */
async function coldRequire(file, times) {
	const values = [];
	for (let i = 0; i < times; i++) {
		const r = await rt.run(rt.nodeBin(), [path.join(__dirname, 'require-probe.js'), rt.n8nDir(), file], { timeoutMs: 120000 });
		if (r.code !== 0) throw new Error(`cold require of ${path.basename(file)} failed (exit ${r.code}):\n${rt.tail(r.stderr, 15)}`);
		values.push(JSON.parse(r.stdout).ms);
	}
	return summary(values);
}

/** Sizes, cold require of the node file against HTTP Request's, and peak RSS at 10 000 items. */
async function footprintCase({ config }, packageDir, tarball, rssAt10k) {
	rt.log('footprint: sizes and cold require');
	const dist = path.join(packageDir, 'dist');
	const httpRequest = path.join(rt.n8nDir(), 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js');
	return {
		distBytes: fs.readdirSync(dist, { recursive: true }).map((f) => fs.statSync(path.join(dist, f))).reduce((sum, s) => sum + (s.isFile() ? s.size : 0), 0),
		tarballBytes: fs.statSync(tarball).size,
		coldRequireMs: {
			node: await coldRequire(path.join(dist, 'nodes', 'MailPartner', 'MailPartner.node.js'), config.requireTimes),
			httpRequest: await coldRequire(httpRequest, config.requireTimes),
		},
		peakRssBytesAt10k: config.rss ? Object.fromEntries(Object.entries(rssAt10k).map(([v, list]) => [v, summary(list)])) : null,
	};
}

/** A script's URL after its last `node_modules/`, and which package that is (else a coarse bucket). */
const shortUrl = (url) => url.split('node_modules/').pop().replace(/^file:\/\//, '');
function packageOf(url) {
	if (!url.includes('node_modules/')) return url.startsWith('node:') ? 'node (core)' : shortUrl(url);
	const [scope, name] = shortUrl(url).split('/');
	return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

/** A V8 `.cpuprofile` over the measured nodes' run only (its samples carry monotonic µs: the probe read both clocks together). */
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
		const measured = wf.measuredNodes(v, format);
		const last = nodeRun(exec.run, measured.at(-1));
		const window = { fromEpochMs: nodeRun(exec.run, measured[0]).startTime, toEpochMs: last.startTime + last.executionTime, probe: exec.probe };
		out[v] = { executionTimeMs: executionTime(exec.run, measured), ...summariseProfile(exec.profileFile, window), ...(config.keep ? { file: exec.profileFile } : {}) };
	}
	return out;
}

module.exports = { execute, rawStatusLoop, RAW_CONCURRENCY, pacedCase, returnAllCase, campaignCase, footprintCase, profileCase };
