import { NodeOperationError, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

/** How many results a Get Many operation outputs; Infinity for Return All. */
export interface Wanted {
	wanted: number;
}

/** n8n's Return All and Limit fields of a Get Many operation. */
export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** Reads Return All and Limit for one item; a Limit that is not a whole number ≥ 1 stops the node. */
export function readWanted(context: IExecuteFunctions, itemIndex: number): Wanted {
	const returnAllValue = context.getNodeParameter('returnAll', itemIndex, false) as unknown;
	// An expression may give "true"/"false" as text; `Boolean("false")` would be true.
	if (returnAllValue === true || returnAllValue === 'true') return { wanted: Infinity };
	const limit = context.getNodeParameter('limit', itemIndex, 50) as unknown;
	const wanted = typeof limit === 'number' ? limit : /^\s*\d+\s*$/.test(String(limit)) ? Number(limit) : NaN;
	if (!Number.isSafeInteger(wanted) || wanted < 1) {
		throw new NodeOperationError(context.getNode(), `Limit must be a whole number of at least 1, got ${String(limit).slice(0, 40)}`, {
			description: 'Set Limit, or turn on Return All. Nothing was sent.',
			itemIndex,
		});
	}
	return { wanted };
}
