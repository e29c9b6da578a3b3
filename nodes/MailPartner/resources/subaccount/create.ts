import { NodeOperationError, type IDataObject, type INodeProperties } from 'n8n-workflow';

import type { Endpoint } from '../../lib/client';
import { asText, emailAddress, euroAmount, listOf, optionValue } from '../../lib/inputs';
import type { Operation } from '../../lib/operation';
import { object, text } from '../../lib/shape';

/** `POST /subaccount/create`: the new subaccount, and where its confirmation mail went. */
const endpoint = {
	method: 'POST',
	path: '/subaccount/create',
	answer: object({
		subaccount: object({ email: text, token: text }),
		sendConfirmMailTo: text,
		parent_email: text,
	}),
	errors: {
		2: {
			message: 'A mobile phone number is required',
			hint: 'MailPartner asks for a phone number for this subaccount; complete it in your MailPartner account.',
		},
		3: { message: 'Is Buyer is required for an advanced subaccount', hint: 'Set Is Buyer to Yes or No.' },
		4: { message: 'Subaccount type is required (simple or advanced)', hint: 'Choose a Type.' },
		5: { message: 'Unknown subaccount type (use simple or advanced)', hint: 'Choose Simple or Advanced as the Type.' },
		6: { message: 'Email is required for an advanced subaccount', hint: 'Fill in the Email field.' },
		7: { message: 'An account already exists with this email', hint: 'Use another email address for the subaccount.' },
		8: {
			message: 'Credit To Attribute must be greater than 0',
			hint: 'Leave Credit To Attribute out or set a positive amount in euros.',
		},
		9: {
			message: 'Your main account balance must be greater than 0',
			hint: 'Top up your MailPartner balance or lower Credit To Attribute.',
		},
	},
	// Creating may move credit from the main balance: a lost answer must not create it twice.
	spendsMoney: {
		mayHaveHappened: 'The subaccount may have been created',
		howToCheck:
			'whether it was: Subaccount → Get Many lists it (by its e-mail), and Account → Get Credits shows whether Credit To Attribute left the main balance',
	},
} satisfies Endpoint;

export const createShape = endpoint.answer;

const createFields: INodeProperties[] = [
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
	},
	{
		displayName: 'The type cannot be changed once the subaccount is created',
		name: 'typeIsFinal',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		description: 'E-mail of the subaccount holder. When empty, MailPartner generates one for a simple subaccount.',
		displayOptions: { show: { type: ['simple'] } },
	},
	{
		// The same field, shown as required for an advanced subaccount. Not `required: true`: when
		// Type is an expression n8n shows every variant of a field and would then refuse to run a
		// workflow that creates simple subaccounts without one. The node checks it per item instead.
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		hint: 'Required for an advanced subaccount',
		description: 'E-mail of the subaccount holder; it receives the sign-up mail',
		displayOptions: { show: { type: ['advanced'] } },
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
		displayOptions: { show: { type: ['advanced'] } },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{
				displayName: 'Credit To Attribute (€)',
				name: 'creditToAttribute',
				type: 'number',
				// MailPartner keeps balances to the tenth of a cent: the field keeps 3 decimals.
				typeOptions: { minValue: 0.001, numberPrecision: 3 },
				default: 10,
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
];

const types = ['simple', 'advanced'] as const;

function asIsBuyer(value: unknown): 0 | 1 | undefined {
	const normalised = typeof value === 'boolean' ? String(value) : asText(value).toLowerCase();
	if (['1', 'true', 'yes'].includes(normalised)) return 1;
	if (['0', 'false', 'no'].includes(normalised)) return 0;
	return undefined;
}

/**
 * Checks one item's inputs and writes the body as the API page shows it:
 * `{ type, parameters: { email, creditToAttribute, isBuyer, title, firstname, lastname } }`.
 */
function prepare(context: Parameters<Operation['prepare']>[0], itemIndex: number): IDataObject {
	const parameter = (name: string, fallback: unknown) => context.getNodeParameter(name, itemIndex, fallback) as unknown;
	const invalid = (message: string, hint: string) =>
		new NodeOperationError(context.getNode(), message, {
			description: `${hint} Nothing was sent and no credit was spent.`,
			itemIndex,
		});

	const typeValue = parameter('type', '');
	if (asText(typeValue) === '') throw invalid('Type is required', 'Choose Simple or Advanced; the choice is final.');
	const type = optionValue(typeValue, types);
	if (type === undefined) {
		throw invalid(
			`Type must be exactly one of ${listOf(types)}, got ${JSON.stringify(typeValue).slice(0, 40)}`,
			'Choose Simple or Advanced (an expression must give one of these values exactly: the editor shows the fields of the type it matches).',
		);
	}

	const parameters: IDataObject = {};
	const email = asText(parameter('email', ''));
	if (type === 'advanced' && email === '') {
		throw invalid('Email is required for an advanced subaccount', 'Fill in the Email field.');
	}
	if (email !== '') {
		if (emailAddress(email) === undefined) {
			throw invalid(`Email "${email.slice(0, 80)}" is not a valid e-mail address`, 'Check the Email field.');
		}
		parameters.email = email;
	}

	if (type === 'advanced') {
		const isBuyer = asIsBuyer(parameter('isBuyer', ''));
		if (isBuyer === undefined) {
			throw invalid('Is Buyer is required for an advanced subaccount', 'Set Is Buyer to Yes or No.');
		}
		parameters.isBuyer = isBuyer;
	}

	const additionalFields = (parameter('additionalFields', {}) ?? {}) as IDataObject;
	const credit = additionalFields.creditToAttribute;
	// An expression that resolves to nothing leaves the field out, as for the text fields.
	if (credit !== undefined && credit !== null && credit !== '') {
		const amount = euroAmount(credit);
		if (!amount.ok) {
			throw invalid(
				amount.reason === 'notPositive'
					? `Credit To Attribute must be greater than 0, got ${String(credit).slice(0, 40)}`
					: `Credit To Attribute must be euros in decimal notation with at most 3 decimals (like 10 or 10.5), got "${String(credit).slice(0, 40)}"`,
				'Set a positive amount in euros, or remove the field.',
			);
		}
		parameters.creditToAttribute = amount.euros;
	}
	for (const name of ['title', 'firstname', 'lastname']) {
		const value = asText(additionalFields[name]);
		if (value !== '') parameters[name] = value;
	}
	return { type, parameters };
}

export const create: Operation = {
	option: {
		name: 'Create',
		value: 'create',
		action: 'Create a subaccount',
		description: 'Create a subaccount, optionally with credits taken from the main account balance',
	},
	fields: createFields,
	endpoint,
	prepare,
	run: async (client, inputs, itemIndex) => [await client.call(endpoint, inputs, itemIndex)],
};
