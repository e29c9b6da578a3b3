/**
 * Keeping the API key out of everything a user can see. A server, a proxy or an error page may
 * echo the request back: the key can come back raw, URL-encoded, JSON-escaped, HTML-escaped, or as
 * XML character references that the decoder turns back into the key. So the key is removed twice:
 * from the raw text (for excerpts of unreadable answers) and from every decoded value.
 */

export type Redact = (text: string) => string;

const placeholder = '[API key]';

/** Every form the key can take in a raw answer. */
function keyForms(apiKey: string): string[] {
	const urlEncoded = encodeURIComponent(apiKey);
	const jsonEscaped = JSON.stringify(apiKey).slice(1, -1);
	const forms = [
		apiKey,
		urlEncoded,
		// Query strings written with these characters left unencoded, as axios does.
		urlEncoded.replace(/%3A/gi, ':').replace(/%24/g, '$').replace(/%2C/gi, ',').replace(/%20/g, '+'),
		// application/x-www-form-urlencoded writes a space as +.
		urlEncoded.replace(/%20/g, '+'),
		jsonEscaped,
		jsonEscaped.replace(/\//g, '\\/'),
		apiKey.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
		// Every character as a \u escape or a numeric reference: a deliberate echo in disguise.
		[...apiKey].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
		[...apiKey].map((char) => `&#${char.codePointAt(0)};`).join(''),
	];
	return [...new Set(forms)].filter((form) => form !== '').sort((a, b) => b.length - a.length);
}

/** A redactor for one key; with no key there is nothing to hide. */
export function redactorFor(apiKey: string): Redact {
	if (apiKey === '') return (text) => text;
	const forms = keyForms(apiKey);
	return (text) => {
		let result = text;
		for (const form of forms) {
			if (result.includes(form)) result = result.split(form).join(placeholder);
		}
		return result;
	};
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
