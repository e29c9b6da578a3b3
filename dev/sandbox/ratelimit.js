'use strict';

/**
 * MailPartner's documented limit: 2000 requests per minute per IP, refused with code 429 (see
 * docs/mailpartner-api.md#limits). The sandbox enforces it per sandbox (all its clients are one IP).
 *
 * A sliding window over the last `requests` accepted timestamps, kept in a ring buffer: the oldest
 * accepted request is always at `head` once the ring is full, so each check is O(1). Benchmarks push
 * thousands of requests a second through this, so no per-request array filtering or allocation.
 * Refused requests do not take a slot: Retry-After then tells the truth (a client that waits that
 * long gets in), and a client hammering through its 429s does not lock itself out forever.
 */
function createSlidingWindow({ requests, windowMs }) {
	const ring = new Float64Array(requests);
	let size = 0;
	let head = 0;
	return {
		/**
		 * @param {number} nowMs
		 * @returns {{ok: true} | {ok: false, retryAfterSeconds: number}}
		 */
		take(nowMs) {
			if (size < requests) {
				ring[(head + size) % requests] = nowMs;
				size += 1;
				return { ok: true };
			}
			const oldest = ring[head];
			const freeAt = oldest + windowMs;
			if (nowMs < freeAt) {
				// Rounded up: a client that waits the whole seconds it is told always finds a free slot.
				return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((freeAt - nowMs) / 1000)) };
			}
			// The oldest request left the window: its slot becomes this one, and head moves to the next oldest.
			ring[head] = nowMs;
			head = (head + 1) % requests;
			return { ok: true };
		},
	};
}

module.exports = { createSlidingWindow };
