import type { NodeOperationError, IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Endpoint, MailPartnerClient } from '../../lib/client';
import type { Batch, Operation, Prepared } from '../../lib/operation';
import { itemParameter } from '../../lib/parameter';
import { number, object, text } from '../../lib/shape';
import { sendFields } from './sendFields';
import {
	checkRecipients,
	invalidFor,
	maxRecipients,
	messageOf,
	recipientOf,
	recipientsOfList,
	requestOf,
	type Message,
	type SendInputs,
} from './sendRequest';

/** `POST /send`. Its codes are the error-code page's "Envoi de Mail" table (docs/mailpartner-api.md#send). */
export const endpoint = {
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
	// Sending charges the account: never carried out twice by the node (sent again only after a 429,
	// MailPartner's refusal before doing anything; Retry On Fail refused).
	spendsMoney: {
		mayHaveHappened: 'The send may have gone out',
		howToCheck:
			'whether it did: Account → Get Credits shows whether the balance dropped by the send’s cost, and your MailPartner account lists the sends',
	},
} satisfies Endpoint;

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
		// written `{{ $json.field }}` (lib/parameter.ts).
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
	// A lost answer is worded by the client: the send may have gone out (see `spendsMoney` above).
	const answer = await client.call(endpoint, await requestOf(inputs), itemIndex);
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
