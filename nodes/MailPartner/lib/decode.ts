import type { IDataObject } from 'n8n-workflow';

import { codeOf, decimal, detailsOf, excerptOf, isDataObject, kindName, stringOf, withoutEnvelope, type Mapped } from './decodeRules';
import { decodeXml } from './decodeXml';
import type { Shape } from './shape';

/**
 * Reading a MailPartner answer, JSON or positional XML, into the objects the JSON answer gives.
 * Pure functions with no n8n context and no exceptions: every outcome is a typed value, so each
 * format rule is tested on its own and the caller decides how to report it.
 */

export type Decoded =
	| { kind: 'success'; payload: IDataObject }
	| Failure
	| Unreadable;

/** MailPartner's refusal: its code (undefined when the answer had none), its words, and the
 * per-field `error: [{elementId, message}]` that validation failures may add. */
interface Failure {
	kind: 'failure';
	code: number | undefined;
	message: string;
	details: string[];
}

/** The body is not a MailPartner answer we can read; `reason` says why, in plain words. */
export interface Unreadable {
	kind: 'unreadable';
	reason: string;
	/** True when the body was XML that could not be used: cut off, not well-formed, or not the operation's layout. */
	unusableXml: boolean;
	/** The start of the body, on one line, for the error description. */
	excerpt: string;
}

/** Decodes a response body; `payloadShape` is the JSON shape of what follows `success` and `code`. */
export function decodeAnswer(body: string, payloadShape: Shape): Decoded {
	const trimmed = body.trim();
	// The excerpt is only made on failure: the success path stays a plain parse.
	const unreadable = (reason: string): Unreadable => ({
		kind: 'unreadable',
		reason,
		unusableXml: false,
		excerpt: excerptOf(trimmed),
	});
	if (trimmed === '') return unreadable('MailPartner sent an empty answer');
	if (trimmed.startsWith('{')) return decodeJson(trimmed, payloadShape, unreadable);
	// HTML is rarely well-formed XML (<hr>, <br>): recognise it before the XML reader does.
	if (htmlStart.test(trimmed)) return unreadable('MailPartner answered with an HTML page');
	if (trimmed.startsWith('<')) return decodeXml(trimmed, payloadShape, unreadable);
	return unreadable('MailPartner’s answer is neither JSON nor XML');
}

const htmlStart = /^(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<(!doctype\s+html|html)[\s>]/i;

function decodeJson(body: string, payloadShape: Shape, unreadable: (reason: string) => Unreadable): Decoded {
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		return unreadable('MailPartner’s JSON answer is incomplete or malformed');
	}
	if (!isDataObject(parsed) || typeof parsed.success !== 'boolean') {
		return unreadable('MailPartner’s answer has no "success" field: it is not a MailPartner answer');
	}
	if (!parsed.success) {
		return {
			kind: 'failure',
			code: codeOf(parsed.code),
			message: stringOf(parsed.message),
			details: detailsOf(parsed.error ?? parsed.errors),
		};
	}
	// The JSON answer is held to the same shape as the XML one: the same fields, the same types,
	// nothing deeper than the shape. What is not in the shape is not output.
	const payload = conformJson(withoutEnvelope(parsed), payloadShape, '');
	if (!payload.ok) return unreadable(payload.reason);
	return { kind: 'success', payload: payload.value as IDataObject };
}

/** A value of a JSON answer checked against its shape, with the XML reader's rules and wording. */
function conformJson(value: unknown, shape: Shape, path: string): Mapped {
	const mismatch = (expected: string): Mapped => ({
		ok: false,
		reason: `MailPartner’s JSON answer did not match the expected layout at ${path || 'the answer'}: expected ${expected}, found ${describeJson(value)}`,
	});
	if (value === undefined) return mismatch(kindName[shape.kind]);
	// null stands for a missing value, as xsi:nil does in XML; lists and objects must be there.
	if (value === null) return shape.kind === 'object' || shape.kind === 'array' ? mismatch(kindName[shape.kind]) : { ok: true, value };
	switch (shape.kind) {
		case 'string':
			if (typeof value === 'string') return { ok: true, value };
			return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value: String(value) } : mismatch('a text');
		case 'number':
			if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
			return typeof value === 'string' && decimal.test(value.trim()) ? { ok: true, value: Number(value) } : mismatch('a number');
		case 'boolean':
			if (typeof value === 'boolean') return { ok: true, value };
			if (value === 1 || value === 0) return { ok: true, value: value === 1 };
			return mismatch('true or false');
		case 'array': {
			if (!Array.isArray(value)) return mismatch('a list');
			const values: unknown[] = [];
			for (const [index, item] of value.entries()) {
				const mapped = conformJson(item, shape.items, `${path}[${index}]`);
				if (!mapped.ok) return mapped;
				values.push(mapped.value);
			}
			return { ok: true, value: values };
		}
		case 'object': {
			if (!isDataObject(value)) return mismatch(`an object (${shape.fields.map(([name]) => name).join(', ')})`);
			const result: IDataObject = {};
			for (const [name, fieldShape] of shape.fields) {
				const mapped = conformJson(value[name], fieldShape, path ? `${path}.${name}` : name);
				if (!mapped.ok) return mapped;
				result[name] = mapped.value as IDataObject[string];
			}
			return { ok: true, value: result };
		}
	}
}

function describeJson(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'a null';
	if (Array.isArray(value)) return `a list of ${value.length}`;
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${excerptOf(JSON.stringify(value)).slice(0, 40)}`;
}
