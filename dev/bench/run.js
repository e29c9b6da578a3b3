#!/usr/bin/env node
'use strict';

/**
 * `npm run bench`: the MailPartner node inside a real n8n 2.41.1 against what a user would pick
 * instead, with the local sandbox on 127.0.0.1. dev/bench/README.md: the cases, the options, how to
 * read them. The exit code is non-zero only when a result is wrong, never for a speed.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const rt = require('../n8n/runtime');
const { startBenchSandbox } = require('./lib/sandbox');
const wf = require('./lib/workflows');
const { execute, measure } = require('./lib/execute');
const checks = require('./lib/checks');
const cases = require('./lib/cases');
const { interleave, summarise, renderTable, renderProfile } = require('./lib/report');

rt.setLogPrefix('[bench]');
rt.stopOnSignals(5000);

const flag = { type: 'boolean', default: false };
const text = (fallback) => ({ type: 'string', default: fallback });
const { values: args } = parseArgs({
	options: {
		help: flag, quick: flag, keep: flag, profile: flag, 'no-profile': flag, 'throughput-only': flag, tarball: { type: 'string' },
		out: text(path.join(os.tmpdir(), 'n8n-nodes-mailpartner-bench', 'latest.json')), rounds: text('5'), 'rounds-10k': text('3'), formats: text('json,xml'), campaign: { type: 'string' },
	},
});
const FORMATS = args.formats.split(',').filter((f) => f === 'json' || f === 'xml');
const PROFILE = args.profile ? 'always' : args['no-profile'] || args.quick ? 'never' : 'auto';
const ALL = ['a', 'b', 'bq', 'c'];
const NO_BQ = ['a', 'b', 'c'];
// One run per execution at N = 10 000: HTTP Request opens all 10 000 connections at once, and a second
// run right after the first exceeds the open-file limit (`ulimit -n` 20 000 here: EMFILE).
const twoRuns = (n) => n < 10000;

/** Settings of the run (written into the results); README → Cases says why each value. */
const CONFIG = {
	latencyMs: 5,
	keep: args.keep,
	// Case 1 measures CPU per item: the node's pacing and items in flight at their maximum (100 000/min, 100).
	unpacedRequestsPerMinute: 100000,
	throughputItemsInFlight: 100,
	// Each size's rounds and its XML variants (JSON: all four).
	sizes: args.quick
		? [{ n: 200, rounds: 1, xml: NO_BQ }]
		: [
				{ n: 1000, rounds: Number(args.rounds), xml: ALL },
				{ n: 10000, rounds: Number(args['rounds-10k']), xml: NO_BQ },
			],
	warmup: !args.quick,
	// Quick: MailPartner's rate (2 000/min) over a tenth of the window, so the smoke run takes seconds.
	paced: args.quick ? { n: 250, requests: 200, windowMs: 6000 } : { n: 2500, requests: 2000, windowMs: 60000 },
	returnAll: { subaccounts: 2000, pageSize: 20, latencyMs: 20, rounds: args.quick ? 1 : 5 },
	campaign: { n: Number(args.campaign ?? (args.quick ? 1000 : 10000)), rounds: args.quick ? 1 : 3 },
	requireTimes: args.quick ? 3 : 5,
};

// Problems: anything wrong with a run's result. Never a speed. The API key never reaches the output.
const problems = [];
let redact = String;
function problem(text) {
	if (!text) return;
	problems.push(redact(text));
	console.log(`  PROBLEM ${problems.at(-1)}`);
}

async function main() {
	const started = Date.now();
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mailpartner-bench-'));
	const userFolder = path.join(root, 'user');
	const loadAverage = () => os.loadavg().map((x) => Number(x.toFixed(2)));
	const results = {
		date: new Date().toISOString(),
		quick: args.quick,
		machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageAtStart: loadAverage(), n8n: rt.N8N_VERSION, n8nNode: rt.NODE_VERSION, benchNode: process.version.slice(1) },
		settings: CONFIG,
		throughput: [],
		profiles: [],
	};
	let sandbox;
	try {
		const tarball = args.tarball ? path.resolve(args.tarball) : await rt.buildAndPack(path.join(root, 'pack'));
		await rt.ensureN8n();
		const packageDir = await rt.installPackage(userFolder, tarball);
		const maxN = Math.max(...CONFIG.sizes.map((s) => s.n), CONFIG.paced.n);
		sandbox = await startBenchSandbox({ subaccounts: CONFIG.returnAll.subaccounts, messages: maxN, logFile: path.join(root, 'sandbox.log') });
		redact = (text) => String(text).split(sandbox.apiKey).join('<api key>');
		const env = rt.n8nEnv({
			userFolder,
			port: await rt.freePort(),
			brokerPort: await rt.freePort(),
			// n8n 2.41's own defaults (SSRF protection off), as the users it compares have them; every
			// execution saved, since the run data is read from the database (lib/execute.js).
			n8n3Defaults: false,
			extra: { N8N_LOG_LEVEL: 'warn', EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all', EXECUTIONS_DATA_SAVE_ON_ERROR: 'all' },
		});
		await rt.importCredentials(env, [rt.mailPartnerCredential({ apiKey: sandbox.apiKey, baseUrl: sandbox.baseUrl }), wf.queryAuthCredential(sandbox.apiKey)]);
		const workflows = buildWorkflows(sandbox);
		await rt.importWorkflows(env, Object.values(workflows));
		rt.log(`setup done in ${rt.formatSeconds(Date.now() - started)}: sandbox ${sandbox.baseUrl}, ${Object.keys(workflows).length} workflows`);
		const ctx = { env, sandbox, workflows, config: CONFIG, problem, redact, root };

		await sandbox.setFaults({ latencyMs: CONFIG.latencyMs });
		await throughputCase(ctx, results);
		if (!args['throughput-only']) {
			results.paced = await cases.pacedCase(ctx);
			results.returnAll = await cases.returnAllCase(ctx);
			results.campaign = await cases.campaignCase(ctx);
			results.footprint = await cases.footprintCase(ctx, packageDir, tarball);
		}
		// The profile, in each format where the node is below 1.5× HTTP Request.
		for (const format of FORMATS) {
			const t = results.throughput.find((x) => x.format === format && x.n === CONFIG.sizes[0].n && x.run === 'repeated');
			if (PROFILE === 'always' || (PROFILE === 'auto' && t?.variants.a.median / t?.variants.b.median < 1.5)) results.profiles.push(await cases.profileCase(ctx, format));
		}
	} catch (error) {
		problem(`the bench stopped: ${error?.stack || error}`);
	} finally {
		await sandbox?.stop();
		await rt.stopAll(10000);
		if (args.keep) rt.log(`kept ${root}`);
		else fs.rmSync(root, { recursive: true, force: true });
	}

	results.machine.loadAverageAtEnd = loadAverage();
	results.seconds = Math.round((Date.now() - started) / 1000);
	results.problems = problems;
	results.table = renderTable(results);
	const out = path.resolve(args.out);
	fs.mkdirSync(path.dirname(out), { recursive: true });
	fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
	console.log(`\n${results.table}`);
	for (const profile of results.profiles) console.log(`\n${renderProfile(profile)}`);
	console.log(`\nran in ${rt.formatSeconds(Date.now() - started)}; results written to ${out}`);
	console.log(problems.length ? `\n${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}` : '\nno problems: every count, order, request count, XML = JSON and recipient-once check passed');
	process.exitCode = problems.length ? 1 : 0;
}

/** The workflows of every case, by key, generated and imported once. */
function buildWorkflows(sandbox) {
	const workflows = {};
	const status = { baseUrl: sandbox.baseUrl, apiKey: sandbox.apiKey };
	for (const { n } of CONFIG.sizes) {
		const runs = twoRuns(n) ? wf.withFirstRun : (workflow) => workflow;
		for (const format of ['json', 'xml']) {
			workflows[`a ${format} ${n}`] = runs(wf.mailPartnerStatus({ n, format, requestsPerMinute: CONFIG.unpacedRequestsPerMinute, itemsInFlight: CONFIG.throughputItemsInFlight }));
			workflows[`b ${format} ${n}`] = runs(wf.httpRequestStatus({ n, format, ...status }));
			workflows[`bq ${format} ${n}`] = runs(wf.httpRequestStatus({ n, format, ...status, queryAuth: true }));
		}
	}
	const { n } = CONFIG.paced;
	workflows['paced a'] = wf.mailPartnerStatus({ n, format: 'json', requestsPerMinute: null, continueOnError: true });
	workflows['paced b'] = wf.httpRequestStatus({ n, format: 'json', ...status, continueOnError: true });
	workflows['list all'] = wf.mailPartnerListAll();
	workflows['campaign a'] = wf.mailPartnerCampaign(CONFIG.campaign.n);
	workflows['campaign b'] = wf.httpRequestCampaign({ n: CONFIG.campaign.n, ...status });
	return workflows;
}

/** Case 1: Get Status at each size and format in interleaved rounds (a, b, b′, c, a, …), after a warm-up round in the full run. */
async function throughputCase(ctx, results) {
	if (CONFIG.warmup) {
		const { n } = CONFIG.sizes[0];
		rt.log(`warm-up: N=${n} json, ${ALL.join(', ')} (not counted)`);
		for (const v of ALL) await runStatus(ctx, v, n, 'json');
	}
	for (const { n, rounds, xml } of CONFIG.sizes) {
		const itemsOfA = {};
		for (const format of rounds ? FORMATS : []) {
			const order = format === 'xml' ? xml : ALL;
			rt.log(`throughput: Get Status N=${n} ${format.toUpperCase()}, ${rounds} round(s) of ${order.join(', ')}`);
			const runs = await interleave(rounds, order, async (v) => {
				const r = await runStatus(ctx, v, n, format);
				// The figures only: a run's items (up to 10 000) are not held past their checks, but a's first for XML = JSON.
				if (r && v === 'a') itemsOfA[format] ??= r.items;
				return r?.figures;
			});
			// c (the bench's own loop) has no first run and no CPU reading of n8n.
			const inN8n = order.filter((v) => v !== 'c');
			const cpuMsPerItem = summarise(runs, 'cpuMsPerItem', inN8n);
			const maxRssBytes = summarise(runs, 'maxRssBytes', inN8n);
			results.throughput.push({ n, format, run: twoRuns(n) ? 'repeated' : 'single', variants: summarise(runs, 'itemsPerSecond'), cpuMsPerItem, maxRssBytes });
			if (twoRuns(n)) {
				const variants = summarise(runs, 'firstRunItemsPerSecond', inN8n);
				results.throughput.push({ n, format, run: 'first', variants, cpuMsPerItem: summarise(runs, 'firstRunCpuMsPerItem', inN8n) });
			}
		}
		if (itemsOfA.json && itemsOfA.xml) problem(checks.checkXmlEqualsJson(`a N=${n}`, itemsOfA.json, itemsOfA.xml));
	}
}

/**
 * One throughput run of variant `v`: for a, b and b′ one execution (running the chain twice where
 * the workflow has a first-run copy), for c the bench's own loop. Returns its figures (CPU and first
 * run: null for c) and its items, or null when the run went wrong (the problem is recorded).
 */
async function runStatus(ctx, v, n, format) {
	const label = `${v.replace('bq', "b'")} ${format} N=${n}`;
	const kind = format === 'xml' && v !== 'a' ? 'xml' : 'decoded';
	let r;
	if (v === 'c') r = await cases.inBench(ctx.sandbox, 'GET /bulk-status', () => cases.rawStatusLoop(ctx.sandbox, n, format));
	else {
		const exec = await execute(ctx, `${v} ${format} ${n}`, label);
		if (!exec) return null;
		const names = wf.measuredNodes(v, format);
		r = { ...measure(exec, names), requests: exec.requests('GET /bulk-status'), maxRssBytes: exec.probe?.maxRssBytes };
		if (twoRuns(n)) r.first = measure(exec, names.map((name) => wf.FIRST_RUN + name));
	}
	const p =
		checks.checkStatusItems(label, r.items, n, { kind }).problem ||
		(r.first && (checks.checkStatusItems(`${label} first run`, r.first.items, n, { kind }).problem || checks.checkRunsInOrder(label, r.first, r))) ||
		checks.checkCount(label, 'Get Status requests reached the sandbox', r.requests, r.first ? 2 * n : n);
	if (p) {
		problem(p);
		return null;
	}
	const text = ({ ms, cpuMs }) => `${(n / (ms / 1000)).toFixed(0)} items/s (${Math.round(ms)} ms${cpuMs ? `, ${cpuMs.toFixed(0)} ms CPU` : ''}`;
	console.log(`  ${label.padEnd(16)} ${text(r)}${r.first ? `; first run ${text(r.first)})` : ''}${r.maxRssBytes ? `, peak RSS ${(r.maxRssBytes / 2 ** 20).toFixed(0)} MiB` : ''})`);
	// CPU per item: the n8n process's CPU time over the measured nodes' run, per item (ms).
	const perItem = (x) => (x?.cpuMs ? x.cpuMs / n : null);
	const figures = { itemsPerSecond: n / (r.ms / 1000), cpuMsPerItem: perItem(r), maxRssBytes: r.maxRssBytes ?? null };
	return { items: r.items, figures: { ...figures, firstRunItemsPerSecond: r.first ? n / (r.first.ms / 1000) : null, firstRunCpuMsPerItem: perItem(r.first) } };
}

// --help: the flags as README.md lists them (its first code block), so the two cannot drift apart.
if (args.help) console.log(/```sh\n([\s\S]*?)```/.exec(fs.readFileSync(path.join(__dirname, 'README.md'), 'utf8'))[1].trimEnd());
else main();
