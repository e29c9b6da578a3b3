import type { INodeProperties } from 'n8n-workflow';

import type { Operation } from './operation';

export interface Resource {
	/** The operations by their selector value, for the node's router. */
	operations: Record<string, Operation<unknown, unknown>>;
	/** The Operation selector of this resource, then every operation's fields. */
	properties: INodeProperties[];
}

/** One resource: its Operation selector, built from its operation modules, and their fields. */
export function resourceDescription(
	resource: string,
	operations: Record<string, Operation<unknown, unknown>>,
	defaultOperation: string,
): Resource {
	const all = Object.values(operations);
	return {
		operations,
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: [resource] } },
				options: all.map((operation) => operation.option).sort((a, b) => a.name.localeCompare(b.name)),
				default: defaultOperation,
			},
			...all.flatMap((operation) => operation.fields),
		],
	};
}
