/**
 * Keeping the API key out of everything a user can see. A server, a proxy or an error page may
 * echo the request back: the key can come back raw, URL-encoded, JSON-escaped, HTML-escaped, or as
 * XML character references that the decoder turns back into the key. So the key is removed twice:
 * from the raw text (for excerpts of unreadable answers) and from every decoded value.
 */

export type Redact = (text: string) => string;

const placeholder = '[API key]';

const regexSpecial = /[.*+?^${}()|[\]\\/]/g;
const literal = (text: string) => text.replace(regexSpecial, '\\$&');
const namedReferences: Record<string, string> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };

/**
 * Every spelling one character of the key can take in a raw answer, as a regex alternation:
 * itself, percent-encoded (once or twice, either case), a JSON `\u` escape (either case), a
 * numeric character reference (decimal or hex, leading zeros allowed), a named XML entity, and
 * the other writings some encoders use (`\/`, a form decoder's space for `+`). Servers mix these
 * freely (Go's JSON writes only `&` as `\u0026`, PHP only `/` as `\/`), so each character of the
 * key is matched on its own rather than the key in a few whole-string forms.
 */
function characterForms(char: string): string {
	const codePoint = char.codePointAt(0) ?? 0;
	const utf16 = [...Array(char.length).keys()].map((index) => `\\u${char.charCodeAt(index).toString(16).padStart(4, '0')}`).join('');
	// The UTF-8 bytes in hex: encodeURIComponent gives them for every character it encodes; the
	// ones it leaves alone are ASCII, one byte each.
	const encoded = encodeURIComponent(char);
	const percent = encoded.startsWith('%') ? encoded.slice(1).split('%') : [codePoint.toString(16).toUpperCase().padStart(2, '0')];
	const forms = [
		literal(char),
		literal(utf16),
		percent.map((hex) => `%${hex}`).join(''),
		percent.map((hex) => `%25${hex}`).join(''),
		`&#0*${codePoint};`,
		`&#x0*${codePoint.toString(16)};`,
	];
	// JSON's short escapes: `\"`, `\\`, `\n`…
	const jsonEscaped = JSON.stringify(char).slice(1, -1);
	if (jsonEscaped !== char) forms.push(literal(jsonEscaped));
	if (namedReferences[char]) forms.push(`&${namedReferences[char]};`);
	if (char === '/') forms.push('\\\\/');
	if (char === '+') forms.push(' ');
	if (char === ' ') forms.push('\\+');
	return `(?:${[...new Set(forms)].join('|')})`;
}

/** A redactor for one key; with no key there is nothing to hide. */
export function redactorFor(apiKey: string): Redact {
	if (apiKey === '') return (text) => text;
	// Case-insensitive: hex digits come in either case, and a key that differs only by case is
	// no less the key.
	const pattern = new RegExp([...apiKey].map(characterForms).join(''), 'gi');
	// Every spelling of a character is at least as long as the character itself, so a text shorter
	// than the key cannot hold it: most decoded values (statuses, dates, numbers as text) are.
	return (text) => (text.length < apiKey.length ? text : text.replace(pattern, placeholder));
}

/** Redacts every string inside a decoded answer (its depth is bounded by the operation's shape). */
export function redactValues<T>(value: T, redact: Redact): T {
	if (typeof value === 'string') return redact(value) as T;
	if (Array.isArray(value)) return value.map((item) => redactValues(item, redact)) as T;
	if (typeof value === 'object' && value !== null) {
		const result: Record<string, unknown> = {};
		for (const [key, inner] of Object.entries(value)) result[key] = redactValues(inner, redact);
		return result as T;
	}
	return value;
}
