#!/usr/bin/env node
'use strict';

const { createSandbox } = require('./server');
const { seeds, setBalance, mainKey } = require('./state');

/**
 * `npm run sandbox -- [flags]`: a local MailPartner for n8n, the e2e run and the benchmarks.
 * Flags are parsed by hand to keep the sandbox free of dependencies.
 */

const USAGE = `Usage: node sandbox/cli.js [options]          (npm run sandbox -- [options])
       node sandbox/cli.js set-balance EUR [--port N] [--host H] [--key KEY]
  set-balance EUR       set the balance of a running sandbox's account (default: the main one, e.g.
                        sandbox-demo-key) and exit; --port as the sandbox's (npm start's is 8710)
  --port N              port (env MAILPARTNER_SANDBOX_PORT, default 8787; 0 = any free port)
  --host H              host to bind (default 127.0.0.1)
  --state pages|demo    seed state (default demo)
  --balance EUR         the main account's balance at start and after a reset
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

/** A balance in euros from the command line: a number, at least 0. */
function euros(v) {
	const value = Number(v);
	if (v.trim() === '' || !Number.isFinite(value) || value < 0) throw new Error(`the balance must be a number of euros, at least 0; got ${v}`);
	return value;
}

function parsePort(raw) {
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${raw}`);
	return port;
}

/** `set-balance EUR [--port N] [--host H] [--key KEY]`: the control for a sandbox already running. */
function parseSetBalance(argv, env) {
	const opts = { command: 'set-balance', port: env.MAILPARTNER_SANDBOX_PORT ?? '8787', host: '127.0.0.1' };
	const valueFlags = { '--port': 'port', '--host': 'host', '--key': 'apiKey' };
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s);
		if (flag === '--help' || flag === '-h') return { help: true };
		if (valueFlags[flag]) {
			const value = inline ?? argv[++i];
			if (value === undefined) throw new Error(`${flag} needs a value`);
			opts[valueFlags[flag]] = value;
		} else if (/^-?[\d.]/.test(flag) && opts.balance === undefined) {
			opts.balance = euros(flag);
		} else {
			throw new Error(`unknown option ${argv[i]}`);
		}
	}
	if (opts.balance === undefined) throw new Error('set-balance needs a balance in euros, e.g. set-balance 15');
	return { ...opts, port: parsePort(opts.port) };
}

function parseArgs(argv, env) {
	if (argv[0] === 'set-balance') return parseSetBalance(argv.slice(1), env);
	const opts = { port: env.MAILPARTNER_SANDBOX_PORT ?? '8787', host: '127.0.0.1', state: 'demo', log: true, faults: {} };
	const valueFlags = {
		'--port': (v) => (opts.port = v),
		'--host': (v) => (opts.host = v),
		'--state': (v) => (opts.state = v),
		'--balance': (v) => (opts.balance = euros(v)),
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
	const port = parsePort(opts.port);
	if (!['pages', 'demo'].includes(opts.state)) throw new Error('--state must be pages or demo');
	return { ...opts, port };
}

/** `createSandbox` options from parsed flags (`port` and `host` go to `listen`). */
function sandboxOptions({ port, host, balance, ...options }) {
	if (balance === undefined) return options;
	// A seed function, so that a reset comes back to this balance too.
	const seed = seeds[options.state];
	return {
		...options,
		state: (nowMs) => {
			const state = seed(nowMs);
			setBalance(state.accounts[mainKey(state)], balance);
			return state;
		},
	};
}

/** Asks a running sandbox to set the balance; resolves the line to print, rejects with one that says why. */
async function setRemoteBalance({ host, port, balance, apiKey }) {
	const origin = `http://${host}:${port}`;
	let res;
	try {
		res = await fetch(`${origin}/__sandbox/balance`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ balance, ...(apiKey === undefined ? {} : { apiKey }) }),
			signal: AbortSignal.timeout(5000),
		});
	} catch (error) {
		throw new Error(`no sandbox answers on ${origin} (${error.cause?.code ?? error.cause?.message ?? error.message}): start one (npm run sandbox), or give its --port (npm start's is 8710)`);
	}
	const body = await res.json().catch(() => ({}));
	if (body.success !== true) throw new Error(`${origin} refused: ${body.message ?? `HTTP ${res.status}`}`);
	const { balance: set, currency, creditMail } = body.credits;
	return `balance set to ${set} ${currency} (${creditMail} e-mails) on ${origin}`;
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
	if (opts.command === 'set-balance') {
		try {
			process.stdout.write(`${await setRemoteBalance(opts)}\n`);
		} catch (error) {
			process.stderr.write(`${error.message}\n`);
			process.exit(1);
		}
		return;
	}
	let sandbox;
	try {
		sandbox = createSandbox(sandboxOptions(opts));
	} catch (error) {
		// A bad fault value is a usage error like a bad flag, not a crash.
		process.stderr.write(`${error.message}\n`);
		process.exit(2);
	}
	const { baseUrl } = await sandbox.listen(opts.port, opts.host);
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

module.exports = { parseArgs, sandboxOptions, setRemoteBalance };
