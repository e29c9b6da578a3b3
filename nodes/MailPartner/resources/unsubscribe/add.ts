import type { Endpoint } from '../../lib/client';
import type { Operation } from '../../lib/operation';
import { number, object } from '../../lib/shape';
import { emailField, readEmail } from './common';

/** `POST /unsubscribe/add`: `stopId` is the new entry's ID, the one the list shows. */
const endpoint = {
	method: 'POST',
	path: '/unsubscribe/add',
	answer: object({ stopId: number }),
	errors: {
		2: { message: 'The e-mail address is required', hint: 'Fill in the Email field.' },
		3: { message: 'This e-mail address is already on the unsubscribe list', hint: 'Nothing to do for this address.' },
		9: { message: 'The e-mail address is invalid', hint: 'Check the Email field.' },
	},
	spendsMoney: false,
	changesState: true,
} satisfies Endpoint;

export const add: Operation<{ email: string }> = {
	option: {
		name: 'Add',
		value: 'add',
		action: 'Add an address to the unsubscribe list',
		description: 'Add an e-mail address to the unsubscribe list: MailPartner sends it no more mail',
	},
	fields: [emailField('The address to add to the unsubscribe list')],
	endpoint,
	prepare: (context, itemIndex) => ({ email: readEmail(context, itemIndex) }),
	// The answer holds only the new ID: the address goes with it, so the item says which one it is.
	run: async (client, inputs, itemIndex) => [{ email: inputs.email, ...(await client.call(endpoint, inputs, itemIndex)) }],
};
