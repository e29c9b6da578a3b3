import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeProperties,
} from 'n8n-workflow';

import type { Endpoint, MailPartnerClient } from '../../shared/client';
import { asText, emailAddress } from '../../shared/inputs';
import { optionsCollection, type Batch, type Operation, type Prepared } from '../../shared/operation';
import { itemParameter } from '../../shared/parameter';
import { number, object, text } from '../../shared/shape';
import { scheduleFor } from './schedule';

const showOnlyForSend = { resource: ['message'], operation: ['send'] };

const neverCharged = 'Nothing was sent and no credit was spent.';

/** `POST /send`. Its codes are the error-code page's "Envoi de Mail" table (docs/mailpartner-api.md#send). */
export const endpoint: Endpoint = {
	method: 'POST',
	path: '/send',
	answer: object({ messageId: text, nbMail: number, cost: number, currency: text, scheduledDeliveryDate: text }),
	errors: {
		2: { message: 'The mail’s content is required', hint: 'Fill in Subject and HTML Content.' },
		3: { message: 'API key is missing', hint: 'Check the API key in the MailPartner credential.' },
		4: { message: 'The sender e-mail is required', hint: 'Set the sender address of your MailPartner account (the API has no sender field).' },
		5: { message: 'The sender name cannot be empty', hint: 'Set the sender name of your MailPartner account (the API has no sender field).' },
		8: { message: 'An attachment has no content', hint: 'Check the binary properties named in Attachments.' },
		9: { message: 'This attachment’s file type is not allowed', hint: 'Send another file type, or leave the attachment out.' },
		11: { message: 'Not enough credit for this send', hint: 'Top up your MailPartner balance, or send to fewer recipients.' },
		14: {
			message: 'A recipient is on the unsubscribe list',
			hint: 'Remove the addresses that unsubscribed (see the unsubscribe list in MailPartner) and send again.',
		},
		15: { message: 'A recipient is already in the sending list', hint: 'Remove the repeated address.' },
		16: { message: 'An attachment has no name', hint: 'Give the binary data a file name.' },
		17: { message: 'Too many recipients', hint: 'Send to at most 500 recipients at a time.' },
		18: { message: 'A recipient’s e-mail is required', hint: 'Every recipient needs an e-mail address.' },
		19: { message: 'A recipient’s e-mail looks invalid', hint: 'Check the recipients’ addresses.' },
		21: { message: 'A recipient’s name cannot be empty', hint: 'Give a name, or leave it out entirely.' },
		22: { message: 'The recipient list is required', hint: 'Give at least one recipient.' },
		23: { message: 'The reply-to e-mail is required', hint: 'Fill in Reply-To Email, or remove the reply-to fields.' },
		24: { message: 'The reply-to e-mail looks invalid', hint: 'Check Reply-To Email.' },
		25: { message: 'The reply-to name cannot be empty', hint: 'Fill in Reply-To Name, or remove it.' },
		45: { message: 'The scheduled date is required', hint: 'Check Schedule At.' },
		46: { message: 'The scheduled hour is required', hint: 'Check Schedule At.' },
		47: { message: 'The scheduled minute is invalid', hint: 'Check Schedule At.' },
		48: { message: 'The scheduled minute must be a multiple of 5', hint: 'Check Schedule At.' },
		49: { message: 'The scheduled date is invalid', hint: 'Check Schedule At: a date in the future.' },
		50: { message: 'At most 500 recipients per send', hint: 'Send to at most 500 recipients at a time.' },
		55: { message: 'MailPartner found no price for this send', hint: 'Contact MailPartner support: the account has no default price.' },
		90: { message: 'MailPartner could not read the request (malformed JSON)', hint: 'Report this to the node’s maintainers.' },
		500: {
			message: 'MailPartner could not queue the mail',
			hint: 'MailPartner says the mail was not queued. Check your MailPartner account before sending again.',
		},
	},
	// Sending charges the account: never sent twice by the node (no retry, Retry On Fail refused).
	spendsMoney: {
		mayHaveHappened: 'The send may have gone out',
		howToCheck:
			'whether it did: Account → Get Credits shows whether the balance dropped by the send’s cost, and your MailPartner account lists the sends',
	},
	label: 'Message → Send',
};

export const sendShape = endpoint.answer;

export const maxRecipients = 500;
export const maxVariables = 8;
export const maxAttachments = 3;
/** "5MB per attachment": the file's size, read as 5 000 000 bytes (the smaller reading). */
export const maxAttachmentBytes = 5_000_000;

const sendFields: INodeProperties[] = [
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: showOnlyForSend },
	},
	{
		displayName: 'HTML Content',
		name: 'htmlContent',
		type: 'string',
		required: true,
		typeOptions: { rows: 5 },
		default: '',
		placeholder: '<p>Hello #FIRSTNAME#</p><p>#UNSUBSCRIBE_LINK#</p>',
		description: 'The body of the mail, in HTML',
		hint: 'MailPartner replaces #READ_ONLINE# with a link to view the mail online, #UNSUBSCRIBE_LINK# with the unsubscribe link, and #NAME# with the variable "name" (Additional Fields → Variables; the name in upper case between #).',
		displayOptions: { show: showOnlyForSend },
	},
	{
		displayName: 'Recipients',
		name: 'recipientsFrom',
		type: 'options',
		noDataExpression: true,
		default: 'list',
		options: [
			{
				name: 'A List in Each Item',
				value: 'list',
				description: 'One send per input item, to the addresses in its To field (at most 500)',
			},
			{
				name: 'One Recipient per Item',
				value: 'items',
				description: 'Every input item gives one recipient; they go out together in sends of at most 500',
			},
		],
		displayOptions: { show: showOnlyForSend },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'ada@example.com, Grace Hopper <grace@example.com>',
		description:
			'Addresses separated by commas, semicolons or new lines, each "address" or "Name &lt;address&gt;"; or an expression giving a list of addresses or of {email, name} objects. At most 500.',
		displayOptions: { show: { ...showOnlyForSend, recipientsFrom: ['list'] } },
	},
	{
		displayName: 'Recipient Email',
		name: 'recipientEmail',
		type: 'string',
		required: true,
		default: '={{ $json.email }}',
		description: 'The recipient of each input item',
		displayOptions: { show: { ...showOnlyForSend, recipientsFrom: ['items'] } },
	},
	{
		displayName: 'Recipient Name',
		name: 'recipientName',
		type: 'string',
		default: '',
		placeholder: '={{ $json.name }}',
		description: 'The name of each input item’s recipient (optional)',
		displayOptions: { show: { ...showOnlyForSend, recipientsFrom: ['items'] } },
	},
	{
		displayName:
			'Subject, content and every other field are read from the first input item; each item gives only its recipient. The output has one item per send, paired with the items it carried.',
		name: 'gatherNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...showOnlyForSend, recipientsFrom: ['items'] } },
	},
	{
		displayName: 'Sandbox',
		name: 'sandbox',
		type: 'boolean',
		default: false,
		description:
			'Whether to send in MailPartner’s test mode: nothing is sent and nothing is charged, and MailPartner deletes such sends every day',
		displayOptions: { show: showOnlyForSend },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: showOnlyForSend },
		options: [
			{
				displayName: 'Attachments',
				name: 'attachments',
				type: 'string',
				default: 'data',
				placeholder: 'data, invoice',
				description:
					'Names of the input item’s binary properties to attach, separated by commas: at most 3, 5 MB each. The file name is sent without its extension, as MailPartner asks.',
			},
			{
				displayName: 'Reply-To Email',
				name: 'replyToEmail',
				type: 'string',
				default: '',
				placeholder: 'support@example.com',
			},
			{
				displayName: 'Reply-To Name',
				name: 'replyToName',
				type: 'string',
				default: '',
				description: 'Needs Reply-To Email',
			},
			{
				displayName: 'Schedule At',
				name: 'scheduledAt',
				type: 'dateTime',
				default: '',
				description:
					'When MailPartner sends the mail, in the workflow’s time zone unless the value carries an offset. Rounded up to the next 5 minutes; sent to MailPartner in Paris time. Cancel works until 5 minutes before.',
			},
			{
				displayName: 'Tag',
				name: 'tag',
				type: 'string',
				default: '',
				placeholder: 'newsletter-12',
				description: 'A label for your sends: 3 to 20 lowercase letters, digits, - or _',
			},
			{
				displayName: 'Variables',
				name: 'variables',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Variable',
				description: 'At most 8, text only (no HTML). Use #NAME# in the content for the variable "name".',
				options: [
					{
						displayName: 'Variable',
						name: 'variable',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'firstname' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
		],
	},
	optionsCollection(showOnlyForSend),
];

export interface Recipient {
	email: string;
	name?: string;
}

interface Attachment {
	filename: string;
	contentType: string;
	/** Read when the request is built, so that items checked early hold no file in memory. */
	load: () => Promise<Buffer>;
}

interface Message {
	body: IDataObject;
	attachments: Attachment[];
}

interface SendInputs {
	message: Message;
	recipients: Recipient[];
}

const namedAddress = /^(.*?)\s*<([^<>]*)>$/;
const tagPattern = /^[a-z0-9_-]{3,20}$/;
const variableName = /^[A-Za-z0-9_]{1,50}$/;
const htmlTag = /<\s*\/?\s*[a-z!]/i;

export type Invalid = (message: string, hint: string) => NodeOperationError;

export function invalidFor(context: IExecuteFunctions, itemIndex: number): Invalid {
	return (message, hint) =>
		new NodeOperationError(context.getNode(), message, { description: `${hint} ${neverCharged}`, itemIndex });
}

function recipientOf(email: unknown, name: unknown, field: string, invalid: Invalid): Recipient {
	const address = asText(email);
	if (address === '') throw invalid(`${field}: a recipient has no e-mail address`, `Check ${field}.`);
	if (emailAddress(address) === undefined) {
		throw invalid(`${field}: "${address.slice(0, 80)}" is not a valid e-mail address`, `Check ${field}.`);
	}
	const recipientName = asText(name);
	return recipientName === '' ? { email: address } : { email: address, name: recipientName };
}

/** The To field: a list from an expression, or text of "address" / "Name <address>" entries. */
export function recipientsOfList(value: unknown, invalid: Invalid): Recipient[] {
	const entries: unknown[] = Array.isArray(value)
		? value
		: typeof value === 'string'
			? value.split(/[,;\n]/).filter((entry) => entry.trim() !== '')
			: [];
	if (!Array.isArray(value) && typeof value !== 'string' && value !== undefined && value !== null) {
		throw invalid(`To must be a list of addresses or text, got ${typeof value}`, 'Check To.');
	}
	return entries.map((entry) => {
		if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
			const { email, name } = entry as IDataObject;
			return recipientOf(email, name, 'To', invalid);
		}
		const textEntry = asText(entry);
		const named = namedAddress.exec(textEntry);
		return named ? recipientOf(named[2], named[1].replace(/^"|"$/g, ''), 'To', invalid) : recipientOf(textEntry, '', 'To', invalid);
	});
}

/** One send's recipients: 1 to 500, each address once (MailPartner refuses a repeat, code 15). */
export function checkRecipients(recipients: Recipient[], field: string, invalid: Invalid): void {
	if (recipients.length === 0) throw invalid(`${field} has no recipient`, `Give at least one address in ${field}.`);
	if (recipients.length > maxRecipients) {
		throw invalid(
			`${field} has ${recipients.length} recipients: at most ${maxRecipients} per send`,
			'Split the list, or use Recipients → One Recipient per Item (after a Split Out node), which sends in batches of 500.',
		);
	}
	const seen = new Set<string>();
	for (const { email } of recipients) {
		const key = email.toLowerCase();
		if (seen.has(key)) throw invalid(`${field}: ${email} appears twice`, 'Give each address once per send.');
		seen.add(key);
	}
}

async function attachmentsOf(
	context: IExecuteFunctions,
	itemIndex: number,
	names: string,
	invalid: Invalid,
): Promise<Attachment[]> {
	const properties = names.split(',').map((name) => name.trim()).filter(Boolean);
	if (properties.length > maxAttachments) {
		throw invalid(`Attachments names ${properties.length} files: at most ${maxAttachments}`, 'Attach at most 3 files.');
	}
	const attachments: Attachment[] = [];
	for (const property of properties) {
		let binary;
		try {
			binary = context.helpers.assertBinaryData(itemIndex, property);
		} catch {
			throw invalid(`Attachments: the item has no binary property "${property.slice(0, 40)}"`, 'Check the names in Attachments.');
		}
		const load = async () => await context.helpers.getBinaryDataBuffer(itemIndex, property);
		// Measured on the file itself: the binary's own size field is not always set.
		const size = (await load()).length;
		if (size > maxAttachmentBytes) {
			throw invalid(
				`Attachments: "${binary.fileName ?? property}" is ${(size / 1_000_000).toFixed(1)} MB: at most 5 MB per file`,
				'Send a smaller file, or a link to it.',
			);
		}
		const fileName = (binary.fileName ?? '').trim();
		// MailPartner asks for the name without its extension; the MIME type says what it is.
		const filename = fileName.replace(/\.[^.]*$/, '') || property;
		attachments.push({ filename, contentType: binary.mimeType || 'application/octet-stream', load });
	}
	return attachments;
}

/** Everything of one send but its recipients, checked, in the body layout described in the README. */
async function messageOf(context: IExecuteFunctions, itemIndex: number): Promise<Message> {
	const invalid = invalidFor(context, itemIndex);
	const parameter = (name: string, fallback: unknown) => context.getNodeParameter(name, itemIndex, fallback) as unknown;
	const subject = asText(parameter('subject', ''));
	if (subject === '') throw invalid('Subject is empty', 'Fill in Subject.');
	const htmlContentValue = parameter('htmlContent', '');
	const htmlContent = typeof htmlContentValue === 'string' ? htmlContentValue : asText(htmlContentValue);
	if (htmlContent.trim() === '') throw invalid('HTML Content is empty', 'Fill in HTML Content.');
	const sandbox = parameter('sandbox', false);
	const body: IDataObject = { subject, htmlContent, sandbox: sandbox === true || sandbox === 'true' ? 1 : 0 };

	const fields = (parameter('additionalFields', {}) ?? {}) as IDataObject;
	const replyToEmail = asText(fields.replyToEmail);
	const replyToName = asText(fields.replyToName);
	if (replyToName !== '' && replyToEmail === '') {
		throw invalid('Reply-To Name needs a Reply-To Email', 'Fill in Reply-To Email, or remove Reply-To Name.');
	}
	if (replyToEmail !== '') body.replyTo = recipientOf(replyToEmail, replyToName, 'Reply-To Email', invalid);

	const tag = asText(fields.tag);
	if (tag !== '' && !tagPattern.test(tag)) {
		throw invalid(
			`Tag "${tag.slice(0, 40)}" must be 3 to 20 lowercase letters, digits, - or _ (no spaces)`,
			'Change Tag, or remove it.',
		);
	}
	if (tag !== '') body.tag = tag;

	const variableRows = ((fields.variables as IDataObject | undefined)?.variable ?? []) as IDataObject[];
	if (variableRows.length > maxVariables) {
		throw invalid(`Variables has ${variableRows.length} entries: at most ${maxVariables}`, 'Remove some variables.');
	}
	if (variableRows.length > 0) {
		const variables: IDataObject = {};
		for (const row of variableRows) {
			const name = asText(row.name);
			if (!variableName.test(name)) {
				throw invalid(
					`Variables: "${name.slice(0, 40)}" is not a variable name (letters, digits and _)`,
					'MailPartner replaces #NAME# in upper case: give each variable such a name.',
				);
			}
			if (Object.keys(variables).some((known) => known.toUpperCase() === name.toUpperCase())) {
				throw invalid(`Variables: "${name}" is given twice`, 'Both would be #' + name.toUpperCase() + '#: keep one.');
			}
			const value = typeof row.value === 'string' ? row.value : asText(row.value);
			if (htmlTag.test(value)) {
				throw invalid(`Variables: the value of "${name}" contains HTML`, 'MailPartner takes text only in variables: put HTML in HTML Content.');
			}
			variables[name] = value;
		}
		body.variables = variables;
	}

	if (fields.scheduledAt !== undefined && fields.scheduledAt !== null && fields.scheduledAt !== '') {
		const scheduled = scheduleFor(fields.scheduledAt, context.getTimezone(), Date.now());
		if (!scheduled.ok) throw invalid(`Schedule At: ${scheduled.reason}`, 'Give a date and time in the future, or remove Schedule At.');
		body.scheduledDeliveryDate = scheduled.schedule.scheduledDeliveryDate;
		body.time = scheduled.schedule.time;
		body.minute = scheduled.schedule.minute;
	}

	const attachmentNames = asText(fields.attachments);
	const attachments = attachmentNames === '' ? [] : await attachmentsOf(context, itemIndex, attachmentNames, invalid);
	return { body, attachments };
}

/** Per execution. In gather mode, the message: read once, from the first item, shared by every send. */
interface SendExecution {
	gathered?: Promise<Message>;
}

function start(context: IExecuteFunctions): SendExecution {
	if (context.getNodeParameter('recipientsFrom', 0, 'list') !== 'items') return {};
	const gathered = messageOf(context, 0);
	// Checked once; an invalid first item makes every item's check fail with its reason.
	gathered.catch(() => undefined);
	return { gathered };
}

async function prepare(context: IExecuteFunctions, itemIndex: number, { gathered }: SendExecution): Promise<SendInputs> {
	const invalid = invalidFor(context, itemIndex);
	if (gathered) {
		const message = await gathered.catch((error: NodeOperationError) => {
			throw itemIndex === 0 ? error : invalid(`the first item, which gives the message, is invalid: ${error.message}`, 'Fix the first item.');
		});
		// One recipient per item, thousands of items: read without n8n's expression sandbox when
		// written `{{ $json.field }}` (shared/parameter.ts).
		const recipient = recipientOf(
			itemParameter(context, 'recipientEmail', itemIndex, ''),
			itemParameter(context, 'recipientName', itemIndex, ''),
			'Recipient Email',
			invalid,
		);
		return { message, recipients: [recipient] };
	}
	const recipients = recipientsOfList(itemParameter(context, 'to', itemIndex, ''), invalid);
	checkRecipients(recipients, 'To', invalid);
	return { message: await messageOf(context, itemIndex), recipients };
}

/** Gather mode: the items' recipients in sends of at most 500, in input order. */
function batch(context: IExecuteFunctions, checked: Array<Prepared<SendInputs>>, { gathered }: SendExecution): Array<Batch<SendInputs>> {
	if (!gathered) return checked.map(({ itemIndex, inputs }) => ({ itemIndexes: [itemIndex], inputs }));
	const sends: Array<Batch<SendInputs>> = [];
	for (let start = 0; start < checked.length; start += maxRecipients) {
		const part = checked.slice(start, start + maxRecipients);
		const recipients = part.map(({ inputs }) => inputs.recipients[0]);
		checkRecipients(recipients, 'Recipient Email', invalidFor(context, part[0].itemIndex));
		sends.push({ itemIndexes: part.map(({ itemIndex }) => itemIndex), inputs: { message: part[0].inputs.message, recipients } });
	}
	return sends;
}

async function run(client: MailPartnerClient, inputs: SendInputs, itemIndex: number): Promise<IDataObject[]> {
	const { body, attachments } = inputs.message;
	const request: IDataObject = { ...body, params: { to: inputs.recipients as unknown as IDataObject[] } };
	if (attachments.length > 0) {
		request.attachments = await Promise.all(
			attachments.map(async ({ filename, contentType, load }) => ({
				base64Content: (await load()).toString('base64'),
				contentType,
				filename,
			})),
		);
	}
	// A lost answer is worded by the client: the send may have gone out (see `spendsMoney` above).
	const answer = await client.call(endpoint, request, itemIndex);
	return [{ ...answer, recipients: inputs.recipients.map(({ email }) => email) }];
}

export const send: Operation<SendInputs, SendExecution> = {
	option: {
		name: 'Send',
		value: 'send',
		action: 'Send an e-mail',
		description: 'Send an e-mail to up to 500 recipients, now or at a set time',
	},
	fields: sendFields,
	endpoint,
	start,
	prepare,
	batch,
	run,
};
