/**
 * Captures what the process prints while the hostile suite runs, so that a leak check can read it.
 * JavaScript on purpose: n8n's lint applies its cloud rules (no `process`, no `console`) to every
 * TypeScript file, and this file needs both.
 *
 * It must be required before n8n-core: n8n's logger binds `console.log` & co. when it is created,
 * so the capture has to be in place first to see the errors n8n prints.
 */

// harness/quiet-logger.js makes n8n's logger silent in the other suites; here what it prints is captured
// and searched for leaks, so it keeps n8n's default level (or the one asked for).
process.env.N8N_LOG_LEVEL ??= process.env.LOG_LEVEL || 'info';

/** @type {string[]} */
let captured = [];
/** @type {Array<{ kind: string, error: unknown }>} */
const uncaught = [];

const originalStdoutWrite = process.stdout.write.bind(process.stdout);
const originalStderrWrite = process.stderr.write.bind(process.stderr);

/** @param {unknown[]} args */
function record(args) {
	captured.push(
		args
			.map((arg) => {
				if (typeof arg === 'string') return arg;
				if (arg instanceof Error) return `${arg.name}: ${arg.message}\n${arg.stack ?? ''}`;
				try {
					return JSON.stringify(arg);
				} catch {
					return String(arg);
				}
			})
			.join(' '),
	);
}

// Recorded, not printed: 5 000 error items would otherwise flood the test output.
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
	console[method] = (...args) => record(args);
}
/** @param {NodeJS.WriteStream} stream @param {(chunk: any, ...rest: any[]) => boolean} original */
function captureWrites(stream, original) {
	stream.write = (chunk, ...rest) => {
		record([typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')]);
		// Jest's own reporter writes through here too: let it through.
		return original(chunk, ...rest);
	};
}
captureWrites(process.stdout, originalStdoutWrite);
captureWrites(process.stderr, originalStderrWrite);
// n8n's logger (winston) writes to `console._stdout` / `console._stderr` when they exist, as they
// do on jest's console: recorded, and not passed on to jest's buffer.
for (const name of ['_stdout', '_stderr']) {
	const stream = /** @type {any} */ (console)[name];
	if (stream && typeof stream.write === 'function' && stream !== process.stdout && stream !== process.stderr) {
		stream.write = (/** @type {any} */ chunk) => {
			record([typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')]);
			return true;
		};
	}
}

process.on('uncaughtException', (error) => uncaught.push({ kind: 'uncaughtException', error }));
process.on('unhandledRejection', (error) => uncaught.push({ kind: 'unhandledRejection', error }));

module.exports = {
	/** Everything printed since the last call, and starts afresh. */
	takeOutput() {
		const text = captured.join('\n');
		captured = [];
		return text;
	},
	/** Uncaught exceptions and unhandled rejections since the last call. */
	takeUncaught() {
		return uncaught.splice(0, uncaught.length);
	},
	/** Resolves after the events already queued (a closing socket's last writes) have run. */
	nextTurn() {
		return new Promise((resolve) => setImmediate(resolve));
	},
	/** One line on the real stdout, past the capture (jest buffers `console`). */
	printLine(line) {
		originalStdoutWrite(`${line}\n`);
	},
};
