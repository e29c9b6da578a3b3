import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { asText, emailAddress } from '../../lib/inputs';
import { itemParameter, savedParameter } from '../../lib/parameter';
import { scheduleFor } from './schedule';

/**
 * What one send carries, checked before anything is sent: the message (subject, content, the
 * Additional Fields, attachments) and its recipients, and the request body they make.
 */

const neverCharged = 'Nothing was sent and no credit was spent.';

export const maxRecipients = 500;
const maxVariables = 8;
const maxAttachments = 3;
/** "5MB per attachment": the file's size, read as 5 000 000 bytes (the smaller reading). */
const maxAttachmentBytes = 5_000_000;

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

export interface Message {
	body: IDataObject;
	attachments: Attachment[];
}

export interface SendInputs {
	message: Message;
	recipients: Recipient[];
}

const namedAddress = /^(.*?)\s*<([^<>]*)>$/;
const tagPattern = /^[a-z0-9_-]{3,20}$/;
const variableName = /^[A-Za-z0-9_]{1,50}$/;
const htmlTag = /<\s*\/?\s*[a-z!]/i;

type Invalid = (message: string, hint: string) => NodeOperationError;

export function invalidFor(context: IExecuteFunctions, itemIndex: number): Invalid {
	return (message, hint) =>
		new NodeOperationError(context.getNode(), message, { description: `${hint} ${neverCharged}`, itemIndex });
}

export function recipientOf(email: unknown, name: unknown, field: string, invalid: Invalid): Recipient {
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

/**
 * One item's Additional Fields, each leaf read on its own through `itemParameter`, so that a leaf
 * written `{{ $json.field }}` (a Reply-To, a variable's value) skips n8n's expression sandbox. The
 * collection as saved (expressions unevaluated, read once per execution) says which leaves there
 * are; it is the same for every item. n8n evaluates a collection leaf by leaf too, and validates none of these (no
 * `validateType`), so the values are those of `getNodeParameter('additionalFields', …)`.
 */
function additionalFieldsOf(context: IExecuteFunctions, itemIndex: number): IDataObject {
	// Absent (not shown, so never saved): no field, as n8n would give `{}` for every item.
	const saved = savedParameter(context, 'additionalFields') ?? {};
	if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
		return (context.getNodeParameter('additionalFields', itemIndex, {}) ?? {}) as IDataObject;
	}
	// A fallback, as n8n throws for a path that holds nothing: a row saved without its Value.
	const leaf = (path: string, fallback: unknown) => itemParameter(context, `additionalFields.${path}`, itemIndex, fallback) as IDataObject[string];
	const fields: IDataObject = {};
	for (const key of Object.keys(saved)) {
		if (key !== 'variables') fields[key] = leaf(key, null);
	}
	const rows = ((saved as IDataObject).variables as IDataObject | undefined)?.variable;
	if (Array.isArray(rows)) {
		fields.variables = {
			variable: rows.map((_, row) => ({ name: leaf(`variables.variable[${row}].name`, ''), value: leaf(`variables.variable[${row}].value`, '') })),
		};
	}
	return fields;
}

/** Everything of one send but its recipients, checked, in the body layout of docs/mailpartner-api.md#send. */
export async function messageOf(context: IExecuteFunctions, itemIndex: number): Promise<Message> {
	const invalid = invalidFor(context, itemIndex);
	// Read per item: `{{ $json.field }}` straight from the item (lib/parameter.ts).
	const parameter = (name: string, fallback: unknown) => itemParameter(context, name, itemIndex, fallback);
	const subject = asText(parameter('subject', ''));
	if (subject === '') throw invalid('Subject is empty', 'Fill in Subject.');
	const htmlContentValue = parameter('htmlContent', '');
	const htmlContent = typeof htmlContentValue === 'string' ? htmlContentValue : asText(htmlContentValue);
	if (htmlContent.trim() === '') throw invalid('HTML Content is empty', 'Fill in HTML Content.');
	const sandbox = parameter('sandbox', false);
	const body: IDataObject = { subject, htmlContent, sandbox: sandbox === true || sandbox === 'true' ? 1 : 0 };

	const fields = additionalFieldsOf(context, itemIndex);
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

/** The body of one `POST /send`: the message, its recipients, and its files read now. */
export async function requestOf({ message, recipients }: SendInputs): Promise<IDataObject> {
	const { body, attachments } = message;
	const request: IDataObject = { ...body, params: { to: recipients.map((recipient) => ({ ...recipient })) } };
	if (attachments.length > 0) {
		request.attachments = await Promise.all(
			attachments.map(async ({ filename, contentType, load }) => ({
				base64Content: (await load()).toString('base64'),
				contentType,
				filename,
			})),
		);
	}
	return request;
}
