import { isSafeObjectProperty, type IExecuteFunctions } from 'n8n-workflow';

/**
 * `={{ $json.field }}`, `={{ $json["field"] }}` or `={{ $json['field'] }}`, with nothing but spaces
 * inside the braces and nothing outside them: anything after `}}`, even a newline, makes n8n's result
 * a string. A quoted field has no quote, backslash, brace or control character: n8n would read the
 * first three differently (`}}` ends the expression) and reject a line break.
 */
const plainJsonField = /^=\{\{ *\$json(?:\.([A-Za-z_$][\w$]*)|\[(["'])([^"'\\{}\p{Cc}\u2028\u2029]+)\2\]) *\}\}$/u;

/** n8n refuses any expression where this matches, whatever the item holds. */
const constructorCall = /\.\s*constructor/;

/** The item's field a parameter names, when the shortcut's answer is certainly n8n's. */
function fieldOf(raw: unknown): string | undefined {
	if (typeof raw !== 'string' || constructorCall.test(raw)) return undefined;
	const match = plainJsonField.exec(raw);
	const field = match?.[1] ?? match?.[3];
	// Names n8n's sandbox refuses (`__proto__`, `prototype`, `caller`…), from the running n8n. An
	// n8n whose n8n-workflow lacks the check gets no shortcut rather than a guess.
	const isSafe: unknown = isSafeObjectProperty;
	return field !== undefined && typeof isSafe === 'function' && isSafeObjectProperty(field) ? field : undefined;
}

type Reader = (itemIndex: number, fallback: unknown) => unknown;

function readerOf(context: IExecuteFunctions, name: string): Reader {
	const viaN8n: Reader = (itemIndex, fallback) => context.getNodeParameter(name, itemIndex, fallback);
	// The parameter as saved, expression unevaluated; null when the node has none by that name.
	const field = fieldOf(savedParameter(context, name));
	if (field === undefined) return viaN8n;
	// n8n's `$json` is the json of this same input item.
	const items = context.getInputData();
	return (itemIndex, fallback) => {
		const json: unknown = items[itemIndex]?.json;
		if (typeof json === 'object' && json !== null) {
			if (Object.hasOwn(json, field)) {
				const value: unknown = (json as Record<string, unknown>)[field];
				// n8n returns these unchanged; it turns DateTimes inside objects into strings,
				// refuses functions, and gives arrays and objects back as they are (not worth proving).
				const type = typeof value;
				if (value === null || type === 'string' || type === 'number' || type === 'boolean' || type === 'undefined') return value;
			} else if (!(field in json)) {
				// A missing field: n8n gives undefined too. An inherited one (`toString`) it refuses.
				return undefined;
			}
		}
		return viaN8n(itemIndex, fallback);
	};
}

/** This execution's entries (one context is one execution) of a cache by parameter name. */
function ofExecution<V>(cache: WeakMap<IExecuteFunctions, Map<string, V>>, context: IExecuteFunctions): Map<string, V> {
	let byName = cache.get(context);
	if (!byName) {
		byName = new Map();
		cache.set(context, byName);
	}
	return byName;
}

const savedValues = new WeakMap<IExecuteFunctions, Map<string, unknown>>();

/** A parameter as saved, expressions unevaluated (null when absent): the same for every item, so read once per execution (one context). */
export function savedParameter(context: IExecuteFunctions, name: string): unknown {
	const byName = ofExecution(savedValues, context);
	if (!byName.has(name)) byName.set(name, context.getNodeParameter(name, 0, null, { rawExpressions: true }));
	return byName.get(name);
}

/** Readers of one execution (one context), by parameter name: each parameter is looked at once. */
const readers = new WeakMap<IExecuteFunctions, Map<string, Reader>>();

/**
 * One item's value of a parameter, as `getNodeParameter(name, itemIndex, fallback)` gives it, with
 * one shortcut for the hot path: a parameter written exactly `{{ $json.field }}` (or
 * `$json["field"]`) whose field holds a string, number, boolean or null, or is missing, is read from
 * the input item itself. n8n would evaluate it in its expression sandbox, about 0.35–0.5 ms an item
 * in n8n 2.41; there `$json` is that same item and such values come back unchanged, so the value is
 * the same (test/parameter-shortcut.test.ts compares both on a table of forms). Anything else goes
 * through n8n. `name` is a top-level parameter or a path, as for `getNodeParameter`.
 *
 * The parameter is parsed on its first read in an execution, not per item. Only for parameters
 * without `validateType`: n8n checks those after evaluating, the shortcut does not.
 */
export function itemParameter(context: IExecuteFunctions, name: string, itemIndex: number, fallback: unknown): unknown {
	const byName = ofExecution(readers, context);
	let reader = byName.get(name);
	if (!reader) {
		reader = readerOf(context, name);
		byName.set(name, reader);
	}
	return reader(itemIndex, fallback);
}
