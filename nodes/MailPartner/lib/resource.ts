import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import type { Operation } from './operation';

/** An operation as the node routes it: its module, and its name as the editor shows it. */
type RoutedOperation = Operation<unknown, unknown> & {
	/** "Message → Send": the resource's and the operation's names, for messages that say where to act. */
	label: string;
};

export interface Resource {
	/** The entry of the Resource selector. */
	option: { name: string; value: string };
	/** The operations by their selector value, for the node's router. */
	operations: Record<string, RoutedOperation>;
	/** The Operation selector of this resource, then every operation's fields, each shown for its operation only. */
	properties: INodeProperties[];
	/** The operations' own entries of the Options collection, each shown for its operation only. */
	options: INodeProperties[];
}

/**
 * One resource, from its operation modules listed once (the resource's `operations.ts`, one export
 * per operation): each operation's selector value is its name everywhere (router key, scoping of its
 * fields), and its label is derived from the names.
 */
export function resourceDescription(
	option: Resource['option'],
	operationModules: Record<string, Operation<unknown, unknown>>,
	defaultOperation: string,
): Resource {
	// In the selector's order (by name), which the canvas subtitles follow too; the fields and options
	// follow it as well, so the order does not depend on how the list was compiled (an ES module's
	// namespace lists its exports by name, tsc's CommonJS in source order).
	const routed = Object.values(operationModules)
		.map((operation) => ({ ...operation, label: `${option.name} → ${operation.option.name}` }))
		.sort((a, b) => a.option.name.localeCompare(b.option.name));
	return {
		option,
		operations: Object.fromEntries(routed.map((operation) => [operation.option.value, operation])),
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: [option.value] } },
				options: routed.map((operation) => operation.option),
				default: defaultOperation,
			},
			...routed.flatMap((operation) =>
				updateDisplayOptions({ show: { resource: [option.value], operation: [operation.option.value] } }, operation.fields),
			),
		],
		// Inside the collection, the node's parameters are reached by absolute path ("/operation").
		options: routed.flatMap((operation) =>
			updateDisplayOptions(
				{ show: { '/resource': [option.value], '/operation': [operation.option.value] } },
				operation.options ?? [],
			),
		),
	};
}
