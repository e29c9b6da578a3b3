/**
 * The JSON shape of each MailPartner answer, written once per operation.
 *
 * MailPartner's XML answers carry no field names: each `<entry>` is the next value of the JSON
 * object, in the JSON's order. A shape is therefore both the documentation of an answer and the
 * key that turns a positional XML tree back into the JSON object. Object fields are listed in the
 * order the API writes them. `Answer<S>` is the type of what a shape reads, so the code that uses
 * an answer's fields needs no cast.
 */
export type Shape = Scalar<'string'> | Scalar<'number'> | Scalar<'boolean'> | ObjectShape | ArrayShape;

interface Scalar<Kind extends 'string' | 'number' | 'boolean'> {
	readonly kind: Kind;
}

/** Only in the type: the fields by name, for `Answer`. */
declare const fieldsByName: unique symbol;

export interface ObjectShape<Fields extends Record<string, Shape> = Record<string, Shape>> {
	readonly kind: 'object';
	/** In the API's order: the XML reader maps the n-th entry to the n-th field. */
	readonly fields: ReadonlyArray<readonly [string, Shape]>;
	readonly [fieldsByName]?: Fields;
}

interface ArrayShape<Items extends Shape = Shape> {
	readonly kind: 'array';
	readonly items: Items;
}

/** What a shape reads: a missing value (JSON null, XML nil) is null; lists and objects are always there. */
export type Answer<S extends Shape> =
	S extends Scalar<'string'>
		? string | null
		: S extends Scalar<'number'>
			? number | null
			: S extends Scalar<'boolean'>
				? boolean | null
				: S extends ArrayShape<infer Items>
					? Array<Answer<Items>>
					: S extends ObjectShape<infer Fields>
						? { [Name in keyof Fields]: Answer<Fields[Name]> }
						: never;

export const text: Scalar<'string'> = { kind: 'string' };
export const number: Scalar<'number'> = { kind: 'number' };
export const boolean: Scalar<'boolean'> = { kind: 'boolean' };

/** An object whose keys are listed in the API's order (JavaScript keeps string-key order). */
export function object<Fields extends Record<string, Shape>>(fields: Fields): ObjectShape<Fields> {
	return { kind: 'object', fields: Object.entries(fields) };
}

export function arrayOf<Items extends Shape>(items: Items): ArrayShape<Items> {
	return { kind: 'array', items };
}
