'use strict';

/**
 * MailPartner's documented limit, 2000 requests per minute per IP refused with code 429
 * (docs/mailpartner-api.md#limits), enforced per sandbox (all its clients are one IP).
 *
 * A sliding window over the last `requests` accepted timestamps in a ring buffer: once it is full,
 * the oldest is at `head`, so each check is O(1) with no allocation (benchmarks push thousands of
 * requests a second through it). Refused requests take no slot: Retry-After then tells the truth,
 * and a client hammering through its 429s does not lock itself out forever.
 */
function createSlidingWindow({ requests, windowMs }) {
	const ring = new Float64Array(requests);
	let size = 0;
	let head = 0;
	return {
		/** @returns {{ok: true} | {ok: false, retryAfterSeconds: number}} */
		take(nowMs) {
			if (size < requests) {
				ring[(head + size) % requests] = nowMs;
				size += 1;
				return { ok: true };
			}
			const freeAt = ring[head] + windowMs;
			// Rounded up: a client that waits the whole seconds it is told always finds a free slot.
			if (nowMs < freeAt) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - nowMs) / 1000)) };
			// The oldest request left the window: its slot becomes this one, and head moves to the next oldest.
			ring[head] = nowMs;
			head = (head + 1) % requests;
			return { ok: true };
		},
	};
}

module.exports = { createSlidingWindow };
