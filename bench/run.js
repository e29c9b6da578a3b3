'use strict';

/**
 * `npm run bench`: performance of the MailPartner node as ratios against baselines measured in the
 * same run (never wall-clock thresholds). See bench/README.md. Exits 0 when every case ran and
 * every result check passed; non-zero when something broke (wrong items, wrong request count…).
 * Flags: --quick (fewer rounds, for a smoke run), --out FILE (JSON results; default under os.tmpdir()).
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { loadHarness, root } = require('./lib/load');
const { startSandbox } = require('./lib/sandbox');
const { formatCase } = require('./lib/report');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 && args[outIndex + 1] ? path.resolve(args[outIndex + 1]) : path.join(os.tmpdir(), 'n8n-nodes-mailpartner-bench', 'latest.json');

const SUBACCOUNTS = 200;
const LATENCY_MS = 25;
const scale = (n) => (quick ? Math.max(3, Math.ceil(n / 4)) : n);

// A hung request must not hang the run: fail after 5 minutes whatever happens.
const watchdog = setTimeout(() => {
	console.error('bench: still running after 5 minutes, giving up');
	process.exit(2);
}, 5 * 60 * 1000);
watchdog.unref();

async function main() {
	const started = Date.now();
	const axios = require(require.resolve('axios', { paths: [root] }));
	const harness = await loadHarness();
	let sandbox;
	const results = {};
	try {
		const { runNode, decodeAnswer, listPageShape, toPositionalXml } = harness.modules;
		sandbox = await startSandbox({ subaccounts: SUBACCOUNTS });
		const shared = { runNode, axios, sandbox, subaccounts: SUBACCOUNTS };
		console.log(`MailPartner node benchmark: Node ${process.version}, ${os.cpus().length} CPUs, sandbox ${sandbox.baseUrl}${quick ? ' (quick)' : ''}\n`);

		const cases = [
			['pagination', () => require('./cases/pagination').run({ ...shared, latencyMs: LATENCY_MS, warmup: 2, rounds: scale(15) })],
			['formats', () => require('./cases/formats').run({ ...shared, warmup: 3, rounds: scale(31) })],
			['decoder', () => require('./cases/decoder').run({ decodeAnswer, listPageShape, toPositionalXml, batches: scale(25), warmupBatches: 3, targetMs: 15 })],
			['overhead', () => require('./cases/overhead').run({ ...shared, warmup: 10, rounds: scale(61) })],
		];
		for (const [index, [name, runCase]] of cases.entries()) {
			const caseStarted = Date.now();
			results[name] = await runCase();
			results[name].seconds = (Date.now() - caseStarted) / 1000;
			console.log(`${formatCase(index + 1, results[name])}\n`);
		}
	} finally {
		if (sandbox) await sandbox.close();
		harness.cleanup();
	}

	const summary = {
		finishedAt: new Date().toISOString(),
		seconds: (Date.now() - started) / 1000,
		node: process.version,
		cpus: os.cpus().length,
		quick,
		config: { subaccounts: SUBACCOUNTS, latencyMs: LATENCY_MS },
		ratios: Object.fromEntries(Object.values(results).flatMap((result) => result.ratios.map((ratio) => [ratio.name, Number(ratio.value.toFixed(4))]))),
		cases: results,
	};
	fs.mkdirSync(path.dirname(outFile), { recursive: true });
	fs.writeFileSync(outFile, `${JSON.stringify(summary, null, 2)}\n`);
	console.log(`ran in ${summary.seconds.toFixed(1)} s; results written to ${outFile}`);
}

main().then(
	() => {
		// Everything was closed: the process should end on its own. If a handle is left, say which.
		const check = setTimeout(() => {
			console.error(`bench: handles still open after cleanup: ${process.getActiveResourcesInfo().join(', ')}`);
			process.exit(1);
		}, 3000);
		check.unref();
	},
	(error) => {
		console.error(`bench failed: ${error && error.stack ? error.stack : error}`);
		process.exitCode = 1;
		// Give closing sockets a moment, then leave even if something still holds the loop.
		setTimeout(() => process.exit(1), 1000).unref();
	},
);
