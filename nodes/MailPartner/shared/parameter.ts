import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * `{{ $json.field }}` or `{{ $json["field"] }}`, and nothing else: the whole parameter is one field
 * of the item the node is working on.
 */
const plainJsonField = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(["'])([^"'\\]+)\2\s*\])\s*\}\}\s*$/;

/**
 * One item's value of a parameter, as `getNodeParameter` gives it, with one shortcut for the hot
 * path: a parameter written exactly `{{ $json.field }}` is read from the input item itself. n8n
 * would evaluate it in its expression sandbox, about 0.5 ms an item in n8n 2.41 (a third of Get
 * Status's CPU per item, measured by `npm run bench`); there `$json` is that same input item, so
 * the value is the same. Anything else goes through n8n.
 */
export function itemParameter(context: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
	const raw = context.getNode().parameters[name];
	const match = typeof raw === 'string' ? plainJsonField.exec(raw) : null;
	const item = match ? context.getInputData()[itemIndex] : undefined;
	if (match && item) {
		const field = match[1] ?? match[3];
		return Object.prototype.hasOwnProperty.call(item.json, field) ? item.json[field] : undefined;
	}
	return context.getNodeParameter(name, itemIndex, fallback);
}
