/**
 * The rules for what a user types, in one place: an e-mail address, an amount in euros, and a
 * choice among an options field's values. Each returns the value to send or `undefined`; the
 * operation turns `undefined` into its own error naming the field (it knows the field's label and
 * what "nothing was sent" means for it).
 */

/**
 * Deliberately loose: MailPartner has the last word (its own codes for a bad address), this only
 * catches what is clearly not one address — no space, one `@`, a dot in the domain, none of the
 * separators of a list (`,` `;`) or of a named address (`<` `>`), at most 254 characters.
 */
const emailPattern = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

/** Text or a number as the user gave it, trimmed; anything else (an object, a list) is ''. */
export function asText(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** The address, trimmed, or undefined when it is not one plausible e-mail address. */
export function emailAddress(value: string): string | undefined {
	return emailPattern.test(value) && value.length <= 254 ? value : undefined;
}

/** Euros in decimal notation only ("0x10" or "1e3" would read as 16 or 1000), 3 decimals at most. */
const eurosText = /^\d{1,9}(\.\d{1,3})?$/;

/** What an amount in euros reads as: the amount, or why it is not one. */
type EurosResult = { ok: true; euros: number } | { ok: false; reason: 'notPositive' | 'notEuros' };

/**
 * An amount of euros greater than 0, kept to the tenth of a cent: MailPartner keeps balances to
 * three decimals. A number (the editor's number field, an expression) must be within a rounding
 * error of three decimals (`0.1 + 0.2` is 0.3); text must be written in plain decimal notation.
 */
export function euroAmount(value: unknown): EurosResult {
	let euros: number;
	if (typeof value === 'number') {
		const thousandths = Math.round(value * 1000);
		if (!Number.isFinite(value) || Math.abs(value * 1000 - thousandths) > 1e-6) return { ok: false, reason: 'notEuros' };
		euros = thousandths / 1000;
	} else {
		const written = asText(value);
		if (!eurosText.test(written.replace(/^-/, ''))) return { ok: false, reason: 'notEuros' };
		euros = Number(written);
	}
	if (euros <= 0) return { ok: false, reason: 'notPositive' };
	return euros < 1e9 ? { ok: true, euros } : { ok: false, reason: 'notEuros' };
}

/**
 * The value of an options field, compared exactly as n8n compares it when it decides which
 * fields to show: " advanced " is not "advanced" to n8n, which then hides the fields that go with
 * it, so the node refuses it instead of reading it another way than the editor did.
 */
export function optionValue<T extends string | number | boolean>(value: unknown, allowed: readonly T[]): T | undefined {
	return allowed.find((candidate) => candidate === value);
}

/** `"simple", "advanced"`: the values an options field allows, for its error message. */
export function listOf(allowed: ReadonlyArray<string | number | boolean>): string {
	return allowed.map((value) => JSON.stringify(value)).join(', ');
}
