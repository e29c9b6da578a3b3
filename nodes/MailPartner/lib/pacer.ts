import { sleep } from 'n8n-workflow';

/**
 * Keeps requests under MailPartner's limit of 2 000 a minute per IP address (code 429).
 *
 * A sliding window: request n may start only once request n - limit started a full window ago.
 * Any 60-second span then holds at most `limit` starts, which satisfies a server that counts per
 * calendar minute as well as one that counts over the last 60 seconds. Start times are reserved in
 * call order, synchronously, so concurrent items never race for the same slot.
 *
 * The limit is per IP address, so one pacer serves every MailPartner node of this n8n process that
 * talks to the same base URL at the same rate (see `pacerFor`). Other processes (queue-mode
 * workers) and other tools on the same address are not seen: a 429 they cause makes the
 * call wait for Retry-After and go again (lib/client.ts), and pauses this pacer.
 */
export class Pacer {
	/** Start times of the last `limit` requests, oldest at `next`. */
	private readonly starts: Float64Array;

	private next = 0;

	private pausedUntil = 0;

	constructor(
		readonly limit: number,
		readonly windowMs = 60_000,
		private readonly now: () => number = Date.now,
	) {
		this.starts = new Float64Array(limit).fill(-Infinity);
	}

	/** Waits until a request may start, and counts it as started then. */
	async slot(): Promise<void> {
		const now = this.now();
		const at = Math.max(now, this.pausedUntil, this.starts[this.next] + this.windowMs);
		this.starts[this.next] = at;
		this.next = (this.next + 1) % this.limit;
		if (at > now) await sleep(at - now);
	}

	/** After a 429: nothing starts before `until` (the server's Retry-After). */
	pauseUntil(until: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, until);
	}
}

/** Requests per minute that turn the pacer off: for servers without MailPartner's limit. */
const unpaced = 0;
export const maxRequestsPerMinute = 100_000;

const pacers = new Map<string, Pacer>();

/** The process-wide pacer of one base URL and rate; undefined when pacing is off. */
export function pacerFor(baseUrl: string, requestsPerMinute: number): Pacer | undefined {
	if (requestsPerMinute === unpaced) return undefined;
	const key = `${requestsPerMinute} ${baseUrl}`;
	let pacer = pacers.get(key);
	if (!pacer) {
		pacer = new Pacer(requestsPerMinute);
		pacers.set(key, pacer);
	}
	return pacer;
}
