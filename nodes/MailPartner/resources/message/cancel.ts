import type { Endpoint } from '../../lib/client';
import type { Operation } from '../../lib/operation';
import { object, text } from '../../lib/shape';
import { messageIdField, readMessageId } from './messageId';

const checkInMailPartner = 'See the message in your MailPartner account.';

/** `GET /message-cancel`: cancels a scheduled send; the answer carries only a sentence. */
const endpoint = {
	method: 'GET',
	path: '/message-cancel',
	answer: object({ message: text }),
	errors: {
		3: { message: 'Message ID is required', hint: 'Fill in the Message ID field.' },
		4: { message: 'Message not found', hint: 'Check the Message ID: it is the messageId that Message → Send returned.' },
		5: {
			message: 'This send was already cancelled',
			hint: 'Nothing more to do: the mail will not go out, and cancelling again changes nothing.',
		},
		6: {
			message: 'Too late to cancel: the send starts in less than 5 minutes',
			hint: `MailPartner refuses to cancel a send less than 5 minutes before its scheduled time, so the mail will go out. ${checkInMailPartner}`,
		},
		7: {
			message: 'Too late to cancel: this mail was already sent',
			hint: `Only a scheduled send can be cancelled, before it goes out; a send without a schedule leaves at once. ${checkInMailPartner}`,
		},
	},
	// Cancelling spends nothing; asking twice only gets code 5.
	spendsMoney: false,
	changesState: true,
} satisfies Endpoint;

export const cancel: Operation<{ messageId: string }> = {
	option: {
		name: 'Cancel',
		value: 'cancel',
		action: 'Cancel a scheduled send',
		description: 'Cancel a scheduled send, at the latest 5 minutes before its time',
	},
	fields: [messageIdField('The messageId that Message → Send returned for the scheduled send')],
	endpoint,
	prepare: (context, itemIndex) => ({ messageId: readMessageId(context, itemIndex) }),
	run: async (client, inputs, itemIndex) => {
		const answer = await client.call(endpoint, inputs, itemIndex);
		return [{ messageId: inputs.messageId, cancelled: true, message: answer.message }];
	},
};
