'use strict';

const { once } = require('node:events');
const { pipeline } = require('node:stream/promises');

/**
 * HTTP plumbing shared by the sandbox and the catcher: a bounded request body, answers written
 * with the body faults (truncated, dribbled, stalled), listen and close.
 */

/**
 * The request body as text: null past `maxBytes` (leaving the loop early destroys the request) or,
 * with `truncate`, its first `maxBytes` (the rest is read and dropped).
 */
async function readBody(req, maxBytes, truncate = false) {
	const chunks = [];
	let size = 0;
	for await (const chunk of req) {
		if (size + chunk.length > maxBytes && !truncate) return null;
		if (size < maxBytes) chunks.push(chunk.subarray(0, maxBytes - size));
		size += chunk.length;
	}
	return Buffer.concat(chunks).toString('utf8');
}

/**
 * Writes one answer `{status, type, text | body, headers?}`, `body` being `{length: number|null,
 * chunks: Iterable<Buffer>}` (length null: no Content-Length, chunked, maybe endless), with the body
 * faults: `truncate` sends the first half with a Content-Length saying so (an endless body is not
 * cut); `stall` the full Content-Length but only the first half (64 KiB of an endless body), then
 * nothing until the client gives up or the sandbox closes; `bytesPerSecond` dribbles it, ten slices
 * a second (a byte at a time below 10 B/s). `wait(ms)` is the sandbox's abortable timer.
 */
async function writeAnswer(res, { status, type, text, body, headers = {} }, { truncate, stall, bytesPerSecond } = {}, wait) {
	if (res.destroyed) return;
	const { length: fullLength, chunks } = body ?? { length: Buffer.byteLength(text), chunks: [Buffer.from(text, 'utf8')] };
	const length = truncate && fullLength !== null ? Math.floor(fullLength / 2) : fullLength;
	res.writeHead(status, { ...headers, 'Content-Type': type, ...(length !== null && { 'Content-Length': length }) });
	// A plain text answer in one write (benchmarks push thousands of answers a second through here).
	if (text !== undefined && !stall && !bytesPerSecond) return void res.end(chunks[0].subarray(0, length));
	const stopAt = stall ? (length === null ? 65536 : Math.floor(length / 2)) : (length ?? Infinity);
	const tickMs = !bytesPerSecond ? 0 : bytesPerSecond >= 10 ? 100 : 1000 / bytesPerSecond;
	const sliceMax = tickMs ? Math.max(1, Math.round((bytesPerSecond * tickMs) / 1000)) : 65536;
	async function* slices() {
		let sent = 0;
		for (const chunk of chunks) {
			for (let at = 0; at < chunk.length && sent < stopAt; at += sliceMax) {
				const slice = chunk.subarray(at, at + Math.min(sliceMax, stopAt - sent));
				sent += slice.length;
				yield slice;
				if (tickMs && sent < stopAt) await wait(tickMs);
			}
			if (sent >= stopAt) return;
		}
	}
	// pipeline waits for the client to take each slice; a stalled answer is left open on purpose: its socket ends when the client or close() ends it.
	await pipeline(slices, res, { end: !stall });
}

/** Listens on `host:port` (0: any free port). @returns `{port, baseUrl}`, the base URL ending in `/v1` */
async function listen(server, port = 0, host = '127.0.0.1') {
	server.listen(port, host);
	await once(server, 'listening');
	const bound = server.address().port;
	return { port: bound, baseUrl: `http://${host}:${bound}/v1` };
}

/** Stops listening and cuts every open connection, stalled answers included. */
async function close(server) {
	if (!server.listening) return;
	const closed = once(server, 'close');
	server.close();
	server.closeAllConnections();
	await closed;
}

module.exports = { readBody, writeAnswer, listen, close };
