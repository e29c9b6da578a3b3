import type { IDataObject } from 'n8n-workflow';

/**
 * The wire, below the client: an answer's body read within bounds, what a failed connection
 * means, and the headers and addresses the client's messages quote.
 */

/** Larger answers are refused: MailPartner's largest (a 500-recipient status) is ~100 kB. */
export const maxAnswerBytes = 10 * 1024 * 1024;

/**
 * Why a call failed, before the client words it for the user. `outcome` says whether the call
 * may have been carried out: 'notDone' when MailPartner refused it or the request never reached
 * a server; 'unknown' when it may have reached MailPartner without a readable answer.
 */
export interface Failed {
	message: string;
	/** What the user can do, without "try again later" (the client adds it where it helps). */
	advice: string;
	outcome: 'notDone' | 'unknown';
	httpStatus?: number;
	mailPartnerCode?: number;
}

/** The host of a URL, for messages (never its path or query, which may hold the key). */
export function hostOf(url: string, base?: string): string {
	try {
		return new URL(url, base).host || 'an address without a host';
	} catch {
		return 'an invalid address';
	}
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: unknown): number | undefined {
	const text = typeof value === 'string' ? value.trim() : '';
	if (/^\d{1,6}$/.test(text)) return Number(text) * 1000;
	const date = text ? Date.parse(text) : NaN;
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

interface BodyStream extends AsyncIterable<Buffer | string> {
	destroy(error?: Error): void;
}

/** The body as text, or why it was not read to the end. */
type Body = { text: string } | { stopped: 'tooLarge' | 'aborted' };

/**
 * Reads the answer's body, stopping at `maxAnswerBytes` and when the timeout fires (a body that
 * stalls half-way ends too). The body arrives as a stream because of `encoding: 'stream'`.
 */
export async function readBounded(body: unknown, headers: object, signal: AbortSignal): Promise<Body> {
	if (typeof body === 'string') return { text: body };
	const stream = body as BodyStream | undefined;
	if (!stream || typeof (stream as Partial<BodyStream>)[Symbol.asyncIterator] !== 'function') return { text: '' };
	const declared = Number((headers as IDataObject)['content-length']);
	if (declared > maxAnswerBytes) {
		stream.destroy();
		return { stopped: 'tooLarge' };
	}
	// Ending the stream ends the loop below; `signal.aborted` then says why.
	const stop = () => stream.destroy();
	signal.addEventListener('abort', stop, { once: true });
	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of stream) {
			const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			size += bytes.length;
			if (size > maxAnswerBytes) {
				stream.destroy();
				return { stopped: 'tooLarge' };
			}
			chunks.push(bytes);
		}
	} catch {
		// A stream destroyed by the timeout, or a connection cut mid-body: say which below.
		return { stopped: 'aborted' };
	} finally {
		signal.removeEventListener('abort', stop);
	}
	if (signal.aborted) return { stopped: 'aborted' };
	return { text: Buffer.concat(chunks).toString('utf8') };
}

/**
 * What a request that got no answer means: n8n's SSRF protection, the Timeout, a connection that
 * never opened (nothing was done) or one cut short (the call may have happened).
 */
export function networkFailure(error: unknown, host: string, timedOut: boolean, timeoutMs: number): Failed {
	// n8n hands the network library's error on inside its own NodeApiError.
	const layers = [error, (error as { cause?: unknown })?.cause] as Array<{ code?: unknown; name?: unknown } | undefined>;
	const code = layers.map((layer) => layer?.code).find((value): value is string => typeof value === 'string') ?? '';
	// n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED, n8n 2.12 and later; n8n 3 blocks more
	// ranges) refuses the address before connecting. Its error classes are n8n's own, not
	// exported to a community package: they are known by name.
	const ssrf = layers.map((layer) => layer?.name).find((name) => name === 'SsrfBlockedIpError' || name === 'SsrfBlockedHostnameError');
	if (ssrf !== undefined) {
		return {
			message: `n8n's SSRF protection blocked the request to ${host}`,
			advice:
				ssrf === 'SsrfBlockedHostnameError'
					? 'n8n refuses this host name (N8N_SSRF_BLOCKED_HOSTNAMES). Nothing was sent. An n8n administrator can allow it in N8N_SSRF_ALLOWED_HOSTNAMES; for MailPartner itself, set the credential’s Base URL back to https://api.mailpartner.fr/v1.'
					: 'The credential’s Base URL points at an address n8n refuses (a private, loopback or reserved range). Nothing was sent. An n8n administrator can allow it in N8N_SSRF_ALLOWED_IP_RANGES (e.g. 127.0.0.1/32 for a local sandbox) or its host name in N8N_SSRF_ALLOWED_HOSTNAMES; for MailPartner itself, set the Base URL back to https://api.mailpartner.fr/v1.',
			outcome: 'notDone',
		};
	}
	// The request's own timeout (ECONNABORTED, "timeout of … ms exceeded") and the client's timer
	// are the same Timeout, whichever fires first.
	if (timedOut || code === 'ECONNABORTED') {
		return {
			message: `MailPartner did not answer within ${timeoutMs / 1000} s (${host})`,
			advice: 'Raise Options → Timeout if MailPartner is often this slow.',
			outcome: 'unknown',
		};
	}
	// These fail before a request reaches any server: nothing was done.
	const neverConnected: Record<string, string> = {
		ECONNREFUSED: `Could not connect to ${host}: the connection was refused`,
		ENOTFOUND: `Could not connect to ${host}: the host name was not found`,
		EAI_AGAIN: `Could not connect to ${host}: the host name could not be resolved`,
	};
	const cutShort: Record<string, string> = {
		ECONNRESET: `The connection to ${host} closed unexpectedly`,
		ETIMEDOUT: `The connection to ${host} timed out`,
		ECONNABORTED: `The connection to ${host} was aborted`,
	};
	// The network library's own words may quote the URL, so the key: only its code is kept.
	return {
		message: neverConnected[code] ?? cutShort[code] ?? `The request to ${host} failed${code ? ` (${code})` : ''}`,
		advice: 'Check the Base URL of the credential and the network between n8n and MailPartner.',
		outcome: neverConnected[code] ? 'notDone' : 'unknown',
	};
}
