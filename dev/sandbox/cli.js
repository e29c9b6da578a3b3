#!/usr/bin/env node
'use strict';

const util = require('node:util');
const { createSandbox, seeds } = require('./server');
const { setBalance, mainKey } = require('./accounts');

/** `npm run sandbox -- [flags]`: a local MailPartner for n8n, the e2e run and the benchmarks. */

/**
 * Every flag: its value's name (null for a switch), its help line, and for a fault its part of the
 * fault set (flags apply in this order, after --faults). The other faults (redirects, stalls, huge or
 * deep bodies, canned answers…) go in --faults as JSON.
 */
const FLAGS = {
	port: ['N', 'port (env MAILPARTNER_SANDBOX_PORT, default 8787; 0 = any free port)'],
	host: ['H', 'host to bind (default 127.0.0.1)'],
	state: ['pages|demo', 'seed state (default demo)'],
	balance: ['EUR', "the main account's balance at start and after a reset"],
	latency: ['MS', 'delay every answer', (v) => ({ latencyMs: Number(v) })],
	'error-rate': ['0..1', 'share of calls answered 500 (seeded, repeatable)', (v) => ({ errorRate: Number(v) })],
	seed: ['N', 'seed for --error-rate (default 1)', (v) => ({ seed: Number(v) })],
	status: ['CODE', 'answer every call with this HTTP status', (v) => ({ httpStatus: Number(v) })],
	'html-error': [null, 'answer every call with an HTML 502 page', () => ({ htmlErrorPage: true })],
	truncate: [null, 'cut every body in half', () => ({ truncateBody: true })],
	malformed: [null, 'answer every call 200 with broken JSON', () => ({ malformedBody: true })],
	drop: [null, 'close every connection without answering', () => ({ dropConnection: true })],
	'rate-limit': ['N[/MS]', 'enforce N requests per sliding window of MS (default 60000), 429 beyond', (v) => {
		const [requests, windowMs = 60000] = v.split('/').map(Number);
		return { rateLimit: { requests, windowMs } };
	}],
	faults: ['JSON', 'any fault set as JSON (dev/sandbox/README.md, "Faults"); the flags above add to it'],
	'no-log': [null, 'no request log'],
};

const flagLine = (name, arg, help) => `  ${`--${name}${arg ? ` ${arg}` : ''}`.padEnd(20)}  ${help}`;
const USAGE = [
	'Usage: node dev/sandbox/cli.js [options]      (npm run sandbox -- [options])',
	'       node dev/sandbox/cli.js set-balance EUR [--port N] [--host H] [--key KEY]',
	"  set-balance EUR       set the balance of a running sandbox's account (default: the main one, e.g.",
	"                        sandbox-demo-key) and exit; --port as the sandbox's (npm start's is 8710)",
	...Object.entries(FLAGS).map(([name, [arg, help]]) => flagLine(name, arg, help)),
].join('\n');
const optionsOf = (flags) => Object.fromEntries(Object.entries(flags).map(([name, [arg]]) => [name, { type: arg ? 'string' : 'boolean' }]));
const COMMON = { ...optionsOf({ port: FLAGS.port, host: FLAGS.host }), help: { type: 'boolean', short: 'h' } };

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

/** The fault set the flags ask for: --faults, then each fault flag given, in FLAGS' order. */
function faultsFrom(values) {
	let faults;
	try {
		faults = JSON.parse(values.faults ?? '{}');
	} catch {
		throw new Error('--faults needs a JSON object');
	}
	for (const [name, [, , build]] of Object.entries(FLAGS)) if (build && values[name] !== undefined) faults = { ...faults, ...build(values[name]) };
	return faults;
}

/** `set-balance EUR [--port N] [--host H] [--key KEY]`: the control for a sandbox already running. */
function parseSetBalance(argv, env) {
	// A negative amount would read as an unknown flag: say what is wrong with it instead.
	const negative = argv.find((arg) => /^-\d/.test(arg));
	if (negative !== undefined) euros(negative);
	const { values: v, positionals } = util.parseArgs({ args: argv, options: { ...COMMON, key: { type: 'string' } }, allowPositionals: true });
	if (v.help) return { help: true };
	if (positionals.length !== 1) throw new Error('set-balance needs a balance in euros, e.g. set-balance 15');
	return { command: 'set-balance', balance: euros(positionals[0]), port: parsePort(v.port ?? env.MAILPARTNER_SANDBOX_PORT ?? '8787'), host: v.host ?? '127.0.0.1', apiKey: v.key };
}

function parseArgs(argv, env) {
	if (argv[0] === 'set-balance') return parseSetBalance(argv.slice(1), env);
	const { values: v } = util.parseArgs({ args: argv, options: { ...optionsOf(FLAGS), ...COMMON } });
	if (v.help) return { help: true };
	const state = v.state ?? 'demo';
	if (!['pages', 'demo'].includes(state)) throw new Error('--state must be pages or demo');
	return {
		port: parsePort(v.port ?? env.MAILPARTNER_SANDBOX_PORT ?? '8787'),
		host: v.host ?? '127.0.0.1',
		state,
		log: !v['no-log'],
		faults: faultsFrom(v),
		balance: v.balance === undefined ? undefined : euros(v.balance),
	};
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
	const res = await fetch(`${origin}/__sandbox/balance`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ balance, apiKey }),
		signal: AbortSignal.timeout(5000),
	}).catch((error) => {
		throw new Error(`no sandbox answers on ${origin} (${error.cause?.code ?? error.cause?.message ?? error.message}): start one (npm run sandbox), or give its --port (npm start's is 8710)`);
	});
	const body = await res.json().catch(() => ({}));
	if (body.success !== true) throw new Error(`${origin} refused: ${body.message ?? `HTTP ${res.status}`}`);
	const { balance: set, currency, creditMail } = body.credits;
	return `balance set to ${set} ${currency} (${creditMail} e-mails) on ${origin}`;
}

/** Prints `message` and exits with `code`: 2 a usage error (a bad flag or fault value), 1 a failure. */
function exit(code, message) {
	process.stderr.write(`${message}\n`);
	process.exit(code);
}

async function main() {
	let opts;
	let sandbox;
	try {
		opts = parseArgs(process.argv.slice(2), process.env);
		if (!opts.help && !opts.command) sandbox = createSandbox(sandboxOptions(opts));
	} catch (error) {
		exit(2, `${error.message}\n${USAGE}`);
	}
	if (opts.help) return void process.stdout.write(`${USAGE}\n`);
	if (opts.command === 'set-balance') {
		const line = await setRemoteBalance(opts).catch((error) => exit(1, error.message));
		return void process.stdout.write(`${line}\n`);
	}
	const { baseUrl } = await sandbox.listen(opts.port, opts.host);
	process.stdout.write(`MailPartner sandbox listening on ${baseUrl}\n`);
	const stop = () => sandbox.close().then(() => process.exit(0));
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

if (require.main === module) main().catch((error) => exit(1, error.stack || error.message));

module.exports = { parseArgs, sandboxOptions, setRemoteBalance };
