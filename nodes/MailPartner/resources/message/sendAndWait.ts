import {
	NodeOperationError,
	SEND_AND_WAIT_OPERATION,
	WAIT_INDEFINITELY,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import type { MailPartnerClient } from '../../lib/client';
import { asText } from '../../lib/inputs';
import type { Batch, Operation, Prepared } from '../../lib/operation';
import { answerRecordedPage, freeTextPage, mailBody, pageHeaders, questionPage, type MailButton } from './answerPage';
import { instantOfValue } from './schedule';
import { endpoint } from './send';
import { checkRecipients, invalidFor, recipientsOfList, type Recipient } from './sendRequest';

/**
 * Message → Send and Wait for Response: one mail through `POST /send`, holding the question and
 * links to n8n's signed resume URL of this node; then the execution waits. The link opens a page
 * (GET) that only shows the question; the answer is its button, a POST, so that a mail scanner
 * opening every link answers nothing. n8n checks the signature before the node's `webhook` runs
 * (a forged link gets n8n's refusal) and answers a link of a finished execution with its own
 * "no action required" page. Names and output follow n8n's own Send and Wait nodes.
 */



/**
 * The node's resume webhooks, as n8n's Send and Wait nodes declare them: the path is the node's
 * id, which is how n8n's waiting-webhook handler recognises a Send and Wait link (and checks its
 * signature instead of a token).
 */
export const sendAndWaitWebhooks: IWebhookDescription[] = (['GET', 'POST'] as const).map((httpMethod) => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
}));

/** What the editor shows on the node while its execution waits (an expression on its parameters). */
export const sendAndWaitTooltip = `={{ $parameter["operation"] === "${SEND_AND_WAIT_OPERATION}" ? "The execution goes on when the person answers the mail" : "" }}`;

const limitWaitTime: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description:
		'Whether to stop waiting after a while. When the time is up without an answer, the node outputs one item: { data: { answered: false, timedOut: true } }.',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					options: [
						{ name: 'After Time Interval', value: 'afterTimeInterval', description: 'Waits for a certain amount of time' },
						{ name: 'At Specified Time', value: 'atSpecifiedTime', description: 'Waits until the set date and time' },
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 1,
					description: 'The time to wait',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					options: [
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
					default: 'hours',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					default: '',
					description: 'Continue the execution at this date and time, in the workflow’s time zone',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
				},
			],
		},
	],
};

const fields: INodeProperties[] = [
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'ada@example.com',
		description:
			'Who answers: an address, or a few separated by commas. Each gets the same links; the first answer resumes the workflow.',
	},
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. Approval required',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 4 },
		description: 'The question, as text: it is shown in the mail and on the answer page (HTML is shown as typed)',
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'approval',
		options: [
			{ name: 'Approval', value: 'approval', description: 'The person approves (or declines) with a button' },
			{ name: 'Free Text', value: 'freeText', description: 'The person writes an answer on a small form' },
		],
	},
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'fixedCollection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{
						displayName: 'Type of Approval',
						name: 'approvalType',
						type: 'options',
						default: 'single',
						options: [
							{ name: 'Approve Only', value: 'single' },
							{ name: 'Approve and Decline', value: 'double' },
						],
					},
					{
						displayName: 'Approve Button Label',
						name: 'approveLabel',
						type: 'string',
						default: 'Approve',
					},
					{
						displayName: 'Decline Button Label',
						name: 'disapproveLabel',
						type: 'string',
						default: 'Decline',
						displayOptions: { show: { approvalType: ['double'] } },
					},
				],
			},
		],
		displayOptions: { show: { responseType: ['approval'] } },
	},
	{
		displayName: 'Sandbox',
		name: 'sandbox',
		type: 'boolean',
		default: false,
		description:
			'Whether to send in MailPartner’s test mode: nothing is sent and nothing is charged (the workflow still waits for an answer)',
	},
];

/** Its own entries of the node's Options collection (the node shows them for this operation only). */
const options: INodeProperties[] = [
	limitWaitTime,
	{
		displayName: 'Message Button Label',
		name: 'messageButtonLabel',
		type: 'string',
		default: 'Respond',
		description: 'The mail’s button that opens the answer form',
		displayOptions: { show: { '/responseType': ['freeText'] } },
	},
	{
		displayName: 'Response Form Button Label',
		name: 'responseFormButtonLabel',
		type: 'string',
		default: 'Submit',
		displayOptions: { show: { '/responseType': ['freeText'] } },
	},
];

interface SendAndWaitExecution {
	context: IExecuteFunctions;
	body: IDataObject;
	recipients: Recipient[];
	waitTill: Date;
}

/** The output when the wait ends without an answer (Limit Wait Time). */
export const noAnswer = { answered: false, timedOut: true };

const units: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** When the wait ends without an answer: n8n's WAIT_INDEFINITELY unless Limit Wait Time is set. */
function waitTillOf(context: IExecuteFunctions, now: number): Date {
	const limit = context.getNodeParameter('options.limitWaitTime.values', 0, {}) as IDataObject;
	if (Object.keys(limit).length === 0) return WAIT_INDEFINITELY;
	const invalid = (reason: string) =>
		new NodeOperationError(context.getNode(), `Limit Wait Time: ${reason}`, {
			description: 'Change Limit Wait Time in the node’s Options, or remove it. Nothing was sent.',
			itemIndex: 0,
		});
	if ((limit.limitType ?? 'afterTimeInterval') === 'afterTimeInterval') {
		const amount = Number(limit.resumeAmount ?? 1);
		const unit = units[String(limit.resumeUnit ?? 'hours')];
		if (!unit) throw invalid(`unknown unit "${String(limit.resumeUnit)}"`);
		if (!Number.isFinite(amount) || amount <= 0) throw invalid(`the amount must be more than 0, got ${String(limit.resumeAmount)}`);
		return new Date(now + amount * unit);
	}
	const at = instantOfValue(limit.maxDateAndTime, context.getTimezone());
	if (typeof at === 'string') throw invalid(`Max Date and Time: ${at}`);
	if (at <= now) throw invalid('Max Date and Time is not in the future');
	return new Date(at);
}

/** The mail's buttons: each opens the answer page of one choice (the choice is in the signed URL). */
function buttonsOf(context: IExecuteFunctions, responseType: string): MailButton[] {
	if (responseType === 'freeText') {
		const label = asText(context.getNodeParameter('options.messageButtonLabel', 0, 'Respond')) || 'Respond';
		return [{ label, url: context.getSignedResumeUrl(), primary: true }];
	}
	const approval = context.getNodeParameter('approvalOptions.values', 0, {}) as IDataObject;
	const approve = { label: asText(approval.approveLabel) || 'Approve', url: context.getSignedResumeUrl({ approved: 'true' }), primary: true };
	if (approval.approvalType !== 'double') return [approve];
	const decline = { label: asText(approval.disapproveLabel) || 'Decline', url: context.getSignedResumeUrl({ approved: 'false' }), primary: false };
	return [approve, decline];
}

/** Everything is read from the first item and checked before the one mail is sent. */
function start(context: IExecuteFunctions): SendAndWaitExecution {
	const invalid = invalidFor(context, 0);
	const recipients = recipientsOfList(context.getNodeParameter('to', 0, ''), invalid);
	checkRecipients(recipients, 'To', invalid);
	const subject = asText(context.getNodeParameter('subject', 0, ''));
	if (subject === '') throw invalid('Subject is empty', 'Fill in Subject.');
	const message = String(context.getNodeParameter('message', 0, '') ?? '').trim();
	if (message === '') throw invalid('Message is empty', 'Fill in Message: it is the question the person answers.');
	const responseType = context.getNodeParameter('responseType', 0, 'approval') as string;
	if (responseType !== 'approval' && responseType !== 'freeText') {
		throw invalid(`Response Type must be Approval or Free Text, got "${String(responseType).slice(0, 40)}"`, 'Change Response Type.');
	}
	const waitTill = waitTillOf(context, Date.now());
	const sandbox = context.getNodeParameter('sandbox', 0, false);
	const body: IDataObject = {
		subject,
		htmlContent: mailBody(message, buttonsOf(context, responseType)),
		sandbox: sandbox === true || sandbox === 'true' ? 1 : 0,
	};
	return { context, body, recipients, waitTill };
}

/** One mail per execution, whatever the number of items, as n8n's Send and Wait nodes do. */
function batch(_context: IExecuteFunctions, checked: Array<Prepared<undefined>>): Array<Batch<undefined>> {
	return checked.length === 0 ? [] : [{ itemIndexes: checked.map(({ itemIndex }) => itemIndex), inputs: undefined }];
}

async function run(client: MailPartnerClient, _inputs: undefined, itemIndex: number, execution: SendAndWaitExecution): Promise<IDataObject[]> {
	const { context, body, recipients, waitTill } = execution;
	const answer = await client.call(endpoint, { ...body, params: { to: recipients as unknown as IDataObject[] } }, itemIndex);
	// Only once the mail is accepted: a failed send stops the node (or is an error item) instead.
	await context.putExecutionToWait(waitTill);
	// When Limit Wait Time runs out, n8n resumes without running the node again: it passes on the
	// data the waiting node was given (its own Send and Wait nodes so output their input items,
	// unchanged). That data is replaced by an explicit "no answer" item; an answer replaces it in
	// turn with the answer. A new object: the previous node's output keeps its own items.
	context.getExecuteData().data = { main: [[{ json: { data: noAnswer }, pairedItem: { item: 0 } }]] };
	// Shown while the execution waits; n8n replaces it with the answer when it resumes.
	return [{ ...answer, recipients: recipients.map(({ email }) => email) }];
}

export const sendAndWait: Operation<undefined, SendAndWaitExecution> = {
	option: {
		name: 'Send and Wait for Response',
		value: SEND_AND_WAIT_OPERATION,
		action: 'Send an e-mail and wait for response',
		description: 'Send an e-mail with a question and wait for the answer (approval or text) before going on',
	},
	fields,
	options,
	endpoint,
	start,
	prepare: () => undefined,
	batch,
	run,
};

function reply(context: IWebhookFunctions, status: number, html: string): void {
	const response = context.getResponseObject();
	response.status(status);
	for (const [name, value] of Object.entries(pageHeaders)) response.setHeader(name, value);
	response.end(html);
}

/** A parameter for a page; a page still shows when an expression cannot be read outside the run. */
function pageText(context: IWebhookFunctions, name: string, fallback: string): string {
	try {
		return asText(context.getNodeParameter(name, fallback)) || fallback;
	} catch {
		return fallback;
	}
}

/**
 * The resume webhook, after n8n checked the link's signature. GET shows the page and never
 * resumes; POST (the page's button) resumes with `{ data: { approved } }` or `{ data: { text } }`.
 */
export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = this.getRequestObject();
	const responseType = this.getNodeParameter('responseType', 'approval') as string;
	const subject = pageText(this, 'subject', 'Your answer is requested');
	const message = pageText(this, 'message', '');
	const respondedAt = new Date().toISOString();

	if (responseType === 'freeText') {
		const buttonLabel = pageText(this, 'options.responseFormButtonLabel', 'Submit');
		if (request.method !== 'POST') {
			reply(this, 200, freeTextPage(subject, message, buttonLabel));
			return { noWebhookResponse: true };
		}
		const body = this.getBodyData();
		const text = typeof body.text === 'string' ? body.text.trim() : '';
		if (text === '') {
			reply(this, 400, freeTextPage(subject, message, buttonLabel, 'Please write an answer.'));
			return { noWebhookResponse: true };
		}
		reply(this, 200, answerRecordedPage);
		return { noWebhookResponse: true, workflowData: [[{ json: { data: { text, respondedAt } } }]] };
	}

	// The choice is part of the signed URL; the page confirms it with its button.
	const isApproval = (this.getQueryData() as IDataObject).approved === 'true';
	if (request.method !== 'POST') {
		const approval = this.getNodeParameter('approvalOptions.values', {}) as IDataObject;
		const label = isApproval ? asText(approval.approveLabel) || 'Approve' : asText(approval.disapproveLabel) || 'Decline';
		reply(this, 200, questionPage(subject, message, label));
		return { noWebhookResponse: true };
	}
	reply(this, 200, answerRecordedPage);
	return { noWebhookResponse: true, workflowData: [[{ json: { data: { approved: isApproval, respondedAt } } }]] };
}
