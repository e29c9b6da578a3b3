import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { decodeAnswer } from './decode';
import { describeMailPartnerError, readable, type ErrorTable } from './errors';
import { pacerFor, type Pacer } from './pacer';
import { redactValues, redactorFor, type Redact } from './redact';
import type { Shape } from './shape';

/**
 * The one MailPartner client: every request of the package goes through `call`. It owns what n8n
 * does not do for a node's requests: the key placed where MailPartner wants it, pacing under the
 * 2 000 requests a minute, a timeout on the whole exchange (body included), no redirects, a bound
 * on the answer's size, retries of reads only, and the key kept out of everything it returns.
 */

export const credentialType = 'mailPartnerApi';

const defaultBaseUrl = 'https://api.mailpartner.fr/v1';

/** One MailPartner call: where it goes, what its answer holds, what its codes mean. */
export interface Endpoint {
	method: 'GET' | 'POST';
	/** Below the base URL, e.g. `/bulk-status`. */
	path: string;
	/** The JSON shape of what follows `success` and `code` in the answer. */
	answer: Shape;
	/** The codes this call documents (the common ones are in errors.ts). */
	errors: ErrorTable;
	/**
	 * True for calls that spend the user's money (create, send, credit moves): they are never
	 * retried, since a lost answer does not mean the call did nothing.
	 */
	spendsMoney: boolean;
	/**
	 * True for calls that change MailPartner's state without spending (cancel, unsubscribe add
	 * and delete): retried on 429 only, which refuses a request before it is carried out; after a
	 * 5xx the change may have been made, and a retry would report it as already done.
	 */
	changesState?: boolean;
	/** How the operation is named in the editor, for messages that say where to act. */
	label: string;
}

export type ResponseFormat = 'json' | 'xml';

export interface ClientSettings {
	format: ResponseFormat;
	timeoutMs: number;
	/** 0 turns pacing off. */
	requestsPerMinute: number;
}

export interface MailPartnerCredentials {
	apiKey: string;
	baseUrl: string;
}

/** Just what the client needs of an execution context: the node (trigger) or a test's. */
export type ClientContext = Pick<IExecuteFunctions, 'getNode'> & {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequest'>;
	getExecutionCancelSignal?: () => AbortSignal | undefined;
};

/** Larger answers are refused: MailPartner's largest (a 500-recipient status) is ~100 kB. */
export const maxAnswerBytes = 10 * 1024 * 1024;
/** Reads answered 429 or 5xx are retried for at most this long in total. */
const retryBudgetMs = 30_000;
const maxAttempts = 5;
const firstBackoffMs = 500;
const maxMessageLength = 300;
const maxDescriptionLength = 1_200;

/** The credential as the user typed it: the key trimmed (a pasted key often ends in a newline). */
export function readCredentials(data: IDataObject): MailPartnerCredentials {
	const baseUrl = String(data.baseUrl ?? '').trim() || defaultBaseUrl;
	return { apiKey: String(data.apiKey ?? '').trim(), baseUrl: baseUrl.replace(/\/+$/, '') };
}

interface RawAnswer {
	status: number;
	headers: IDataObject;
	body: string;
}

export class MailPartnerClient {
	private readonly redact: Redact;

	private readonly pacer: Pacer | undefined;

	readonly node: INode;

	constructor(
		private readonly context: ClientContext,
		private readonly credentials: MailPartnerCredentials,
		readonly settings: ClientSettings,
	) {
		this.redact = redactorFor(credentials.apiKey);
		this.pacer = pacerFor(credentials.baseUrl, settings.requestsPerMinute);
		this.node = context.getNode();
	}

	/** Sends one call and returns its answer's payload, or throws a NodeApiError that says why. */
	async call(endpoint: Endpoint, params: IDataObject, itemIndex: number): Promise<IDataObject> {
		const started = Date.now();
		for (let attempt = 1; ; attempt++) {
			const answer = await this.exchange(endpoint, params, itemIndex);
			const waitMs = this.retryDelay(endpoint, answer, attempt, Date.now() - started);
			if (waitMs === undefined) return this.read(endpoint, answer, itemIndex);
			if (answer.status === 429) this.pacer?.pauseUntil(Date.now() + waitMs);
			await sleep(waitMs);
		}
	}

	/** How long to wait before trying a read again, or undefined to use this answer as it is. */
	private retryDelay(endpoint: Endpoint, answer: RawAnswer, attempt: number, elapsedMs: number): number | undefined {
		const retriable = answer.status === 429 || (answer.status >= 500 && !endpoint.changesState);
		if (endpoint.spendsMoney || !retriable || attempt >= maxAttempts) return undefined;
		const asked = retryAfterMs(answer.headers['retry-after']);
		const backoff = firstBackoffMs * 2 ** (attempt - 1);
		const waitMs = asked ?? backoff;
		return elapsedMs + waitMs <= retryBudgetMs ? waitMs : undefined;
	}

	/** One request and its whole answer, within the timeout and the size bound. */
	private async exchange(endpoint: Endpoint, params: IDataObject, itemIndex: number): Promise<RawAnswer> {
		const { apiKey, baseUrl } = this.credentials;
		// JSON is MailPartner's default format: `_format` is sent only to ask for XML.
		const inputs: IDataObject = { ...params, apiKey, ...(this.settings.format === 'xml' ? { _format: 'xml' } : {}) };
		const request: IHttpRequestOptions = {
			method: endpoint.method,
			url: `${baseUrl}${endpoint.path}`,
			...(endpoint.method === 'GET' ? { qs: inputs } : { body: inputs, json: true }),
			headers: { Accept: this.settings.format === 'xml' ? 'application/xml' : 'application/json' },
			// The body is read here, as a stream, so that its size and its duration are bounded.
			encoding: 'stream',
			returnFullResponse: true,
			// MailPartner puts its codes in 4xx/5xx bodies too: read them, whatever the status.
			ignoreHttpStatusErrors: true,
			// A redirect would carry the key to another host, or turn a POST into a GET.
			disableFollowRedirect: true,
			timeout: this.settings.timeoutMs,
		};

		await this.pacer?.slot();
		// A cancelled execution starts no further request; one under way ends within its timeout.
		if (this.context.getExecutionCancelSignal?.()?.aborted) {
			throw this.fail('The execution was cancelled', 'Nothing more was sent.', itemIndex);
		}
		// One timer for the whole exchange, body included, started once the pacer lets it go:
		// waiting for a slot under MailPartner's rate is not MailPartner being slow.
		const signal = AbortSignal.timeout(this.settings.timeoutMs);
		request.abortSignal = signal;
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.context.helpers.httpRequest(request)) as IN8nHttpFullResponse;
		} catch (error) {
			throw this.networkError(error, endpoint, itemIndex, signal);
		}
		const body = await readBounded(response.body, response.headers, signal);
		if ('stopped' in body) {
			if (body.stopped === 'tooLarge') {
				throw this.fail(
					`MailPartner’s answer is larger than ${maxAnswerBytes / 1024 / 1024} MB: it was not read`,
					'No MailPartner answer is this large: the Base URL of the credential may not point at the MailPartner API.',
					itemIndex,
					String(response.statusCode),
				);
			}
			throw this.networkError({ code: 'ECONNRESET' }, endpoint, itemIndex, signal);
		}
		return { status: response.statusCode, headers: response.headers as IDataObject, body: body.text };
	}

	private networkError(
		error: unknown,
		endpoint: Endpoint,
		itemIndex: number,
		timeout: AbortSignal,
	): NodeApiError {
		const host = hostOf(this.credentials.baseUrl);
		if (timeout.aborted) {
			return this.fail(
				`MailPartner did not answer within ${this.settings.timeoutMs / 1000} s (${host})`,
				`${endpoint.spendsMoney ? 'The call may still have been carried out: check in MailPartner before running it again. ' : ''}Raise Options → Timeout, or try again later.`,
				itemIndex,
			);
		}
		const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : '';
		const known: Record<string, string> = {
			ECONNREFUSED: `Could not connect to ${host}: the connection was refused`,
			ENOTFOUND: `Could not connect to ${host}: the host name was not found`,
			EAI_AGAIN: `Could not connect to ${host}: the host name could not be resolved`,
			ECONNRESET: `The connection to ${host} closed unexpectedly`,
			ETIMEDOUT: `The connection to ${host} timed out`,
			ECONNABORTED: `The connection to ${host} was aborted`,
		};
		// The network library's own words may quote the URL, so the key: only its code is kept.
		const message = known[code] ?? `The request to ${host} failed${code ? ` (${code})` : ''}`;
		return this.fail(
			message,
			`${endpoint.spendsMoney ? 'The call may have been carried out before the connection failed: check in MailPartner before running it again. ' : ''}Check the Base URL of the credential and the network between n8n and MailPartner.`,
			itemIndex,
		);
	}

	/** Turns a whole answer into the payload, or into the error the user sees. */
	private read(endpoint: Endpoint, answer: RawAnswer, itemIndex: number): IDataObject {
		const httpCode = String(answer.status);
		if (answer.status >= 300 && answer.status < 400) {
			const location = String(answer.headers.location ?? '');
			const target = location ? hostOf(location, this.credentials.baseUrl) : 'nowhere';
			throw this.fail(
				`MailPartner answered with a redirect (HTTP ${httpCode}) to ${target}: it was not followed`,
				`The node never follows redirects: they would send the API key to another address${endpoint.method === 'POST' ? ' or replay the request' : ''}. Nothing was sent there. Check the Base URL of the credential${location.startsWith('https:') && this.credentials.baseUrl.startsWith('http:') ? ' (MailPartner may want https://)' : ''}.`,
				itemIndex,
				httpCode,
			);
		}
		const decoded = decodeAnswer(this.redact(answer.body), endpoint.answer);
		if (decoded.kind === 'success' && answer.status < 400) {
			return redactValues(decoded.payload, this.redact);
		}
		if (decoded.kind === 'failure') {
			const { message, hint } = describeMailPartnerError(
				endpoint.errors,
				decoded.code,
				this.redact(decoded.message),
			);
			const details = decoded.details.length > 0 ? ` Details: ${this.redact(decoded.details.join('; '))}.` : '';
			// n8n's error panel shows `httpCode` as "Error code": there it is MailPartner's code, the
			// one its documentation lists; the HTTP status goes in the description.
			throw this.fail(
				message,
				`${hint}${details} (MailPartner answered with HTTP ${httpCode}.)`,
				itemIndex,
				decoded.code === undefined ? httpCode : String(decoded.code),
				decoded.code,
			);
		}
		if (decoded.kind === 'unreadable') {
			const advice =
				decoded.unusableXml && this.settings.format === 'xml'
					? `The node used none of its values. If this persists, set Options → Response Format to JSON for ${endpoint.label}.`
					: 'MailPartner may be unavailable, or the Base URL of the credential may not point at the MailPartner API.';
			throw this.fail(
				`${decoded.reason} (HTTP ${httpCode})`,
				`${advice} Start of the answer: ${decoded.excerpt || '(empty)'}`,
				itemIndex,
				httpCode,
			);
		}
		throw this.fail(
			`MailPartner answered HTTP ${httpCode} with a success body`,
			'The answer was not used. Try again later.',
			itemIndex,
			httpCode,
		);
	}

	private fail(
		message: string,
		description: string,
		itemIndex: number,
		httpCode?: string,
		mailPartnerCode?: number,
	): NodeApiError {
		const errorResponse: JsonObject = {
			message,
			...(mailPartnerCode !== undefined ? { code: mailPartnerCode } : {}),
			...(httpCode ? { httpCode } : {}),
		};
		return new NodeApiError(this.node, errorResponse, {
			message: readable(this.redact(message), maxMessageLength),
			description: readable(this.redact(description), maxDescriptionLength),
			...(httpCode ? { httpCode } : {}),
			itemIndex,
		});
	}
}

/** The host of a URL, for messages (never its path or query, which may hold the key). */
function hostOf(url: string, base?: string): string {
	try {
		return new URL(url, base).host || 'an address without a host';
	} catch {
		return 'an invalid address';
	}
}

/** `Retry-After` in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
function retryAfterMs(value: unknown): number | undefined {
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
async function readBounded(body: unknown, headers: object, signal: AbortSignal): Promise<Body> {
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
