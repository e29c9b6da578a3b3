import type { INodeProperties } from 'n8n-workflow';

/** The fields of Message → Send (the resource scopes them to Send). */
export const sendFields: INodeProperties[] = [
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		required: true,
		default: '',
	},
	{
		displayName: 'HTML Content',
		name: 'htmlContent',
		type: 'string',
		required: true,
		typeOptions: { rows: 5 },
		default: '',
		placeholder: '<p>Hello #FIRSTNAME#</p><p>#UNSUBSCRIBE_LINK#</p>',
		description: 'The body of the mail, in HTML',
		hint: 'MailPartner replaces #READ_ONLINE# with a link to view the mail online, #UNSUBSCRIBE_LINK# with the unsubscribe link, and #NAME# with the variable "name" (Additional Fields → Variables; the name in upper case between #).',
	},
	{
		displayName: 'Recipients',
		name: 'recipientsFrom',
		type: 'options',
		noDataExpression: true,
		default: 'list',
		options: [
			{
				name: 'A List in Each Item',
				value: 'list',
				description: 'One send per input item, to the addresses in its To field (at most 500)',
			},
			{
				name: 'One Recipient per Item',
				value: 'items',
				description: 'Every input item gives one recipient; they go out together in sends of at most 500',
			},
		],
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'ada@example.com, Grace Hopper <grace@example.com>',
		description:
			'Addresses separated by commas, semicolons or new lines, each "address" or "Name &lt;address&gt;"; or an expression giving a list of addresses or of {email, name} objects. At most 500.',
		displayOptions: { show: { recipientsFrom: ['list'] } },
	},
	{
		displayName: 'Recipient Email',
		name: 'recipientEmail',
		type: 'string',
		required: true,
		default: '={{ $json.email }}',
		description: 'The recipient of each input item',
		displayOptions: { show: { recipientsFrom: ['items'] } },
	},
	{
		displayName: 'Recipient Name',
		name: 'recipientName',
		type: 'string',
		default: '',
		placeholder: '={{ $json.name }}',
		description: 'The name of each input item’s recipient (optional)',
		displayOptions: { show: { recipientsFrom: ['items'] } },
	},
	{
		displayName:
			'Subject, content and every other field are read from the first input item; each item gives only its recipient. The output has one item per send, paired with the items it carried.',
		name: 'gatherNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { recipientsFrom: ['items'] } },
	},
	{
		displayName: 'Sandbox',
		name: 'sandbox',
		type: 'boolean',
		default: false,
		description:
			'Whether to send in MailPartner’s test mode: nothing is sent and nothing is charged, and MailPartner deletes such sends every day',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Attachments',
				name: 'attachments',
				type: 'string',
				default: 'data',
				placeholder: 'data, invoice',
				description:
					'Names of the input item’s binary properties to attach, separated by commas: at most 3, 5 MB each. The file name is sent without its extension, as MailPartner asks.',
			},
			{
				displayName: 'Reply-To Email',
				name: 'replyToEmail',
				type: 'string',
				default: '',
				placeholder: 'support@example.com',
			},
			{
				displayName: 'Reply-To Name',
				name: 'replyToName',
				type: 'string',
				default: '',
				description: 'Needs Reply-To Email',
			},
			{
				displayName: 'Schedule At',
				name: 'scheduledAt',
				type: 'dateTime',
				default: '',
				description:
					'When MailPartner sends the mail, in the workflow’s time zone unless the value carries an offset. Rounded up to the next 5 minutes; sent to MailPartner in Paris time. Cancel works until 5 minutes before.',
			},
			{
				displayName: 'Tag',
				name: 'tag',
				type: 'string',
				default: '',
				placeholder: 'newsletter-12',
				description: 'A label for your sends: 3 to 20 lowercase letters, digits, - or _',
			},
			{
				displayName: 'Variables',
				name: 'variables',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Variable',
				description: 'At most 8, text only (no HTML). Use #NAME# in the content for the variable "name".',
				options: [
					{
						displayName: 'Variable',
						name: 'variable',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'firstname' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
		],
	},
];
