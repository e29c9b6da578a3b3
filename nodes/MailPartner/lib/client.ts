import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type ICredentialsDecrypted,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INode,
	type JsonObject,
} from 'n8n-workflow';

import { decodeAnswer, type Decoded } from './decode';
import { hostOf, maxAnswerBytes, networkFailure, readBounded, retryAfterMs, type Failed } from './network';
import { describeMailPartnerError, readable, type ErrorTable } from './errors';
import { pacerFor, type Pacer } from './pacer';
import { redactValues, redactorFor, type Redact } from './redact';
import type { Answer, ObjectShape } from './shape';

/**
 * The one MailPartner client: every request of the package goes through `call`. It owns what n8n
 * does not do for a node's requests: the key placed where MailPartner wants it, pacing under the
 * 2 000 requests a minute, a timeout on the whole exchange (body included), no redirects, a bound
 * on the answer's size, retries (of every call after a 429, of reads after a 5xx too), and the key
 * kept out of everything it returns.
 */

export const credentialType = 'mailPartnerApi';

const defaultBaseUrl = 'https://api.mailpartner.fr/v1';

/** One MailPartner call: where it goes, what its answer holds, what its codes mean. */
export interface Endpoint<S extends ObjectShape = ObjectShape> {
	method: 'GET' | 'POST';
	/** Below the base URL, e.g. `/bulk-status`. */
	path: string;
	/** The JSON shape of what follows `success` and `code` in the answer. */
	answer: S;
	/** The codes this call documents (the common ones are in errors.ts). */
	errors: ErrorTable;
	/**
	 * Set for calls that spend the user's money (create, send, credit moves): sent again only after
	 * HTTP 429, which refuses a request before it is carried out; never after a 5xx, a timeout or a
	 * lost answer, since those do not mean the call did nothing. Such a loss ends in an error that
	 * says the call may have happened and how to check (see `MailPartnerClient.failure`).
	 */
	spendsMoney: false | SpendsMoney;
	/**
	 * True for calls that change MailPartner's state without spending (cancel, unsubscribe add
	 * and delete): retried on 429 only, which refuses a request before it is carried out; after a
	 * 5xx the change may have been made, and a retry would report it as already done.
	 */
	changesState?: boolean;
}

/** What the user is told when a call that spends money may have happened without a readable answer. */
interface SpendsMoney {
	/** Says what may have happened, e.g. "The send may have gone out". */
	mayHaveHappened: string;
	/** Where to look before running it again, e.g. "Account → Get Credits: …". */
	howToCheck: string;
}

type ResponseFormat = 'json' | 'xml';

export interface ClientSettings {
	format: ResponseFormat;
	timeoutMs: number;
	/** 0 turns pacing off. */
	requestsPerMinute: number;
	/** The operation as the editor names it ("Message → Send"), for messages that say where to act. */
	operationLabel?: string;
}

interface MailPartnerCredentials {
	/** Only to redact it from what the user sees: the credential's `authenticate` puts it in requests. */
	apiKey: string;
	baseUrl: string;
	/** The credential as n8n decrypted it, once per execution, handed back to n8n with every request. */
	decrypted: ICredentialsDecrypted;
}

/**
 * The execution context the client runs in: the node's, the trigger's or the editor's list search.
 * n8n's request helper is called with it as `this`, as n8n's own nodes do (it reads the node and
 * the execution's cancel signal from there).
 */
type ClientContext = Pick<IExecuteFunctions, 'getNode' | 'getCredentials'> & {
	helpers: Pick<IExecuteFunctions['helpers'], 'httpRequestWithAuthentication'>;
	getExecutionCancelSignal?: () => AbortSignal | undefined;
};

/** Calls answered 429 (reads: or 5xx) are sent again for at most this long in total. */
const retryBudgetMs = 30_000;
const maxAttempts = 5;
const firstBackoffMs = 500;
const maxMessageLength = 300;
const maxDescriptionLength = 1_200;

/**
 * The credential, read (and so decrypted) once per execution: each request hands it back to n8n,
 * which applies the credential type's `authenticate` without loading it again. The key is kept
 * trimmed as `authenticate` sends it (a pasted key often ends in a newline), for redaction.
 */
export async function readCredentials(context: Pick<ClientContext, 'getNode' | 'getCredentials'>): Promise<MailPartnerCredentials> {
	const data = await context.getCredentials(credentialType);
	const baseUrl = String(data.baseUrl ?? '').trim() || defaultBaseUrl;
	const details = context.getNode().credentials?.[credentialType];
	return {
		apiKey: String(data.apiKey ?? '').trim(),
		baseUrl: baseUrl.replace(/\/+$/, ''),
		decrypted: { id: details?.id ?? '', name: details?.name ?? '', type: credentialType, data },
	};
}

interface RawAnswer {
	status: number;
	headers: IDataObject;
	body: string;
	/** The body decoded against the endpoint's shape, the key removed first: set by `decoded()`, once. */
	decoded?: Decoded;
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
	async call<S extends ObjectShape>(endpoint: Endpoint<S>, params: IDataObject, itemIndex: number): Promise<Answer<S>> {
		const started = Date.now();
		for (let attempt = 1; ; attempt++) {
			const answer = await this.exchange(endpoint, params, itemIndex);
			const waitMs = this.retryDelay(endpoint, answer, attempt, Date.now() - started);
			// The decoder held the answer to the endpoint's shape: it is what `Answer<S>` says.
			if (waitMs === undefined) return this.read(endpoint, answer, itemIndex) as Answer<S>;
			if (answer.status === 429) this.pacer?.pauseUntil(Date.now() + waitMs);
			await sleep(waitMs);
		}
	}

	/**
	 * How long to wait before sending a call again, or undefined to use this answer as it is.
	 *
	 * Every call is sent again after HTTP 429, which MailPartner gives before doing anything ("too
	 * many requests in one minute"): a send or a credit move refused so is carried out once, by the
	 * attempt that gets through. Only reads are sent again after a 5xx, after which a change may have
	 * been made. A timeout, a reset, a redirect or an unreadable answer is never tried again (it
	 * throws before this). All calls share one budget: at most `maxAttempts` requests within
	 * `retryBudgetMs`, waiting for `Retry-After`, else an exponential backoff.
	 */
	private retryDelay(endpoint: Endpoint, answer: RawAnswer, attempt: number, elapsedMs: number): number | undefined {
		// A 429 whose body says success is not MailPartner's refusal: `read` reports its outcome as
		// unknown, so a call that spends money is not sent again after it.
		const refused = answer.status === 429 && (!endpoint.spendsMoney || this.decoded(endpoint, answer).kind !== 'success');
		const retriable = refused || (answer.status >= 500 && !endpoint.spendsMoney && !endpoint.changesState);
		if (!retriable || attempt >= maxAttempts) return undefined;
		const asked = retryAfterMs(answer.headers['retry-after']);
		const backoff = firstBackoffMs * 2 ** (attempt - 1);
		const waitMs = asked ?? backoff;
		return elapsedMs + waitMs <= retryBudgetMs ? waitMs : undefined;
	}

	/** One request and its whole answer, within the timeout and the size bound. */
	private async exchange(endpoint: Endpoint, params: IDataObject, itemIndex: number): Promise<RawAnswer> {
		const { baseUrl, decrypted } = this.credentials;
		// JSON is MailPartner's default format: `_format` is sent only to ask for XML. The key is
		// added by the credential's `authenticate` (query string on GET, JSON body on POST).
		const inputs: IDataObject = { ...params, ...(this.settings.format === 'xml' ? { _format: 'xml' } : {}) };
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
			throw this.failure(endpoint, itemIndex, { message: 'The execution was cancelled', advice: 'Nothing more was sent.', outcome: 'notDone' });
		}
		// One timer for the whole exchange, body included, started once the pacer lets it go:
		// waiting for a slot under MailPartner's rate is not MailPartner being slow.
		const signal = AbortSignal.timeout(this.settings.timeoutMs);
		let response: IN8nHttpFullResponse;
		try {
			// n8n's helper gives the request the signal of `this.getExecutionCancelSignal()` (it
			// replaces the request's own): the context it runs with answers the execution's cancel
			// signal joined with this timer, so that either ends the whole exchange.
			const cancel = this.context.getExecutionCancelSignal?.();
			const timed = cancel ? AbortSignal.any([cancel, signal]) : signal;
			const context = Object.create(this.context, { getExecutionCancelSignal: { value: () => timed } }) as IExecuteFunctions;
			response = (await context.helpers.httpRequestWithAuthentication.call(context, credentialType, request, {
				credentialsDecrypted: decrypted,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			throw this.networkError(error, endpoint, itemIndex, signal);
		}
		const body = await readBounded(response.body, response.headers, signal);
		if ('stopped' in body) {
			if (body.stopped === 'tooLarge') {
				throw this.failure(endpoint, itemIndex, {
					message: `MailPartner’s answer is larger than ${maxAnswerBytes / 1024 / 1024} MB: it was not read`,
					advice: 'No MailPartner answer is this large: the Base URL of the credential may not point at the MailPartner API.',
					httpStatus: response.statusCode,
					outcome: 'unknown',
				});
			}
			throw this.networkError({ code: 'ECONNRESET' }, endpoint, itemIndex, signal);
		}
		return { status: response.statusCode, headers: response.headers as IDataObject, body: body.text };
	}

	private networkError(error: unknown, endpoint: Endpoint, itemIndex: number, timeout: AbortSignal): NodeApiError {
		const failed = networkFailure(error, hostOf(this.credentials.baseUrl), timeout.aborted, this.settings.timeoutMs);
		return this.failure(endpoint, itemIndex, failed);
	}

	/** The answer decoded once, whether the retry rule or `read` asks first. */
	private decoded(endpoint: Endpoint, answer: RawAnswer): Decoded {
		answer.decoded ??= decodeAnswer(this.redact(answer.body), endpoint.answer);
		return answer.decoded;
	}

	/** Turns a whole answer into the payload, or into the error the user sees. */
	private read(endpoint: Endpoint, answer: RawAnswer, itemIndex: number): IDataObject {
		const httpStatus = answer.status;
		if (httpStatus >= 300 && httpStatus < 400) {
			const location = String(answer.headers.location ?? '');
			const target = location ? hostOf(location, this.credentials.baseUrl) : 'nowhere';
			// A server may carry out a POST and then redirect to its result: the outcome is unknown.
			throw this.failure(endpoint, itemIndex, {
				message: `MailPartner answered with a redirect (HTTP ${httpStatus}) to ${target}: it was not followed`,
				advice: `The node never follows redirects: they would send the API key to another address${endpoint.method === 'POST' ? ' or replay the request' : ''}. Nothing was sent there. Check the Base URL of the credential${location.startsWith('https:') && this.credentials.baseUrl.startsWith('http:') ? ' (MailPartner may want https://)' : ''}.`,
				httpStatus,
				outcome: 'unknown',
			});
		}
		const decoded = this.decoded(endpoint, answer);
		if (decoded.kind === 'success' && httpStatus < 400) {
			return redactValues(decoded.payload, this.redact);
		}
		if (decoded.kind === 'failure' || (httpStatus === 429 && decoded.kind !== 'success')) {
			// A refusal with MailPartner's code, or HTTP 429 (MailPartner's "too many requests",
			// which it sends before doing anything): nothing was done.
			const code = decoded.kind === 'failure' ? decoded.code : 429;
			const { message, hint } = describeMailPartnerError(
				endpoint.errors,
				code,
				decoded.kind === 'failure' ? this.redact(decoded.message) : '',
			);
			const details =
				decoded.kind === 'failure' && decoded.details.length > 0 ? ` Details: ${this.redact(decoded.details.join('; '))}.` : '';
			throw this.failure(endpoint, itemIndex, {
				message,
				advice: `${hint}${details} (MailPartner answered with HTTP ${httpStatus}.)`,
				httpStatus,
				mailPartnerCode: code,
				outcome: 'notDone',
			});
		}
		if (decoded.kind === 'unreadable') {
			const advice =
				decoded.unusableXml && this.settings.format === 'xml'
					? `The node used none of its values. If this persists, set Options → Response Format to JSON${this.settings.operationLabel ? ` for ${this.settings.operationLabel}` : ''}.`
					: 'MailPartner may be unavailable, or the Base URL of the credential may not point at the MailPartner API.';
			throw this.failure(endpoint, itemIndex, {
				message: `${decoded.reason} (HTTP ${httpStatus})`,
				advice: `${advice} Start of the answer: ${decoded.excerpt || '(empty)'}`,
				httpStatus,
				outcome: 'unknown',
			});
		}
		throw this.failure(endpoint, itemIndex, {
			message: `MailPartner answered HTTP ${httpStatus} with a success body`,
			advice: 'The answer was not used: an error status does not say that the call worked.',
			httpStatus,
			outcome: 'unknown',
		});
	}

	/**
	 * The one place that decides what a failed call tells the user. A call that spends money and
	 * whose request may have reached MailPartner without a readable answer (`outcome: 'unknown'`)
	 * says that it may have happened, in the endpoint's own words, and how to check before running
	 * it again; it never says "try again later". A read says to try again later when that may help.
	 */
	private failure(endpoint: Endpoint, itemIndex: number, failed: Failed): NodeApiError {
		const money = endpoint.spendsMoney;
		if (money && failed.outcome === 'unknown') {
			return this.fail({
				...failed,
				message: `${money.mayHaveHappened}: ${failed.message.replace(/^The /, 'the ')}`,
				advice: `MailPartner may have carried it out before the answer was lost, and the node cannot tell. Before running it again, check ${money.howToCheck}. Running it again unchecked could do it, and charge for it, twice. ${failed.advice}`,
				itemIndex,
				mayHaveHappened: true,
			});
		}
		const retry = failed.outcome === 'unknown' && !endpoint.spendsMoney && !endpoint.changesState ? ' Or try again later.' : '';
		const notDone = money && failed.outcome === 'notDone' ? ' Nothing was done and nothing was charged.' : '';
		return this.fail({ ...failed, advice: `${failed.advice}${notDone}${retry}`, itemIndex });
	}

	private fail(failed: Failed & { itemIndex: number; mayHaveHappened?: true }): NodeApiError {
		const message = readable(this.redact(failed.message), maxMessageLength);
		// n8n's error panel shows `httpCode` as "Error code": there it is MailPartner's code, the
		// one its documentation lists; the HTTP status goes in the description. `errorResponse`
		// keeps both as facts for the error item (lib/operation.ts).
		const httpCode = failed.mailPartnerCode ?? failed.httpStatus;
		const errorResponse: JsonObject = {
			message,
			...(failed.mailPartnerCode !== undefined ? { code: failed.mailPartnerCode } : {}),
			...(failed.httpStatus !== undefined ? { httpStatus: failed.httpStatus } : {}),
			...(failed.mayHaveHappened ? { mayHaveHappened: true } : {}),
		};
		return new NodeApiError(this.node, errorResponse, {
			message,
			description: readable(this.redact(failed.advice), maxDescriptionLength),
			...(httpCode !== undefined ? { httpCode: String(httpCode) } : {}),
			itemIndex: failed.itemIndex,
		});
	}
}
