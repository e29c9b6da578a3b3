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

type CreateInputs =
	| { ok: true; body: IDataObject }
	| { ok: false; message: string; hint: string };

/**
 * Checks one item's inputs and writes the body as the API page shows it:
 * `{ type, parameters: { email, creditToAttribute, isBuyer, title, firstname, lastname } }`.
 */
function checkCreateInputs(parameter: (name: string, fallback: unknown) => unknown): CreateInputs {
	const invalid = (message: string, hint: string): CreateInputs => ({ ok: false, message, hint });

	const type = asText(parameter('type', ''));
	if (type === '') return invalid('Type is required', 'Choose Simple or Advanced; the choice is final.');
	if (type !== 'simple' && type !== 'advanced') {
		return invalid(`Type must be "simple" or "advanced", got "${type}"`, 'Choose Simple or Advanced.');
	}

	const parameters: IDataObject = {};
	const email = asText(parameter('email', ''));
	if (type === 'advanced' && email === '') {
		return invalid('Email is required for an advanced subaccount', 'Fill in the Email field.');
	}
	if (email !== '') {
		if (!emailPattern.test(email)) {
			return invalid(`Email "${email}" is not a valid e-mail address`, 'Check the Email field.');
		}
		parameters.email = email;
	}

	if (type === 'advanced') {
		const isBuyer = asIsBuyer(parameter('isBuyer', ''));
		if (isBuyer === undefined) {
			return invalid('Is Buyer is required for an advanced subaccount', 'Set Is Buyer to Yes or No.');
		}
		parameters.isBuyer = isBuyer;
	}

	const additionalFields = (parameter('additionalFields', {}) ?? {}) as IDataObject;
	const credit = additionalFields.creditToAttribute;
	// An expression that resolves to nothing leaves the field out, as for the text fields.
	if (credit !== undefined && credit !== null && credit !== '') {
		const amount = Number(credit);
		if (!Number.isFinite(amount) || amount <= 0) {
			return invalid(
				`Credit To Attribute must be greater than 0, got ${String(credit)}`,
				'Set a positive amount in euros, or remove the field.',
			);
		}
		parameters.creditToAttribute = amount;
	}
	for (const name of ['title', 'firstname', 'lastname']) {
		const value = asText(additionalFields[name]);
		if (value !== '') parameters[name] = value;
	}
	return { ok: true, body: { type, parameters } };
}

/** One check of every item per node run, shared by the items' requests. */
const checksPerRun = new WeakMap<object, CreateInputs[]>();

/** A parameter of item `itemIndex`, resolved as n8n resolves it for that item. */
function parameterOfItem(context: IExecuteSingleFunctions, itemIndex: number) {
	const resolve = (value: unknown): unknown => {
		if (typeof value === 'string' && value.startsWith('=')) {
			return context.evaluateExpression(value.slice(1), itemIndex);
		}
		if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
			return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
		}
		return value;
	};
	return (name: string, fallback: unknown) => {
		const raw = context.getNode().parameters[name];
		return raw === undefined ? fallback : resolve(raw);
	};
}

function inputItemCount(context: IExecuteSingleFunctions): number {
	try {
		return Number(context.evaluateExpression('{{ $input.all().length }}', context.getItemIndex())) || 0;
	} catch {
		// Where the input cannot be listed (e.g. a call as an AI tool), each item checks only itself.
		return 0;
	}
}

function checkEveryItem(context: IExecuteSingleFunctions): CreateInputs[] {
	const runKey = context.getExecuteData();
	let checks = checksPerRun.get(runKey);
	if (!checks) {
		checks = Array.from({ length: inputItemCount(context) }, (_, itemIndex) =>
			checkCreateInputs(parameterOfItem(context, itemIndex)),
		);
		checksPerRun.set(runKey, checks);
	}
	return checks;
}

/**
 * Creating a subaccount may spend the user's credits, and n8n sends every item's request at
 * once. So every item is checked before any is sent: an invalid item stops the whole node before
 * anything is created, unless Continue On Fail asks to create the valid ones anyway.
 */
export async function sendSubaccount(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const itemIndex = this.getItemIndex();
	const stop = (message: string, hint: string) =>
		new NodeOperationError(this.getNode(), message, {
			description: `${hint} Nothing was sent and no credit was spent.`,
			itemIndex,
		});

	if (this.getNode().retryOnFail) {
		throw stop(
			'Retry On Fail is on: a retry would create the subaccounts again',
			'n8n retries the whole node, so subaccounts already created (and their credit) would be created twice. Turn Retry On Fail off in the node’s settings.',
		);
	}

	// This item's own inputs come from n8n itself; the other items' are only checked.
	const own = checkCreateInputs((name, fallback) => this.getNodeParameter(name, fallback));
	if (!own.ok) throw stop(own.message, own.hint);
	if (!this.continueOnFail()) {
		const checks = checkEveryItem(this);
		const firstInvalid = checks.findIndex((check) => !check.ok);
		const invalid = checks[firstInvalid];
		if (invalid && !invalid.ok) {
			throw stop(
				`Not sent: item ${firstInvalid + 1} is invalid (${invalid.message})`,
				'Every item is checked before any subaccount is created. Fix that item, or turn on Continue On Fail to create the valid ones.',
			);
		}
	}

	const body = (requestOptions.body ?? {}) as IDataObject;
	return { ...requestOptions, body: { ...body, ...own.body } };
}
