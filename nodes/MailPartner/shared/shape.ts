/**
 * The JSON shape of each MailPartner answer, written once per operation.
 *
 * MailPartner's XML answers carry no field names: each `<entry>` is the next value of the JSON
 * object, in the JSON's order. A shape is therefore both the documentation of an answer and the
 * key that turns a positional XML tree back into the JSON object. Object fields are listed in the
 * order the API writes them.
 */
export type Shape =
	| { kind: 'string' }
	| { kind: 'number' }
	| { kind: 'boolean' }
	| { kind: 'object'; fields: ReadonlyArray<readonly [string, Shape]> }
	| { kind: 'array'; items: Shape };

export const text: Shape = { kind: 'string' };
export const number: Shape = { kind: 'number' };
export const boolean: Shape = { kind: 'boolean' };

/** An object whose keys are listed in the API's order (JavaScript keeps string-key order). */
export function object(fields: Record<string, Shape>): Shape {
	return { kind: 'object', fields: Object.entries(fields) };
}

export function arrayOf(items: Shape): Shape {
	return { kind: 'array', items };
}
