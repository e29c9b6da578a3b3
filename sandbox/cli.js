#!/usr/bin/env node
'use strict';

const { createSandbox } = require('./server');

/**
 * `npm run sandbox -- [flags]`: a local MailPartner for n8n, the e2e run and the benchmarks.
 * Flags are parsed by hand to keep the sandbox free of dependencies.
 */

const USAGE = `Usage: node sandbox/cli.js [options]
  --port N              port (env MAILPARTNER_SANDBOX_PORT, default 8787; 0 = any free port)
  --host H              host to bind (default 127.0.0.1)
  --state pages|demo    seed state (default demo)
  --status-delay MS     time until sent mails leave Pending (default 5000)
  --error-status mapped|ok   HTTP status of MailPartner failures (default mapped)
  --list-xml-layout positional|published
  --latency MS          delay every answer
  --error-rate 0..1     share of calls answered 500 (seeded, repeatable)
  --seed N              seed for --error-rate (default 1)
  --status CODE         answer every call with this HTTP status
  --html-error          answer every call with an HTML 502 page
  --truncate            cut every body in half
  --malformed           answer every call 200 with broken JSON
  --drop                close every connection without answering
  --rate-limit N[/MS]   enforce N requests per sliding window of MS (default 60000), 429 beyond
  --too-many N[/S]      answer the next N calls 429 (with Retry-After: S when given)
  --redirect URL        answer every call with a redirect to URL (see --redirect-status, --redirect-keep-path)
  --redirect-status N   301, 302 (default), 303, 307 or 308
  --redirect-keep-path  redirect to URL's origin plus the call's own path and query string
  --stall-headers       read each call and never answer
  --stall-body          send the headers and half of each body, then nothing
  --slow-body BPS       dribble each body at BPS bytes per second
  --huge-body BYTES[/KIND]  answer a BYTES-long failure, KIND json (default), xml or endless (BYTES ignored)
  --deep-nesting DEPTH[/FORMAT]  answer a success nested DEPTH deep (json or xml; default: the call's format)
  --faults JSON         any fault set as JSON (e.g. an "answer"); the flags above add to it
  --no-log              no request log`;

function parseArgs(argv, env) {
	const opts = { port: env.MAILPARTNER_SANDBOX_PORT ?? '8787', host: '127.0.0.1', state: 'demo', log: true, faults: {} };
	const valueFlags = {
		'--port': (v) => (opts.port = v),
		'--host': (v) => (opts.host = v),
		'--state': (v) => (opts.state = v),
		'--status-delay': (v) => (opts.statusDelayMs = Number(v)),
		'--error-status': (v) => (opts.errorStatus = v),
		'--list-xml-layout': (v) => (opts.listXmlLayout = v),
		'--latency': (v) => (opts.faults.latencyMs = Number(v)),
		'--error-rate': (v) => (opts.faults.errorRate = Number(v)),
		'--seed': (v) => (opts.faults.seed = Number(v)),
		'--status': (v) => (opts.faults.httpStatus = Number(v)),
		'--too-many': (v) => {
			const [count, retryAfterSeconds] = v.split('/');
			opts.faults.tooManyRequests = { count: Number(count), ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds: Number(retryAfterSeconds) }) };
		},
		'--redirect': (v) => (opts.faults.redirect = { status: 302, ...opts.faults.redirect, to: v }),
		'--redirect-status': (v) => (opts.faults.redirect = { ...opts.faults.redirect, status: Number(v) }),
		'--slow-body': (v) => (opts.faults.slowBody = { bytesPerSecond: Number(v) }),
		'--huge-body': (v) => {
			const [bytes, kind = 'json'] = v.split('/');
			opts.faults.hugeBody = kind === 'endless' ? { kind } : { bytes: Number(bytes), kind };
		},
		'--deep-nesting': (v) => {
			const [depth, format] = v.split('/');
			opts.faults.deepNesting = { depth: Number(depth), ...(format ? { format } : {}) };
		},
		'--faults': (v) => {
			let parsed;
			try {
				parsed = JSON.parse(v);
			} catch {
				throw new Error('--faults needs a JSON object');
			}
			opts.faults = { ...opts.faults, ...parsed };
		},
		'--rate-limit': (v) => {
			const [requests, windowMs = '60000'] = v.split('/');
			opts.faults.rateLimit = { requests: Number(requests), windowMs: Number(windowMs) };
		},
	};
	const boolFlags = {
		'--html-error': () => (opts.faults.htmlErrorPage = true),
		'--truncate': () => (opts.faults.truncateBody = true),
		'--malformed': () => (opts.faults.malformedBody = true),
		'--drop': () => (opts.faults.dropConnection = true),
		'--stall-headers': () => (opts.faults.stallHeaders = true),
		'--stall-body': () => (opts.faults.stallBody = true),
		'--redirect-keep-path': () => (opts.faults.redirect = { status: 302, ...opts.faults.redirect, keepPath: true }),
		'--no-log': () => (opts.log = false),
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s);
		if (flag === '--help' || flag === '-h') return { help: true };
		if (valueFlags[flag]) {
			const value = inline ?? argv[++i];
			if (value === undefined) throw new Error(`${flag} needs a value`);
			valueFlags[flag](value);
		} else if (boolFlags[flag]) {
			boolFlags[flag]();
		} else {
			throw new Error(`unknown option ${argv[i]}`);
		}
	}
	const port = Number(opts.port);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${opts.port}`);
	if (!['pages', 'demo'].includes(opts.state)) throw new Error('--state must be pages or demo');
	return { ...opts, port };
}

async function main() {
	let opts;
	try {
		opts = parseArgs(process.argv.slice(2), process.env);
	} catch (error) {
		process.stderr.write(`${error.message}\n${USAGE}\n`);
		process.exit(2);
	}
	if (opts.help) {
		process.stdout.write(`${USAGE}\n`);
		return;
	}
	const { port, host, help, ...options } = opts;
	let sandbox;
	try {
		sandbox = createSandbox(options);
	} catch (error) {
		// A bad fault value is a usage error like a bad flag, not a crash.
		process.stderr.write(`${error.message}\n`);
		process.exit(2);
	}
	const { baseUrl } = await sandbox.listen(port, host);
	process.stdout.write(`MailPartner sandbox listening on ${baseUrl}\n`);

	let stopping = false;
	const stop = () => {
		if (stopping) return;
		stopping = true;
		sandbox.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack || error.message}\n`);
		process.exit(1);
	});
}

module.exports = { parseArgs };
