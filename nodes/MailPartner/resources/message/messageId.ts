import { NodeOperationError, type IDisplayOptions, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { itemParameter } from '../../shared/parameter';

/** The Message ID field of Get Status and Cancel. */
export function messageIdField(show: NonNullable<IDisplayOptions['show']>, description: string): INodeProperties {
	return {
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '300',
		description,
		displayOptions: { show },
	};
}

/**
 * The Message ID of Get Status and Cancel: digits only (MailPartner's ids are numbers; the page's
 * "xxx" is a placeholder), since anything else would be sent into the query string as it is.
 */
export function readMessageId(context: IExecuteFunctions, itemIndex: number): string {
	const raw = itemParameter(context, 'messageId', itemIndex, '');
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
	return messageId;
}
