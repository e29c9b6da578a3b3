'use strict';

/** Cases 2–4 and the profile (case 1 is in run.js), each given the run's context, returning its results. */

const fs = require('node:fs');
const path = require('node:path');

const rt = require('../../n8n/runtime');
const wf = require('./workflows');
const checks = require('./checks');
const { executeWorkflow, nodeRun, outputItems, executionTime, runError } = require('./execute');
const { sequentialPages } = require('./raw');
const { summariseProfile } = require('./profile');
const { summary } = require('./report');

/** One execution of workflow `key`, with the sandbox's state before and after; null (problem recorded) when it failed. */
async function execute({ env, sandbox, workflows, problem }, key, label, options) {
	const before = await sandbox.state();
	const exec = await executeWorkflow(env, workflows[key].id, options);
	const after = await sandbox.state();
	if (exec.code !== 0 || exec.run.status !== 'success') return problem(`${label}: n8n execute exited ${exec.code}, status ${exec.run.status}${runError(exec.run)}`), null;
	const count = (state, route) => state.requests.byRoute[route] || 0;
	return { ...exec, requests: (route) => count(after, route) - count(before, route), sandbox: { before, after } };
}

/**
 * The sandbox enforcing a sliding-window limit, N Get Status items through (a) with its default
 * pacing and through (b). Both continue on error, so a 429 that reaches the user is an output item.
 */
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

/**
 * One (a) and one (b) run at the first size in `format` under `--cpu-prof`, each summarised over its
 * measured nodes' own run (in XML, b's window runs from HTTP Request's start to the XML node's end).
 */
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

module.exports = { execute, pacedCase, returnAllCase, footprintCase, profileCase };
