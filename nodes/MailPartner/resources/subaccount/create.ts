import {
	NodeOperationError,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type INodeProperties,
} from 'n8n-workflow';

import { object, text } from '../../shared/shape';
import { optionsCollection } from '../../shared/transport';

const showOnlyForCreate = { resource: ['subaccount'], operation: ['create'] };

/** `POST /subaccount/create`: the new subaccount, and where its confirmation mail went. */
export const createShape = object({
	subaccount: object({ email: text, token: text }),
	sendConfirmMailTo: text,
	parent_email: text,
});

export const createFields: INodeProperties[] = [
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		required: true,
		// Simple is the choice that costs nothing and asks for nothing; the type is final, so the
		// description says so and an expression that resolves to nothing is refused before sending.
		default: 'simple',
		options: [
			{
				name: 'Simple',
				value: 'simple',
				description: 'Receives no e-mail or SMS, needs no phone number, cannot buy credits',
			},
			{
				name: 'Advanced',
				value: 'advanced',
				description:
					'Signs up like a standard account: needs a valid e-mail, and a mobile number at sign-up',
			},
		],
		description: 'The kind of subaccount. This choice is final: it cannot be changed later.',
		displayOptions: { show: showOnlyForCreate },
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description:
			'E-mail of the subaccount holder. Required for an advanced subaccount; for a simple one, MailPartner generates one when empty.',
		displayOptions: { show: showOnlyForCreate },
	},
	{
		displayName: 'Is Buyer',
		name: 'isBuyer',
		type: 'options',
		required: true,
		default: 0,
		options: [
			{ name: 'Yes', value: 1, description: 'The subaccount buys its own credits' },
			{ name: 'No', value: 0, description: 'The subaccount uses credits given by the main account' },
		],
		description: 'Whether the subaccount may buy its own credits',
		displayOptions: { show: { ...showOnlyForCreate, type: ['advanced'] } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: showOnlyForCreate },
		options: [
			{
				displayName: 'Credit To Attribute',
				name: 'creditToAttribute',
				type: 'number',
				typeOptions: { minValue: 0, numberPrecision: 3 },
				default: 0,
				description:
					'Euros given to the subaccount at creation, taken from the main account balance. Must be greater than 0.',
			},
			{
				displayName: 'First Name',
				name: 'firstname',
				type: 'string',
				default: '',
				description: 'First name of the subaccount holder',
			},
			{
				displayName: 'Last Name',
				name: 'lastname',
				type: 'string',
				default: '',
				description: 'Last name of the subaccount holder',
			},
			{
				displayName: 'Subaccount Name',
				name: 'title',
				type: 'string',
				default: '',
				description: 'Name of the subaccount',
			},
		],
	},
	optionsCollection(showOnlyForCreate, 'body'),
];

// Deliberately loose: MailPartner has the last word, this only catches what is clearly not one.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function asText(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

function asIsBuyer(value: unknown): 0 | 1 | undefined {
	const normalised = typeof value === 'boolean' ? String(value) : asText(value).toLowerCase();
	if (['1', 'true', 'yes'].includes(normalised)) return 1;
	if (['0', 'false', 'no'].includes(normalised)) return 0;
	return undefined;
}

/**
 * Checks every input before the call, which may spend the user's credits, and writes the body
 * as the API page shows it: `{ type, parameters: { email, creditToAttribute, isBuyer, … } }`.
 */
export async function sendSubaccount(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const invalid = (message: string, hint: string) =>
		new NodeOperationError(this.getNode(), message, {
			description: `${hint} Nothing was sent and no credit was spent.`,
			itemIndex: this.getItemIndex(),
		});

	const type = asText(this.getNodeParameter('type', ''));
	if (type === '') {
		throw invalid('Type is required', 'Choose Simple or Advanced; the choice is final.');
	}
	if (type !== 'simple' && type !== 'advanced') {
		throw invalid(`Type must be "simple" or "advanced", got "${type}"`, 'Choose Simple or Advanced.');
	}

	const parameters: IDataObject = {};
	const email = asText(this.getNodeParameter('email', ''));
	if (type === 'advanced' && email === '') {
		throw invalid('Email is required for an advanced subaccount', 'Fill in the Email field.');
	}
	if (email !== '') {
		if (!emailPattern.test(email)) {
			throw invalid(`Email "${email}" is not a valid e-mail address`, 'Check the Email field.');
		}
		parameters.email = email;
	}

	if (type === 'advanced') {
		const isBuyer = asIsBuyer(this.getNodeParameter('isBuyer', ''));
		if (isBuyer === undefined) {
			throw invalid('Is Buyer is required for an advanced subaccount', 'Set Is Buyer to Yes or No.');
		}
		parameters.isBuyer = isBuyer;
	}

	const additionalFields = this.getNodeParameter('additionalFields', {}) as IDataObject;
	if ('creditToAttribute' in additionalFields) {
		const credit = Number(additionalFields.creditToAttribute);
		if (!Number.isFinite(credit) || credit <= 0) {
			throw invalid(
				`Credit To Attribute must be greater than 0, got ${String(additionalFields.creditToAttribute)}`,
				'Set a positive amount in euros, or remove the field.',
			);
		}
		parameters.creditToAttribute = credit;
	}
	for (const name of ['title', 'firstname', 'lastname']) {
		const value = asText(additionalFields[name]);
		if (value !== '') parameters[name] = value;
	}

	const body = (requestOptions.body ?? {}) as IDataObject;
	return { ...requestOptions, body: { ...body, type, parameters } };
}
