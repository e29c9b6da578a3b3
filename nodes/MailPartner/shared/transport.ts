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

export const defaultBaseUrl = 'https://api.mailpartner.fr/v1';

export const requestDefaults: INodeTypeDescription['requestDefaults'] = {
	baseURL: `={{ ($credentials.baseUrl || "${defaultBaseUrl}").replace(/\\/+$/, "") }}`,
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
					'The format MailPartner answers in. The output is the same either way: XML answers are read by position against the documented JSON layout.',
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

/** Removes the API key from any text that came from the wire before it reaches the user. */
async function redactor(context: IExecuteSingleFunctions): Promise<(text: string) => string> {
	const credentials = await context.getCredentials<{ apiKey?: string }>(credentialType);
	const apiKey = credentials.apiKey ?? '';
	return (value) => (apiKey.length > 0 ? value.split(apiKey).join('[API key]') : value);
}

/**
 * Reads one answer: returns its payload (the answer without `success` and `code`), or throws a
 * NodeApiError that names the MailPartner code, whatever the HTTP status and the format.
 */
export async function readAnswer(
	this: IExecuteSingleFunctions,
	operation: OperationKey,
	payloadShape: Shape,
	response: IN8nHttpFullResponse,
): Promise<IDataObject> {
	const httpCode = String(response.statusCode);
	const answer = decodeAnswer(bodyText(response.body), payloadShape);
	if (answer.kind === 'success' && response.statusCode < 400) return answer.payload;

	const redact = await redactor(this);
	const fail = (message: string, description: string, errorResponse: JsonObject) =>
		new NodeApiError(this.getNode(), errorResponse, {
			message: redact(message),
			description: redact(description),
			httpCode,
			itemIndex: this.getItemIndex(),
		});

	if (answer.kind === 'failure') {
		const { message, hint } = describeMailPartnerError(operation, answer.code, answer.message);
		throw fail(message, hint, { code: answer.code, httpCode });
	}
	if (answer.kind === 'unreadable') {
		const advice = answer.unusableXml
			? `None of its values were used, so nothing was mislabelled. If this persists, set Options → Response Format to JSON for ${operationLabels[operation]}.`
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
