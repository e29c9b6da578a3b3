import {
	NodeApiError,
	type IDataObject,
	type IDisplayOptions,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type INodeProperties,
	type INodeTypeDescription,
	type JsonObject,
	type PostReceiveAction,
} from 'n8n-workflow';

import { decodeAnswer } from './decode';
import { describeMailPartnerError, operationLabels, type OperationKey } from './errors';
import type { Shape } from './shape';

/**
 * The one place where requests are set up and answers are read: defaults, error mapping and
 * JSON/XML decoding for every operation.
 */

export const credentialType = 'mailPartnerApi';

const defaultBaseUrl = 'https://api.mailpartner.fr/v1';

export const requestDefaults: INodeTypeDescription['requestDefaults'] = {
	baseURL: `={{ ($credentials.baseUrl || "${defaultBaseUrl}").trim().replace(/\\/+$/, "") }}`,
	// Every body arrives as text, so that one decoder reads JSON, positional XML, and whatever
	// else a proxy or an outage sends, instead of n8n guessing from the content.
	encoding: 'text',
	// MailPartner puts its error code in 4xx/5xx bodies too (JSON or XML): let them reach the
	// decoder rather than n8n's generic HTTP error.
	ignoreHttpStatusErrors: true,
};

/** The `options` collection every operation has; `_format` goes where that call takes its inputs. */
export function optionsCollection(
	show: NonNullable<IDisplayOptions['show']>,
	sendIn: 'query' | 'body',
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Response Format',
				name: 'responseFormat',
				type: 'options',
				options: [
					{ name: 'JSON', value: 'json' },
					{ name: 'XML', value: 'xml' },
				],
				default: 'json',
				description:
					'The format MailPartner answers in. The output is the same either way; leave JSON unless your setup needs XML.',
				routing: { send: { type: sendIn, property: '_format' } },
			},
		],
	};
}

function bodyText(body: IN8nHttpFullResponse['body']): string {
	// `encoding: 'text'` makes this a string; anything else is kept readable for the decoder.
	if (typeof body === 'string') return body;
	return body === undefined || body === null ? '' : JSON.stringify(body);
}

/** Every form the key can take once a server or a proxy echoes it back. */
function keyForms(apiKey: string): string[] {
	const urlEncoded = encodeURIComponent(apiKey);
	const forms = [
		apiKey,
		urlEncoded,
		// axios writes these characters back unencoded in query strings.
		urlEncoded.replace(/%3A/gi, ':').replace(/%24/g, '$').replace(/%2C/gi, ',').replace(/%20/g, '+'),
		JSON.stringify(apiKey).slice(1, -1),
		JSON.stringify(apiKey).slice(1, -1).replace(/\//g, '\\/'),
		apiKey.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
	];
	return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/**
 * Removes the API key from a text that came from the wire, before anything is read from it: an
 * answer that echoes the key (an error page quoting the URL, say) never puts it in an item, an
 * error message or its description.
 */
async function redactor(context: IExecuteSingleFunctions): Promise<(text: string) => string> {
	const credentials = await context.getCredentials<{ apiKey?: string }>(credentialType);
	const apiKey = String(credentials.apiKey ?? '').trim();
	if (apiKey === '') return (value) => value;
	const forms = keyForms(apiKey);
	return (value) => forms.reduce((text, form) => text.split(form).join('[API key]'), value);
}

/**
 * Reads one answer: returns its payload (the answer without `success` and `code`), or throws a
 * NodeApiError that names the MailPartner code, whatever the HTTP status and the format.
 */
async function readAnswer(
	this: IExecuteSingleFunctions,
	operation: OperationKey,
	payloadShape: Shape,
	response: IN8nHttpFullResponse,
): Promise<IDataObject> {
	const httpCode = String(response.statusCode);
	const redact = await redactor(this);
	const answer = decodeAnswer(redact(bodyText(response.body)), payloadShape);
	if (answer.kind === 'success' && response.statusCode < 400) return answer.payload;

	const fail = (message: string, description: string, errorResponse: JsonObject) =>
		new NodeApiError(this.getNode(), errorResponse, {
			message,
			description,
			httpCode,
			itemIndex: this.getItemIndex(),
		});

	if (answer.kind === 'failure') {
		const { message, hint } = describeMailPartnerError(operation, answer.code, answer.message);
		const details = answer.details.length > 0 ? ` Details: ${answer.details.join('; ')}.` : '';
		throw fail(message, `${hint}${details}`, { code: answer.code ?? null, httpCode });
	}
	if (answer.kind === 'unreadable') {
		const askedForXml = this.getNodeParameter('options.responseFormat', 'json') === 'xml';
		const advice =
			answer.unusableXml && askedForXml
				? `The node used none of its values. If this persists, set Options → Response Format to JSON for ${operationLabels[operation]}.`
				: 'MailPartner may be unavailable, or the Base URL of the credential may not point at the MailPartner API.';
		throw fail(
			`${answer.reason} (HTTP ${httpCode})`,
			`${advice} Start of the answer: ${answer.excerpt || '(empty)'}`,
			{ httpCode },
		);
	}
	throw fail(
		`MailPartner answered HTTP ${httpCode} with a success body`,
		'The answer was not used. Try again later.',
		{ httpCode },
	);
}

/** The postReceive of an operation that outputs one item: its decoded payload. */
export function outputPayload(operation: OperationKey, payloadShape: Shape): PostReceiveAction {
	return async function (
		this: IExecuteSingleFunctions,
		_items: INodeExecutionData[],
		response: IN8nHttpFullResponse,
	): Promise<INodeExecutionData[]> {
		const payload = await readAnswer.call(this, operation, payloadShape, response);
		return [{ json: payload, pairedItem: { item: this.getItemIndex() } }];
	};
}
