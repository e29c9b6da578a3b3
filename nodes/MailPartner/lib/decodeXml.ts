import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { IDataObject } from 'n8n-workflow';

import type { Decoded, Unreadable } from './decode';
import { codeOf, decimal, excerptOf, isDataObject, kindName, stringOf, withoutEnvelope, type Mapped } from './decodeRules';
import { boolean, number, object, text, type Shape } from './shape';

/**
 * MailPartner's positional XML: each `<entry>` is the next value of the JSON object, in the
 * shape's order (docs/mailpartner-api.md). Read against the shape, never guessed.
 */

const maxXmlDepth = 16;

/** The five predefined entities and numeric character references (`&#233;`, `&#xE9;`). */
const entity = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g;
const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
	if (!value.includes('&')) return value;
	return value.replace(entity, (whole, name: string | undefined, decimalCode?: string, hexCode?: string) => {
		if (name) return namedEntities[name];
		const codePoint = decimalCode !== undefined ? Number(decimalCode) : parseInt(hexCode ?? '', 16);
		return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : whole;
	});
}

const xmlParser = new XMLParser({
	// Order is the only key to the values, so keep it.
	preserveOrder: true,
	ignoreAttributes: false,
	attributeNamePrefix: '',
	// Values are typed by the shape, never guessed: "007" stays a string, "1599061044" too.
	parseTagValue: false,
	parseAttributeValue: false,
	ignoreDeclaration: true,
	ignorePiTags: true,
	cdataPropName: '#cdata',
	trimValues: true,
	// Entities are decoded by `decodeEntities` above, in text only (never in CDATA), and a DOCTYPE
	// (the only way to declare more of them) is refused before parsing.
	processEntities: false,
	htmlEntities: false,
	// Without a decoder of its own, the parser builds its default one (copying its entity tables) on
	// every parse, though with processEntities off it never asks it to decode: that cost ~30 ms per
	// 1 000 answers. This one holds no state and decodes as `decodeEntities` does.
	entityDecoder: {
		reset: () => undefined,
		setXmlVersion: () => undefined,
		setExternalEntities: () => undefined,
		addInputEntities: () => undefined,
		decode: decodeEntities,
	},
	// MailPartner's answers nest 5 levels at most; deeper is refused, not recursed into.
	maxNestedTags: maxXmlDepth,
	// No callback is set, so the parser need not rebuild each tag's path as a string (its default).
	jPath: false,
});

/**
 * One node of fast-xml-parser's ordered output, read as it is (copying the tree first cost more
 * than parsing it): an element `{name: childNodes, ':@'?: attributes}`, a text `{'#text': value}`
 * or a CDATA section `{'#cdata': [{'#text': value}]}`.
 */
type OrderedNode = Record<string, unknown>;

/** An element's name, its one key besides the attributes; undefined for a text or a CDATA section. */
function elementName(node: OrderedNode): string | undefined {
	for (const key in node) {
		if (key !== ':@') return key === '#text' || key === '#cdata' ? undefined : key;
	}
	return undefined;
}

function childNodesOf(element: OrderedNode): OrderedNode[] {
	const name = elementName(element);
	const content = name === undefined ? undefined : element[name];
	return Array.isArray(content) ? (content as OrderedNode[]) : [];
}

function childElementsOf(nodes: OrderedNode[]): OrderedNode[] {
	const elements: OrderedNode[] = [];
	for (const node of nodes) if (elementName(node) !== undefined) elements.push(node);
	return elements;
}

function isNil(element: OrderedNode): boolean {
	const attributes = element[':@'];
	return isDataObject(attributes) && attributes['xsi:nil'] === 'true';
}

/** The text of a leaf, entities decoded outside CDATA; undefined when the element holds elements. */
function leafTextOf(nodes: OrderedNode[]): string | undefined {
	let value = '';
	for (const node of nodes) {
		if ('#text' in node) value += decodeEntities(String(node['#text']));
		// CDATA is literal: `&#233;` inside it is those six characters, as JSON would give them.
		else if ('#cdata' in node) value += cdataOf(node['#cdata']);
		else return undefined;
	}
	return value;
}

function cdataOf(nodes: unknown): string {
	if (!Array.isArray(nodes)) return '';
	let value = '';
	for (const node of nodes as OrderedNode[]) if ('#text' in node) value += String(node['#text']);
	return value;
}

export function decodeXml(
	body: string,
	payloadShape: Shape,
	unreadable: (reason: string) => Unreadable,
): Decoded {
	const mismatch = (reason: string): Unreadable => ({ ...unreadable(reason), unusableXml: true });
	// MailPartner declares no DTD; one in an answer can only define entities to expand or fetch.
	if (/<!DOCTYPE|<!ENTITY/i.test(body)) {
		return mismatch('MailPartner’s XML answer declares a DOCTYPE, which MailPartner never sends: it was not read');
	}
	// The parser alone accepts what is not XML (a cut-off body, mismatched or missing closing tags,
	// text after the root): every answer is checked first.
	const validation = XMLValidator.validate(body);
	if (validation !== true) {
		return mismatch(
			`MailPartner’s XML answer is not well-formed (line ${validation.err.line}: ${validation.err.msg})`,
		);
	}
	let roots: OrderedNode[];
	try {
		roots = childElementsOf(xmlParser.parse(body) as OrderedNode[]);
	} catch (error) {
		// The validator accepts a few bodies the parser refuses (DOCTYPE declarations, entities).
		return mismatch(`MailPartner’s XML answer could not be read (${(error as Error).message})`);
	}
	const root = roots[0];
	if (roots.length !== 1 || elementName(root) !== 'result') {
		const found = roots.map((element) => `<${elementName(element)}>`).join(', ') || 'nothing';
		return mismatch(
			`MailPartner’s XML answer did not match the expected layout: expected one <result> root, found ${found}`,
		);
	}

	const entries = childElementsOf(childNodesOf(root));
	const success = mapElement(entries[0], boolean, 'success');
	if (!success.ok) return mismatch(success.reason);
	if (success.value === null) {
		return mismatch('MailPartner’s XML answer did not match the expected layout at success: expected true or false, found a null');
	}
	if (success.value === false) {
		// Failures are small and fixed: success, code, message. Anything after them is left out.
		const code = mapElement(entries[1], number, 'code');
		const message = entries[2] ? mapElement(entries[2], text, 'message') : undefined;
		return {
			kind: 'failure',
			code: code.ok ? codeOf(code.value) : undefined,
			message: message?.ok ? stringOf(message.value) : '',
			details: [],
		};
	}

	const answer = mapElement(root, answerShapeOf(payloadShape), '');
	if (!answer.ok) return mismatch(answer.reason);
	return { kind: 'success', payload: withoutEnvelope(answer.value as IDataObject) };
}

/** The whole XML answer's shape: `success` and `code`, then the payload's fields. Made once per operation. */
const answerShapes = new WeakMap<Shape, Shape>();
function answerShapeOf(payloadShape: Shape): Shape {
	let shape = answerShapes.get(payloadShape);
	if (shape === undefined) {
		const payloadFields = payloadShape.kind === 'object' ? payloadShape.fields : [];
		shape = object({ success: boolean, code: number, ...Object.fromEntries(payloadFields) });
		answerShapes.set(payloadShape, shape);
	}
	return shape;
}

function describeElement(element: OrderedNode): string {
	if (isNil(element)) return 'a null';
	const nodes = childNodesOf(element);
	const children = childElementsOf(nodes).length;
	if (children > 0) return `${children} nested values`;
	return `"${excerptOf(leafTextOf(nodes) ?? '')}"`;
}

function layoutMismatch(path: string, expected: string, found: string): Mapped {
	return {
		ok: false,
		reason: `MailPartner’s XML answer did not match the expected layout at ${path || 'the answer'}: expected ${expected}, found ${found}`,
	};
}

/** Maps one element onto a shape, or says where and how it does not fit. Never guesses. */
function mapElement(element: OrderedNode | undefined, shape: Shape, path: string): Mapped {
	if (element === undefined) return layoutMismatch(path, `a ${shape.kind}`, 'nothing');
	// nil stands for a missing value, as null does in JSON; lists and objects must be there (a
	// null row would become an item whose JSON is null, which n8n cannot handle).
	if (isNil(element)) {
		return shape.kind === 'object' || shape.kind === 'array'
			? layoutMismatch(path, kindName[shape.kind], 'a null')
			: { ok: true, value: null };
	}
	const nodes = childNodesOf(element);

	switch (shape.kind) {
		case 'string': {
			const value = leafTextOf(nodes);
			return value !== undefined ? { ok: true, value } : layoutMismatch(path, 'a text', describeElement(element));
		}
		case 'number': {
			const value = leafTextOf(nodes);
			return value !== undefined && decimal.test(value)
				? { ok: true, value: Number(value) }
				: layoutMismatch(path, 'a number', describeElement(element));
		}
		case 'boolean': {
			const value = leafTextOf(nodes);
			if (value === 'true' || value === '1') return { ok: true, value: true };
			if (value === 'false' || value === '0') return { ok: true, value: false };
			return layoutMismatch(path, 'true or false', describeElement(element));
		}
		case 'array': {
			const children = childElementsOf(nodes);
			if (children.length === 0 && leafTextOf(nodes) !== '') return layoutMismatch(path, 'a list', describeElement(element));
			const values: unknown[] = [];
			for (let index = 0; index < children.length; index++) {
				const mapped = mapElement(children[index], shape.items, `${path}[${index}]`);
				if (!mapped.ok) return mapped;
				values.push(mapped.value);
			}
			return { ok: true, value: values };
		}
		case 'object': {
			const children = childElementsOf(nodes);
			const fields = shape.fields;
			if (children.length !== fields.length) {
				return layoutMismatch(
					path,
					`${fields.length} values (${fields.map(([name]) => name).join(', ')})`,
					children.length === 0 ? describeElement(element) : `${children.length}`,
				);
			}
			const value: IDataObject = {};
			for (let index = 0; index < fields.length; index++) {
				const [name, fieldShape] = fields[index];
				const child = children[index];
				const childPath = path ? `${path}.${name}` : name;
				// Entries are positional; a named element must carry the name it stands for.
				const childName = elementName(child);
				if (childName !== 'entry' && childName !== name) {
					return {
						ok: false,
						reason: `MailPartner’s XML answer did not match the expected layout at ${childPath}: expected <entry> or <${name}>, found <${childName}>`,
					};
				}
				const mapped = mapElement(child, fieldShape, childPath);
				if (!mapped.ok) return mapped;
				value[name] = mapped.value as IDataObject[string];
			}
			return { ok: true, value };
		}
	}
}
