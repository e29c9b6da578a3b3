import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';

import type { ClientSettings, Endpoint, MailPartnerClient } from './client';
import { mapInOrder } from './inOrder';
import { maxRequestsPerMinute } from './pacer';

/**
 * What every operation module exports, and how the node runs an operation over its items.
 * An operation keeps its fields, its request, its answer's shape and its codes in its own module
 * (Send has its fields and its request in two files beside it), listed once in its resource's
 * index (lib/resource.ts): its option value is its one name, and its label is derived.
 */
export interface Operation<Inputs = IDataObject, Execution = undefined> {
	/** The entry of the Operation selector; its value is the operation's name for the router and the fields' scoping. */
	option: INodePropertyOptions & { value: string };
	/**
	 * The operation's own fields, without `resource` and `operation` in their display options: the
	 * resource builder scopes them to the operation. The node adds the Options collection.
	 */
	fields: INodeProperties[];
	/** Optional: the operation's own entries of the node's Options collection, shown for it only. */
	options?: INodeProperties[];
	endpoint: Endpoint;
	/**
	 * Optional: what the operation reads or keeps once per execution, before the first item is
	 * checked (node-level choices, the message every gathered send shares, a list read at most
	 * once). `prepare`, `batch` and `run` of the same execution receive it; nothing outlives it.
	 * A throw stops the node: nothing was sent yet.
	 */
	start?(context: IExecuteFunctions): Execution;
	/**
	 * Reads and checks one item's inputs; throws a NodeOperationError that names the field. Nothing
	 * is sent here: every item is checked before the first request.
	 */
	prepare(context: IExecuteFunctions, itemIndex: number, execution: Execution): Inputs | Promise<Inputs>;
	/** Sends the item's request(s) and returns its output items' JSON. */
	run(client: MailPartnerClient, inputs: Inputs, itemIndex: number, execution: Execution): Promise<IDataObject[]>;
	/**
	 * Optional, for operations whose one request carries several input items (Send gathering
	 * recipients from all items): groups the checked items into requests, after every item was
	 * checked. Without it, each item is its own request. Each group's outputs are paired with
	 * every item it carried.
	 */
	batch?(context: IExecuteFunctions, checked: Array<Prepared<Inputs>>, execution: Execution): Array<Batch<Inputs>>;
}

/** One checked item. */
export interface Prepared<Inputs> {
	itemIndex: number;
	inputs: Inputs;
}

/** One request that carries `itemIndexes` (in input order, at least one). */
export interface Batch<Inputs> {
	itemIndexes: number[];
	inputs: Inputs;
}

/** Node-wide settings from Options, read once per execution (they are not per-item choices). */
interface RunSettings extends ClientSettings {
	itemsInFlight: number;
}

export const defaults = {
	/** The published samples use a 10-second client timeout; so does the node. */
	timeoutMs: 10_000,
	/** 5 % under MailPartner's 2 000 a minute, for requests that reach it later than they left. */
	requestsPerMinute: 1_900,
	/** Enough to hide the latency of one request behind others, few enough to stay gentle. */
	itemsInFlight: 8,
} as const;

/**
 * The Options collection, declared once for the node: every operation shows it, after its own
 * fields (n8n's lint wants literal defaults: they are `defaults`).
 */
export const optionsCollection: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Items In Flight',
			name: 'itemsInFlight',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
			default: 8,
			description: 'How many items are sent to MailPartner at once. Output keeps the input order.',
		},
		{
			displayName: 'Requests Per Minute',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: maxRequestsPerMinute, numberPrecision: 0 },
			default: 1900,
			description:
				'The node waits between requests to stay under this rate. MailPartner allows 2 000 a minute per IP address; 0 turns the pacing off (only for a server without that limit).',
			// Each n8n process paces itself; MailPartner counts every process behind one address together.
			hint: 'In queue mode each worker paces itself: set 1 900 ÷ the number of workers that send through the same IP address (2 workers: 950 each).',
		},
		{
			displayName: 'Response Format',
			name: 'responseFormat',
			type: 'options',
			options: [
				{ name: 'JSON', value: 'json' },
				{ name: 'XML', value: 'xml' },
			],
			default: 'json',
			description:
				'The format MailPartner answers in. The output is the same either way; leave JSON unless your setup needs XML.',
		},
		{
			displayName: 'Timeout',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1000, maxValue: 300_000, numberPrecision: 0 },
			default: 10000,
			description:
				'Milliseconds to wait for each of MailPartner’s answers, body included, before giving up',
		},
	],
};

/** Reads Options once; a value out of range stops the node before anything is sent. */
export function readSettings(context: IExecuteFunctions): RunSettings {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const whole = (name: string, label: string, fallback: number, min: number, max: number): number => {
		const raw = options[name];
		if (raw === undefined || raw === null || raw === '') return fallback;
		const value = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(String(raw)) ? Number(raw) : NaN;
		if (!Number.isInteger(value) || value < min || value > max) {
			throw new NodeOperationError(context.getNode(), `${label} must be a whole number from ${min} to ${max}, got ${String(raw)}`, {
				description: 'Change it in the node’s Options. Nothing was sent.',
			});
		}
		return value;
	};
	const format = String(options.responseFormat ?? 'json');
	if (format !== 'json' && format !== 'xml') {
		throw new NodeOperationError(context.getNode(), `Response Format must be JSON or XML, got "${format}"`, {
			description: 'Change it in the node’s Options. Nothing was sent.',
		});
	}
	return {
		format,
		timeoutMs: whole('timeout', 'Timeout', defaults.timeoutMs, 1000, 300_000),
		requestsPerMinute: whole('requestsPerMinute', 'Requests Per Minute', defaults.requestsPerMinute, 0, maxRequestsPerMinute),
		itemsInFlight: whole('itemsInFlight', 'Items In Flight', defaults.itemsInFlight, 1, 100),
	};
}

type Checked<Inputs> = { ok: true; inputs: Inputs } | { ok: false; error: NodeApiError | NodeOperationError };

/** What an error that is not one of the node's own says: it is a bug, and where it should go. */
export const unexpectedErrorDescription =
	'An unexpected error in the node, not an answer of MailPartner: please report it to the node’s maintainers with this message.';

function asNodeError(context: IExecuteFunctions, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex, description: unexpectedErrorDescription });
}

/** With several items, the check that stops the node says which item it was. */
function notSent(context: IExecuteFunctions, error: NodeApiError | NodeOperationError, itemIndex: number): NodeOperationError {
	return new NodeOperationError(context.getNode(), `Not sent: item ${itemIndex + 1} is invalid (${error.message})`, {
		description: `${error.description ?? ''} Every item is checked before any is sent: fix that item, or turn on Continue On Fail to send the valid ones.`.trim(),
		itemIndex,
	});
}

/**
 * Continue On Fail: the failing item becomes an error item, paired with its input. n8n rewrites
 * the json of a returned item that carries an `error` property to `{ error: message }`
 * (WorkflowExecute.normalizeNodeErrors), so everything the user needs goes in the json only, as
 * n8n's HTTP Request node does: `error`, the message, and `details`. n8n's "error output" takes
 * exactly such items (json keys among error, message and details) for its error branch.
 */
function errorItem(error: NodeApiError | NodeOperationError, itemIndex: number | number[]): INodeExecutionData {
	const facts: IDataObject = (error instanceof NodeApiError ? error.errorResponse : undefined) ?? {};
	const details: IDataObject = {
		...(error.description ? { description: error.description } : {}),
		...(typeof facts.code === 'number' ? { code: facts.code } : {}),
		...(typeof facts.httpStatus === 'number' ? { httpStatus: facts.httpStatus } : {}),
		...(facts.mayHaveHappened === true ? { mayHaveHappened: true } : {}),
	};
	return { json: { error: error.message, details }, pairedItem: pairedWith(itemIndex) };
}

/**
 * Without Continue On Fail a failure stops the node, and n8n outputs nothing of it: the requests
 * that went through before are not in any output. For calls that spend money the error says
 * which items those were, so that running the node again does not do them twice.
 */
function doneBeforeStop(error: NodeApiError | NodeOperationError, done: number[], label: string): void {
	if (done.length === 0) return;
	const items = done.sort((a, b) => a - b).map((index) => index + 1);
	const listed = items.length > 20 ? `${items.slice(0, 20).join(', ')} and ${items.length - 20} more` : items.join(', ');
	error.description = `${error.description ?? ''} Before the node stopped, ${label} had succeeded for item${items.length > 1 ? 's' : ''} ${listed}: n8n outputs nothing of a node that stops, and running it again would do ${items.length > 1 ? 'them' : 'it'} again. Remove ${items.length > 1 ? 'those items' : 'that item'} first, or turn on Continue On Fail to get each item’s own result.`.trim();
}

function pairedWith(itemIndex: number | number[]): INodeExecutionData['pairedItem'] {
	return Array.isArray(itemIndex) ? itemIndex.map((item) => ({ item })) : { item: itemIndex };
}

/**
 * Runs one operation over `itemCount` items: every item is checked first (nothing is sent if one is
 * invalid, unless Continue On Fail), then at most `itemsInFlight` are sent at once, and the outputs
 * come back in input order, each paired with its input item.
 */
export async function runItems<Inputs, Execution>(
	context: IExecuteFunctions,
	itemCount: number,
	operation: Operation<Inputs, Execution> & { label: string },
	client: MailPartnerClient,
	itemsInFlight: number,
): Promise<INodeExecutionData[]> {
	const continueOnFail = context.continueOnFail();
	let execution: Execution;
	try {
		execution = operation.start ? operation.start(context) : (undefined as Execution);
	} catch (error) {
		throw asNodeError(context, error, 0);
	}
	const checked: Array<Checked<Inputs>> = new Array(itemCount);
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			checked[itemIndex] = { ok: true, inputs: await operation.prepare(context, itemIndex, execution) };
		} catch (error) {
			const nodeError = asNodeError(context, error, itemIndex);
			if (!continueOnFail) throw itemCount > 1 ? notSent(context, nodeError, itemIndex) : nodeError;
			checked[itemIndex] = { ok: false, error: nodeError };
		}
	}

	// The requests to send, each with the items it carries: one per valid item, unless the
	// operation groups them. Outputs are kept at the first item of each request: input order.
	const outputs: INodeExecutionData[][] = new Array(itemCount);
	const valid: Array<Prepared<Inputs>> = [];
	for (const [itemIndex, item] of checked.entries()) {
		if (item.ok) valid.push({ itemIndex, inputs: item.inputs });
		else outputs[itemIndex] = [errorItem(item.error, itemIndex)];
	}
	let requests: Array<Batch<Inputs>>;
	try {
		requests = operation.batch
			? operation.batch(context, valid, execution)
			: valid.map(({ itemIndex, inputs }) => ({ itemIndexes: [itemIndex], inputs }));
	} catch (error) {
		throw asNodeError(context, error, valid[0]?.itemIndex ?? 0);
	}

	/** Items whose request went through, for the error when the node stops (see `doneBeforeStop`). */
	const done: number[] = [];
	try {
		await mapInOrder(requests, itemsInFlight, async ({ itemIndexes, inputs }) => {
			const first = itemIndexes[0];
			const paired = itemIndexes.length === 1 ? first : itemIndexes;
			try {
				const results = await operation.run(client, inputs, first, execution);
				outputs[first] = results.map((json) => ({ json, pairedItem: pairedWith(paired) }));
				done.push(...itemIndexes);
			} catch (error) {
				const nodeError = asNodeError(context, error, first);
				// Without Continue On Fail the node stops: no further request starts.
				if (!continueOnFail) throw nodeError;
				outputs[first] = [errorItem(nodeError, paired)];
			}
		});
	} catch (failure) {
		// The requests throw only the node's own errors: `asNodeError` hands them back as they are.
		const nodeError = asNodeError(context, failure, 0);
		if (operation.endpoint.spendsMoney) doneBeforeStop(nodeError, done, operation.label);
		throw nodeError;
	}
	return outputs.flat();
}
