import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { Endpoint } from '../../lib/client';
import { asText, emailAddress } from '../../lib/inputs';
import { arrayOf, number, object, text } from '../../lib/shape';

/** `GET /unsubscribe/list`: every address of the list at once (the call has no paging). */
export const listEndpoint = {
	method: 'GET',
	path: '/unsubscribe/list',
	answer: object({
		nbData: number,
		data: arrayOf(object({ id: number, email: text, createdAt: text })),
	}),
	// The page documents only 1 and 10, the codes common to every call.
	errors: {},
	spendsMoney: false,
} satisfies Endpoint;

/** The Email field of Add and Remove. */
export function emailField(description: string): INodeProperties {
	return { displayName: 'Email', name: 'email', type: 'string', required: true, placeholder: 'name@email.com', default: '', description };
}

/** Reads and checks the Email field; throws a NodeOperationError naming it. */
export function readEmail(context: IExecuteFunctions, itemIndex: number): string {
	const label = 'Email';
	const raw = context.getNodeParameter('email', itemIndex, '') as unknown;
	const email = asText(raw);
	if (email === '') {
		throw new NodeOperationError(context.getNode(), `${label} is required`, {
			description: 'Fill in the address. Nothing was sent.',
			itemIndex,
		});
	}
	if (emailAddress(email) === undefined) {
		throw new NodeOperationError(context.getNode(), `${label} "${email.slice(0, 80)}" is not a valid e-mail address`, {
			description: `Check the ${label} field. Nothing was sent.`,
			itemIndex,
		});
	}
	return email;
}
