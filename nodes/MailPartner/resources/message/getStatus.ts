import {
	NodeOperationError,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type INodeProperties,
} from 'n8n-workflow';

import { arrayOf, boolean, number, object, text } from '../../shared/shape';
import { optionsCollection } from '../../shared/transport';

const showOnlyForGetStatus = { resource: ['message'], operation: ['getStatus'] };

/** `GET /bulk-status`: one status per recipient. `date` is Unix seconds, as a string. */
export const getStatusShape = object({
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
});

export const getStatusFields: INodeProperties[] = [
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
	optionsCollection(showOnlyForGetStatus, 'query'),
];

/** Checks the Message ID before anything is sent, and puts it in the query. */
export async function sendMessageId(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const raw = this.getNodeParameter('messageId', '') as unknown;
	const messageId = typeof raw === 'number' || typeof raw === 'string' ? String(raw).trim() : '';
	if (!/^\d+$/.test(messageId)) {
		throw new NodeOperationError(
			this.getNode(),
			messageId === ''
				? 'Message ID is empty'
				: `Message ID must be a number, got "${messageId}"`,
			{
				description: 'Use the messageId that MailPartner returned for the send. Nothing was sent.',
				itemIndex: this.getItemIndex(),
			},
		);
	}
	return { ...requestOptions, qs: { ...requestOptions.qs, messageId } };
}
