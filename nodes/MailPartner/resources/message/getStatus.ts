import { NodeOperationError } from 'n8n-workflow';

import type { Endpoint } from '../../shared/client';
import { optionsCollection, type Operation } from '../../shared/operation';
import { arrayOf, boolean, number, object, text } from '../../shared/shape';

const showOnlyForGetStatus = { resource: ['message'], operation: ['getStatus'] };

/** `GET /bulk-status`: one status per recipient. `date` is Unix seconds, as a string. */
const endpoint: Endpoint = {
	method: 'GET',
	path: '/bulk-status',
	answer: object({
		messageId: text,
		StatutResponseList: arrayOf(
			object({
				email: text,
				token: text,
				status: text,
				cost: number,
				stopMail: boolean,
				date: text,
			}),
		),
	}),
	errors: {
		3: { message: 'Message ID is required', hint: 'Fill in the Message ID field.' },
		4: {
			message: 'Message not found',
			hint: 'Check the Message ID: it is the messageId returned by the send.',
		},
	},
	spendsMoney: false,
	label: 'Message → Get Status',
};

export const getStatus: Operation<{ messageId: string }> = {
	option: {
		name: 'Get Status',
		value: 'getStatus',
		action: 'Get the delivery status of a message',
		description:
			'Get the delivery status of each recipient of a send. Reports usually arrive seconds after the send, but can take up to 48 hours.',
	},
	fields: [
		{
			displayName: 'Message ID',
			name: 'messageId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '300',
			description: 'The messageId that MailPartner returned for the send',
			displayOptions: { show: showOnlyForGetStatus },
		},
		optionsCollection(showOnlyForGetStatus),
	],
	endpoint,
	/** The Message ID is digits only: anything else would be sent into the query as it is. */
	prepare(context, itemIndex) {
		const raw = context.getNodeParameter('messageId', itemIndex, '') as unknown;
		const messageId = typeof raw === 'number' || typeof raw === 'string' ? String(raw).trim() : '';
		if (!/^\d{1,20}$/.test(messageId)) {
			throw new NodeOperationError(
				context.getNode(),
				messageId === '' ? 'Message ID is empty' : `Message ID must be a number, got "${messageId.slice(0, 60)}"`,
				{
					description: 'Use the messageId that MailPartner returned for the send. Nothing was sent.',
					itemIndex,
				},
			);
		}
		return { messageId };
	},
	run: async (client, inputs, itemIndex) => [await client.call(endpoint, inputs, itemIndex)],
};

export const getStatusShape = endpoint.answer;
