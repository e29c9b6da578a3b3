import type { Endpoint } from '../../lib/client';
import type { Operation } from '../../lib/operation';
import { number, object, text } from '../../lib/shape';

/**
 * `GET /me`: the account's user and its credits. MailPartner writes `balance` as a string of euros
 * with 3 decimals ("160.120"); the node outputs it as a number (160.12), as the credit moves'
 * euros already are, so that a workflow compares and adds it without converting it first.
 */
export const creditsEndpoint = {
	method: 'GET',
	path: '/me',
	answer: object({
		user: object({ username: text }),
		credits: object({ creditMail: number, currency: text, balance: number }),
	}),
	// The page documents only 10 (wrong key), one of the codes common to every call.
	errors: {},
	spendsMoney: false,
} satisfies Endpoint;

export const getCredits: Operation<Record<string, never>> = {
	option: {
		name: 'Get Credits',
		value: 'getCredits',
		action: 'Get the account credits',
		description: 'Get the number of e-mails and the balance left on the account',
	},
	fields: [],
	endpoint: creditsEndpoint,
	prepare: () => ({}),
	run: async (client, inputs, itemIndex) => [await client.call(creditsEndpoint, inputs, itemIndex)],
};

export const getCreditsShape = creditsEndpoint.answer;
