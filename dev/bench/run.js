#!/usr/bin/env node
'use strict';

/**
 * `npm run bench`: the MailPartner node inside a real n8n 2.41.1 (the cached install that `npm start`
 * and the e2e use), against what a user would pick instead, with the local sandbox on 127.0.0.1.
 * See bench/README.md for the cases and how to read them.
 *
 *   npm run bench                    full run (about 30 min on 2 quiet cores, much longer on busy ones)
 *   npm run bench -- --quick         CI smoke: small N, one round (a few minutes with n8n cached)
 *   --out FILE                       JSON results (default: $TMPDIR/n8n-nodes-mailpartner-bench/latest.json)
 *   --tarball FILE                   benchmark this packed package instead of building the checkout
 *   --rounds N, --rounds-10k N       rounds of the N=1 000 and N=10 000 throughput cases (full mode; default 5 and 3)
 *   --formats json,xml               which answer formats the throughput case runs (default both)
 *   --throughput-only                only case 1 (and its profile): for iterating on the node's CPU per item
 *   --profile / --no-profile         CPU profile of the node's run in n8n, per format (default: full mode, where a/b < 1.5)
 *   --keep                           keep the throwaway n8n user folder and logs
 *
 * Goals are ratios measured in the same run, never wall-clock thresholds. The exit code is non-zero
 * only when something is wrong: item count, order, request count, XML ≠ JSON, or a run that failed.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../n8n/runtime');
const { startBenchSandbox } = require('./lib/sandbox');
const wf = require('./lib/workflows');
const { executeWorkflow, nodeRun, outputItems, executionTime, cpuTime, runError } = require('./lib/execute');
const { rawStatusLoop, sequentialPages, RAW_CONCURRENCY } = require('./lib/raw');
const checks = require('./lib/checks');
const { summary } = require('./lib/stats');
const { dirBytes, coldRequire, httpRequestNodeFile } = require('./lib/footprint');
const { summariseProfile } = require('./lib/profile');
const { renderTable, renderProfile } = require('./lib/report');

rt.setLogPrefix('[bench]');

// ---------------------------------------------------------------------------------------------
// Settings

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const value = (name) => {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 ? argv[i + 1] : undefined;
};
const QUICK = flag('quick');
const OUT = path.resolve(value('out') || path.join(os.tmpdir(), 'n8n-nodes-mailpartner-bench', 'latest.json'));
const TARBALL = value('tarball') ? path.resolve(value('tarball')) : null;
const PROFILE = flag('profile') ? 'always' : flag('no-profile') ? 'never' : QUICK ? 'never' : 'auto';
const THROUGHPUT_ONLY = flag('throughput-only');
const FORMATS = (value('formats') || 'json,xml').split(',').filter((f) => f === 'json' || f === 'xml');

const LATENCY_MS = 5;
const LIST_LATENCY_MS = 20;
const SUBACCOUNTS = 2000;
const LIST_PAGE_SIZE = 20;
/**
 * The node's pacing raised above anything a run reaches: the throughput case measures CPU per item.
 * The node's maximum, 100 000 a minute: its sliding window then lets the first 100 000 requests
 * start at once, far more than N, while the pacer's own work stays in the measured path.
 */
const UNPACED = 100000;
/**
 * And its bound on items in flight at its maximum: HTTP Request sends every item at once, so with
 * the default 8 a slow answer (a busy machine) would measure waiting, not the CPU an item costs.
 */
const MAX_IN_FLIGHT = 100;

const CONFIG = QUICK
	? {
			sizes: [{ n: 200, rounds: 1, twoRuns: true, variants: { json: ['a', 'b', 'bq', 'c'], xml: ['a', 'b', 'c'] } }],
			warmup: null,
			// MailPartner's rate (2 000/min) over a tenth of the window, so the smoke run takes seconds.
			paced: { n: 250, requests: 200, windowMs: 6000 },
			returnAllRounds: 1,
			requireTimes: 3,
			rss: false,
		}
	: {
			sizes: [
				{ n: 1000, rounds: Number(value('rounds') ?? 5), twoRuns: true, variants: { json: ['a', 'b', 'bq', 'c'], xml: ['a', 'b', 'bq', 'c'] } },
				// One run per execution: HTTP Request opens all 10 000 connections at once, and a second
				// run right after the first exceeds the open-file limit (`ulimit -n` 20 000 here: EMFILE).
				{ n: 10000, rounds: Number(value('rounds-10k') ?? 3), twoRuns: false, variants: { json: ['a', 'b', 'bq', 'c'], xml: ['a', 'b', 'c'] } },
			],
			warmup: { n: 1000, format: 'json', variants: ['a', 'b', 'bq', 'c'] },
			paced: { n: 2500, requests: 2000, windowMs: 60000 },
			returnAllRounds: 5,
			requireTimes: 5,
			rss: true,
		};

// ---------------------------------------------------------------------------------------------
// Problems: anything wrong with a run's result. Never a speed.

const problems = [];
let redactKey = null;
const redact = (text) => (redactKey ? String(text).split(redactKey).join('<api key>') : String(text));
function problem(text) {
	if (!text) return;
	problems.push(redact(text));
	console.log(`  PROBLEM ${redact(text)}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
	const started = Date.now();
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-bench-'));
	const userFolder = path.join(root, 'user');
	const results = {
		date: new Date().toISOString(),
		quick: QUICK,
		machine: {
			cpus: os.cpus().length,
			cpuModel: os.cpus()[0] && os.cpus()[0].model,
			loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
			n8n: rt.N8N_VERSION,
			n8nNode: rt.NODE_VERSION,
			benchNode: process.version.slice(1),
		},
		settings: { latencyMs: LATENCY_MS, listLatencyMs: LIST_LATENCY_MS, rawConcurrency: RAW_CONCURRENCY, unpacedRequestsPerMinute: UNPACED, throughputItemsInFlight: MAX_IN_FLIGHT, ...CONFIG },
		throughput: [],
		ratios: {},
	};
	let sandbox;
	try {
		// ----- setup
		const tarball = TARBALL || (await rt.buildAndPack(path.join(root, 'pack')));
		await rt.ensureN8n();
		const packageDir = await rt.installPackage(userFolder, tarball);
		const maxN = Math.max(...CONFIG.sizes.map((s) => s.n), CONFIG.paced.n);
		sandbox = await startBenchSandbox({ subaccounts: SUBACCOUNTS, messages: maxN, logFile: path.join(root, 'sandbox.log') });
		redactKey = sandbox.apiKey;
		const env = rt.n8nEnv({
			userFolder,
			port: await rt.freePort(),
			brokerPort: await rt.freePort(),
			// n8n 2.41's own defaults (SSRF protection off), as the users whose HTTP Request builds it compares.
			n8n3Defaults: false,
			// The run data is read from the database (lib/execute.js): the run's own log stays quiet, and
			// every execution is saved whatever the instance's defaults.
			extra: { N8N_LOG_LEVEL: 'warn', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all', EXECUTIONS_DATA_SAVE_ON_ERROR: 'all' },
		});
		await rt.importCredentials(env, [rt.mailPartnerCredential({ apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl }), wf.queryAuthCredential(sandbox.apiKey)]);
		const workflows = buildWorkflows(sandbox);
		await rt.importWorkflows(env, workflows.all);
		rt.log(`setup done in ${rt.formatSeconds(Date.now() - started)}: sandbox ${sandbox.baseUrl}, ${workflows.all.length} workflows`);
		const ctx = { env, sandbox, workflows };

		// ----- 1. throughput
		await sandbox.setFaults({ latencyMs: LATENCY_MS });
		if (CONFIG.warmup) {
			rt.log(`warm-up: N=${CONFIG.warmup.n} ${CONFIG.warmup.format}, ${CONFIG.warmup.variants.join(', ')} (not counted)`);
			for (const v of CONFIG.warmup.variants) await runStatus(ctx, v, CONFIG.warmup.n, CONFIG.warmup.format);
		}
		const rssAt10k = { a: [], b: [], bq: [] };
		for (const { n, rounds, twoRuns, variants } of CONFIG.sizes) {
			if (!rounds) continue;
			const firstA = {};
			for (const format of FORMATS) {
				const order = variants[format];
				// Each variant's runs, kept whole: every figure below is read from them.
				const runs = Object.fromEntries(order.map((v) => [v, []]));
				rt.log(`throughput: Get Status N=${n} ${format.toUpperCase()}, ${rounds} round(s) of ${order.join(', ')}`);
				for (let round = 0; round < rounds; round++) {
					for (const v of order) {
						const r = await runStatus(ctx, v, n, format);
						if (!r) continue;
						// The figures only: a run's items (up to 10 000) are not held past their checks.
						const { items, ...figures } = r;
						runs[v].push(figures);
						if (v === 'a' && !firstA[format]) firstA[format] = items;
						if (n === 10000 && format === 'json' && r.maxRssBytes && rssAt10k[v]) rssAt10k[v].push(r.maxRssBytes);
					}
				}
				// One figure of every run, per variant; c (the bench's own loop) has no first run and no
				// CPU reading of n8n, so it is left out of those.
				const summarise = (field, variantsOf = order) =>
					Object.fromEntries(variantsOf.map((v) => {
						const values = runs[v].map((r) => r[field]);
						return [v, { ...summary(values), values }];
					}));
				const inN8n = order.filter((v) => v !== 'c');
				results.throughput.push({ n, format, run: twoRuns ? 'repeated' : 'single', variants: summarise('itemsPerSecond'), cpuMsPerItem: summarise('cpuMsPerItem', inN8n) });
				if (twoRuns) results.throughput.push({ n, format, run: 'first', variants: summarise('firstRunItemsPerSecond', inN8n), cpuMsPerItem: summarise('firstRunCpuMsPerItem', inN8n) });
			}
			if (firstA.json && firstA.xml) problem(checks.checkXmlEqualsJson(`a N=${n}`, firstA.json, firstA.xml));
		}
		for (const t of results.throughput) {
			const a = t.variants.a && t.variants.a.median;
			for (const v of ['b', 'bq', 'c']) {
				if (t.variants[v] && a) results.ratios[ratioKey(`a/${LABEL[v]}`, t)] = Number((a / t.variants[v].median).toFixed(3));
			}
			// CPU per item the other way round (b/a), so that above 1 still means this node costs less.
			const cpu = t.cpuMsPerItem;
			for (const v of ['b', 'bq']) {
				if (cpu.a && cpu[v] && cpu.a.n && cpu[v].n) results.ratios[ratioKey(`cpu ${LABEL[v]}/a`, t)] = Number((cpu[v].median / cpu.a.median).toFixed(3));
			}
		}

		if (!THROUGHPUT_ONLY) {
			// ----- 2. paced
			results.paced = await pacedCase(ctx);

			// ----- 3. Return All
			results.returnAll = await returnAllCase(ctx);

			// ----- 4. footprint
			rt.log('footprint: sizes and cold require');
			const nodeFile = path.join(packageDir, 'dist', 'nodes', 'MailPartner', 'MailPartner.node.js');
			results.footprint = {
				distBytes: dirBytes(path.join(packageDir, 'dist')),
				tarballBytes: fs.statSync(tarball).size,
				coldRequireMs: { node: await coldRequire(nodeFile, CONFIG.requireTimes), httpRequest: await coldRequire(httpRequestNodeFile(), CONFIG.requireTimes) },
				peakRssBytesAt10k: CONFIG.rss ? Object.fromEntries(Object.entries(rssAt10k).map(([v, list]) => [v, summary(list)])) : null,
			};
		}

		// ----- profile, in each format where the node is below 1.5× HTTP Request
		results.profiles = [];
		for (const format of FORMATS) {
			const ratio = results.ratios[ratioKey('a/b', { format, n: CONFIG.sizes[0].n, run: 'repeated' })];
			if (PROFILE === 'always' || (PROFILE === 'auto' && ratio !== undefined && ratio < 1.5)) {
				results.profiles.push(await profileCase(ctx, root, format));
			}
		}
	} catch (error) {
		problem(`the bench stopped: ${(error && error.stack) || error}`);
	} finally {
		if (sandbox) await sandbox.stop();
		await rt.stopAll(10000);
		if (flag('keep')) rt.log(`kept ${root}`);
		else fs.rmSync(root, { recursive: true, force: true });
	}

	results.machine.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
	results.seconds = Math.round((Date.now() - started) / 1000);
	results.problems = problems;
	const table = renderTable(results);
	results.table = table;
	fs.mkdirSync(path.dirname(OUT), { recursive: true });
	fs.writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
	console.log(`\n${table}`);
	for (const profile of results.profiles || []) console.log(`\n${renderProfile(profile)}`);
	console.log(`\nran in ${rt.formatSeconds(Date.now() - started)}; results written to ${OUT}`);
	console.log(problems.length ? `\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}` : '\nno problems: every count, order, request count and XML = JSON check passed');
	process.exitCode = problems.length ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Workflows, generated and imported once.

function buildWorkflows(sandbox) {
	const status = {};
	const all = [];
	const add = (key, workflow) => {
		status[key] = workflow;
		all.push(workflow);
	};
	for (const { n, twoRuns } of CONFIG.sizes) {
		const runs = twoRuns ? wf.withFirstRun : (workflow) => workflow;
		for (const format of ['json', 'xml']) {
			add(`a ${format} ${n}`, runs(wf.mailPartnerStatus({ n, format, requestsPerMinute: UNPACED, itemsInFlight: MAX_IN_FLIGHT })));
			add(`b ${format} ${n}`, runs(wf.httpRequestStatus({ n, format, baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey })));
			add(`bq ${format} ${n}`, runs(wf.httpRequestStatus({ n, format, baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, queryAuth: true })));
		}
	}
	const { n } = CONFIG.paced;
	add('paced a', wf.mailPartnerStatus({ n, format: 'json', requestsPerMinute: null, continueOnError: true }));
	add('paced b', wf.httpRequestStatus({ n, format: 'json', baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, continueOnError: true }));
	add('list all', wf.mailPartnerListAll());
	return { status, all };
}

const LABEL = { a: 'a', b: 'b', bq: "b'", c: 'c' };
/** Whether a throughput workflow carries the first-run copy (`wf.withFirstRun`). */
const hasFirstRun = (workflow) => workflow.nodes.some((node) => node.name === wf.FIRST_RUN + wf.MEASURED);
/** `a/b json N=1000` for the repeated run (the one the goals are about), `… first run` for the other. */
const ratioKey = (pair, { format, n, run }) => `${pair} ${format} N=${n}${run === 'first' ? ' first run' : ''}`;
const bulkStatusCount = async (sandbox) => (await sandbox.requests()).byRoute['GET /bulk-status'] || 0;

/**
 * One throughput run of variant `v`: for a, b and b′ one execution running the chain twice (see
 * lib/workflows.js), for c the bench's own loop. Returns {itemsPerSecond, firstRunItemsPerSecond,
 * cpuMsPerItem, firstRunCpuMsPerItem, items, maxRssBytes} (CPU: null for c, or when the probe has no
 * readings) or null when the run went wrong (the problem is recorded).
 */
async function runStatus({ env, sandbox, workflows }, v, n, format) {
	const label = `${LABEL[v]} ${format} N=${n}`;
	const before = await bulkStatusCount(sandbox);
	let ms;
	let firstMs = null;
	let cpuMs = null;
	let firstCpuMs = null;
	let items = null;
	let maxRssBytes = null;
	if (v === 'c') {
		const r = await rawStatusLoop({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey, n, format });
		ms = r.ms;
		const p = checks.checkRawAnswers(label, r.answers, n, format);
		if (p) return problem(p), null;
	} else {
		const workflow = workflows.status[`${v} ${format} ${n}`];
		const exec = await executeWorkflow(env, workflow.id);
		if (exec.code !== 0 || exec.run.status !== 'success') {
			return problem(`${label}: n8n execute exited ${exec.code}, status ${exec.run.status}${runError(exec.run)}`), null;
		}
		const measured = wf.measuredNodes(v, format);
		const kind = measured.length > 1 ? 'xml' : 'decoded';
		ms = executionTime(exec.run, measured);
		cpuMs = cpuTime(exec.run, measured, exec.probe);
		items = outputItems(exec.run, measured[measured.length - 1]);
		let p = checks.checkStatusItems(label, items, n, { kind }).problem;
		if (hasFirstRun(workflow)) {
			const firstRun = measured.map((name) => wf.FIRST_RUN + name);
			firstMs = executionTime(exec.run, firstRun);
			firstCpuMs = cpuTime(exec.run, firstRun, exec.probe);
			p ||= checks.checkStatusItems(`${label} first run`, outputItems(exec.run, firstRun[firstRun.length - 1]), n, { kind }).problem;
			p ||= checks.checkRunsInOrder(label, exec.run, firstRun, measured);
		}
		if (p) return problem(p), null;
		maxRssBytes = exec.probe ? exec.probe.maxRssBytes : null;
	}
	const sent = (await bulkStatusCount(sandbox)) - before;
	const expected = firstMs === null ? n : 2 * n;
	const p = checks.checkCount(label, 'Get Status requests reached the sandbox', sent, expected);
	if (p) return problem(p), null;
	const itemsPerSecond = n / (ms / 1000);
	const firstRunItemsPerSecond = firstMs === null ? null : n / (firstMs / 1000);
	// CPU per item: the n8n process's CPU time over the measured nodes' run, per item (ms).
	const cpuMsPerItem = cpuMs === null ? null : cpuMs / n;
	const firstRunCpuMsPerItem = firstCpuMs === null ? null : firstCpuMs / n;
	const cpuText = cpuMs === null ? '' : `, ${cpuMs.toFixed(0)} ms CPU`;
	const firstText = firstMs === null ? '' : `; first run ${firstRunItemsPerSecond.toFixed(0)} items/s (${Math.round(firstMs)} ms${firstCpuMs === null ? '' : `, ${firstCpuMs.toFixed(0)} ms CPU`})`;
	console.log(`  ${label.padEnd(16)} ${itemsPerSecond.toFixed(0).padStart(6)} items/s (${Math.round(ms)} ms${cpuText}${firstText}${maxRssBytes ? `, peak RSS ${(maxRssBytes / 2 ** 20).toFixed(0)} MiB` : ''})`);
	return { itemsPerSecond, firstRunItemsPerSecond, cpuMsPerItem, firstRunCpuMsPerItem, items, maxRssBytes };
}

/**
 * The sandbox enforcing a sliding-window limit, N Get Status items through (a) with its default
 * pacing and through (b). Both continue on error, so a 429 that reaches the user is an output item.
 */
async function pacedCase({ env, sandbox, workflows }) {
	const { n, requests, windowMs } = CONFIG.paced;
	// With a sliding window, `requests` go at once and each next batch once the first ones leave it.
	const floorMs = (Math.ceil(n / requests) - 1) * windowMs;
	rt.log(`paced: ${n} items, sandbox limit ${requests} requests / ${windowMs / 1000} s (floor ${floorMs / 1000} s)`);
	const out = { n, limit: { requests, windowMs }, floorMs, variants: {} };
	for (const v of ['a', 'b']) {
		const label = `paced ${LABEL[v]}`;
		// A fresh fault set starts an empty window: each variant gets the whole limit.
		await sandbox.setFaults({ latencyMs: LATENCY_MS, rateLimit: { requests, windowMs } });
		const before = await sandbox.requests();
		const exec = await executeWorkflow(env, workflows.status[`paced ${v}`].id);
		const after = await sandbox.requests();
		if (exec.code !== 0 || exec.run.status !== 'success') {
			problem(`${label}: n8n execute exited ${exec.code}, status ${exec.run.status}${runError(exec.run)}`);
			continue;
		}
		const items = outputItems(exec.run, wf.MEASURED);
		const { problem: p, errors } = checks.checkStatusItems(label, items, n, { allowErrors: true });
		problem(p);
		const sent = (after.byRoute['GET /bulk-status'] || 0) - (before.byRoute['GET /bulk-status'] || 0);
		const refused = (after.rejected429 || 0) - (before.rejected429 || 0);
		const ok = items.length - errors.length;
		// Every request the sandbox saw is either an item's answer or a refusal (a retry adds both sides).
		problem(checks.checkCount(label, 'Get Status requests', sent, ok + refused));
		const wallMs = executionTime(exec.run, [wf.MEASURED]);
		const reached429 = errors.filter((e) => e.is429).length;
		const errorSamples = [...new Set(errors.map((e) => redact(e.message).slice(0, 200)))].slice(0, 3);
		out.variants[v] = { wallMs, vsFloor: floorMs ? wallMs / floorMs : null, okItems: ok, errorItems: errors.length, reached429, sandbox429: refused, requests: sent, errorSamples };
		// Nothing but the limit is wrong in this run: this node must answer every item. (HTTP Request's
		// 429 items are the measured outcome, not a fault of the run.)
		if (v === 'a' && errors.length) problem(`${label}: ${errors.length} item(s) failed, first at item ${errors[0].index}: ${errorSamples.join(' | ')}`);
		console.log(`  ${label}: ${(wallMs / 1000).toFixed(1)} s (floor ${floorMs / 1000} s), ${ok} ok, ${errors.length} errors (${reached429} of them 429), sandbox sent ${refused} × 429 over ${sent} requests`);
	}
	await sandbox.setFaults({ latencyMs: LATENCY_MS });
	return out;
}

/** Every subaccount (100 pages of 20) at 20 ms latency: the node's Return All against a page-by-page loop. */
async function returnAllCase({ env, sandbox, workflows }) {
	const pages = Math.ceil(SUBACCOUNTS / LIST_PAGE_SIZE);
	rt.log(`Return All: ${SUBACCOUNTS} subaccounts (${pages} pages) at ${LIST_LATENCY_MS} ms, ${CONFIG.returnAllRounds} round(s)`);
	await sandbox.setFaults({ latencyMs: LIST_LATENCY_MS });
	const node = [];
	const loop = [];
	const listCount = async () => (await sandbox.requests()).byRoute['GET /subaccount/list'] || 0;
	for (let round = 0; round < CONFIG.returnAllRounds; round++) {
		let before = await listCount();
		const exec = await executeWorkflow(env, workflows.status['list all'].id);
		if (exec.code !== 0 || exec.run.status !== 'success') {
			problem(`Return All (node): n8n execute exited ${exec.code}, status ${exec.run.status}${runError(exec.run)}`);
		} else {
			const rows = outputItems(exec.run, wf.MEASURED).map((i) => i.json);
			const p = checks.checkSubaccounts('Return All (node)', rows, SUBACCOUNTS) || checks.checkCount('Return All (node)', 'list requests', (await listCount()) - before, pages);
			if (p) problem(p);
			else node.push(executionTime(exec.run, [wf.MEASURED]));
		}
		before = await listCount();
		const r = await sequentialPages({ baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey });
		const p = checks.checkSubaccounts('Return All (loop)', r.rows, SUBACCOUNTS) || checks.checkCount('Return All (loop)', 'list requests', (await listCount()) - before, pages);
		if (p) problem(p);
		else loop.push(r.ms);
		console.log(`  node ${node.length ? Math.round(node[node.length - 1]) : '–'} ms, sequential loop ${loop.length ? Math.round(loop[loop.length - 1]) : '–'} ms`);
	}
	await sandbox.setFaults({ latencyMs: LATENCY_MS });
	const nodeSummary = { ...summary(node), values: node };
	const loopSummary = { ...summary(loop), values: loop };
	return { subaccounts: SUBACCOUNTS, pages, latencyMs: LIST_LATENCY_MS, node: nodeSummary, sequential: loopSummary, ratio: nodeSummary.median / loopSummary.median, sequentialFloorMs: pages * LIST_LATENCY_MS };
}

/**
 * One (a) and one (b) run at the first size in `format` under `--cpu-prof`, each summarised over its
 * measured nodes' own run (in XML, b's window runs from HTTP Request's start to the XML node's end).
 */
async function profileCase({ env, sandbox, workflows }, root, format) {
	const n = CONFIG.sizes[0].n;
	rt.log(`profile: a and b, N=${n} ${format.toUpperCase()}, --cpu-prof on the n8n process`);
	const out = { n, format };
	for (const v of ['a', 'b']) {
		const dir = path.join(root, `profile-${v}-${format}`);
		fs.mkdirSync(dir, { recursive: true });
		const exec = await executeWorkflow(env, workflows.status[`${v} ${format} ${n}`].id, { cpuProfileDir: dir });
		const measured = wf.measuredNodes(v, format);
		const runs = measured.map((name) => nodeRun(exec.run, name));
		if (exec.code !== 0 || runs.includes(null) || !exec.profileFile || !exec.probe) {
			problem(`profile ${v} ${format}: the profiled run failed (exit ${exec.code})${runError(exec.run)}`);
			continue;
		}
		const fromEpochMs = runs[0].startTime;
		const last = runs[runs.length - 1];
		const toEpochMs = last.startTime + last.executionTime;
		out[v] = { executionTimeMs: executionTime(exec.run, measured), ...summariseProfile(exec.profileFile, { fromEpochMs, toEpochMs, probe: exec.probe }) };
		if (flag('keep')) out[v].file = exec.profileFile;
	}
	return out;
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, async () => {
		if (interrupted) return;
		interrupted = true;
		console.log(`\n[bench] ${sig}: stopping every process ...`);
		await rt.stopAll(5000);
		process.exit(130);
	});
}

main();
