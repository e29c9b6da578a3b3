import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { itemParameter } from '../../lib/parameter';

/**
 * Where Get Status and Cancel take their Message ID unless the user changes it: the `messageId`
 * of the input item, which Message → Send outputs, so a step added after a Send is ready to run.
 * Written exactly so, lib/parameter.ts reads it from the item without n8n's expression sandbox.
 */
const previousMessageId = '={{ $json.messageId }}';

/** The Message ID field of Get Status and Cancel. */
export function messageIdField(description: string): INodeProperties {
	return {
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: previousMessageId,
		placeholder: '300',
		description: `${description}. By default, the input item’s messageId, as Message → Send outputs it.`,
	};
}

/**
 * The Message ID of Get Status and Cancel: digits only (MailPartner's ids are numbers; the page's
 * "xxx" is a placeholder), since anything else would be sent into the query string as it is.
 */
export function readMessageId(context: IExecuteFunctions, itemIndex: number): string {
	const raw = itemParameter(context, 'messageId', itemIndex, '');
	const messageId = typeof raw === 'number' || typeof raw === 'string' ? String(raw).trim() : '';
	if (messageId === '') {
		throw new NodeOperationError(context.getNode(), 'Message ID is empty', {
			description: `${whyEmpty(context)}Use the messageId that MailPartner returned for the send. Nothing was sent.`,
			itemIndex,
		});
	}
	if (!/^\d{1,20}$/.test(messageId)) {
		throw new NodeOperationError(context.getNode(), `Message ID must be a number, got "${messageId.slice(0, 60)}"`, {
			description: 'Use the messageId that MailPartner returned for the send. Nothing was sent.',
			itemIndex,
		});
	}
	return messageId;
}

/** Where an empty Message ID came from, when an expression gave it (the default one above, most often). */
function whyEmpty(context: IExecuteFunctions): string {
	const field = context.getNode().parameters.messageId;
	if (field === previousMessageId) {
		return 'The input item has no messageId: put this step after Message → Send, or type the ID in Message ID. ';
	}
	if (typeof field === 'string' && field.startsWith('=')) {
		const expression = field.slice(1).trim();
		return `Its expression ${expression.length > 60 ? `${expression.slice(0, 60)}…` : expression} gave nothing for this item. `;
	}
	return '';
}
