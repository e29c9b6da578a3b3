'use strict';

/**
 * Answer bodies as pull sources, so huge and endless bodies are streamed from one small filler
 * buffer (bounded memory whatever the size asked), and one writer applies the body faults
 * (truncated, dribbled, stalled) to any answer alike.
 *
 * A source is `{ length: number | null, next(max) => Buffer | null }`: `length` null means no
 * Content-Length (chunked, possibly endless); `next` returns at most `max` bytes, null at the end.
 */

const FILLER_UNIT = 'Erreur interne du serveur. ';
// 64 KiB of filler, ASCII only so that byte counts and character counts agree.
const FILLER = Buffer.from(FILLER_UNIT.repeat(Math.ceil(65536 / FILLER_UNIT.length)).slice(0, 65536), 'ascii');

function bufferSource(buffer) {
	let offset = 0;
	return {
		length: buffer.length,
		next(max) {
			if (offset >= buffer.length) return null;
			const chunk = buffer.subarray(offset, Math.min(buffer.length, offset + max));
			offset += chunk.length;
			return chunk;
		},
	};
}

/**
 * `prefix`, then filler, then `suffix`, `total` bytes in all; with `total` null the filler never ends.
 * The filler is a slice of FILLER at each call: nothing grows with `total`.
 */
function fillerSource(prefix, suffix, total) {
	const head = Buffer.from(prefix, 'utf8');
	const tail = Buffer.from(suffix, 'utf8');
	if (total !== null && total < head.length + tail.length) throw new RangeError(`a body of ${total} bytes cannot hold its ${head.length + tail.length}-byte envelope`);
	const fillerEnd = total === null ? Infinity : total - tail.length;
	let offset = 0;
	return {
		length: total,
		next(max) {
			if (total !== null && offset >= total) return null;
			let chunk;
			if (offset < head.length) {
				chunk = head.subarray(offset, Math.min(head.length, offset + max));
			} else if (offset < fillerEnd) {
				const start = (offset - head.length) % FILLER.length;
				const size = Math.min(max, FILLER.length - start, fillerEnd - offset);
				chunk = FILLER.subarray(start, start + size);
			} else {
				const start = offset - fillerEnd;
				chunk = tail.subarray(start, Math.min(tail.length, start + max));
			}
			offset += chunk.length;
			return chunk;
		},
	};
}

/** Resolves when the response can take more, or when it is gone (then the caller sees `destroyed`). */
function drained(res) {
	return new Promise((resolve) => {
		const done = () => {
			res.off('drain', done);
			res.off('close', done);
			resolve();
		};
		res.on('drain', done);
		res.on('close', done);
	});
}

/**
 * Writes the head and the body of one answer.
 * @param {import('node:http').ServerResponse} res
 * @param {{status: number, headers: object, source: object}} answer
 * @param {{truncate?: boolean, stall?: boolean, bytesPerSecond?: number | null, wait: (ms: number) => Promise<void>}} how
 *   truncate: only the first half, with a Content-Length saying so (no effect on an endless body);
 *   stall: the full Content-Length but only the first half of the body (64 KiB of an endless one),
 *   then nothing until the client gives up or the sandbox closes; bytesPerSecond: dribbled out.
 */
async function writeAnswer(res, answer, how) {
	if (res.destroyed) return;
	const { source } = answer;
	let length = source.length;
	if (how.truncate && length !== null) length = Math.floor(length / 2);
	const stopAt = how.stall ? (length === null ? 65536 : Math.floor(length / 2)) : (length ?? Infinity);
	const headers = { ...answer.headers };
	if (length !== null) headers['Content-Length'] = length;
	res.writeHead(answer.status, headers);

	// Dribbling: ten slices a second, or one byte at a time below 10 B/s.
	const bps = how.bytesPerSecond ?? null;
	const tickMs = bps === null ? 0 : bps >= 10 ? 100 : 1000 / bps;
	const chunkMax = bps === null ? 65536 : Math.max(1, Math.round((bps * tickMs) / 1000));
	let sent = 0;
	while (sent < stopAt) {
		if (res.destroyed) return;
		const chunk = source.next(Math.min(chunkMax, stopAt - sent));
		if (!chunk) break;
		sent += chunk.length;
		const more = res.write(chunk);
		if (!more) await drained(res);
		if (tickMs > 0 && sent < stopAt) await how.wait(tickMs);
	}
	// A stalled answer is left open on purpose: its socket ends when the client or close() ends it.
	if (how.stall || res.destroyed) return;
	res.end();
}

module.exports = { bufferSource, fillerSource, writeAnswer, FILLER_UNIT };
