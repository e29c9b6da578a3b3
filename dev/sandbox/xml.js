'use strict';

/**
 * Positional XML writer in MailPartner's style: fields have no names, each JSON value becomes one
 * `<entry>` in the JSON's order. Written by hand rather than with XMLBuilder because the published
 * samples need per-call quirks (named children, CDATA or not, quote style of the declaration, a
 * missing `<result>` opening tag) that a generic builder would normalise away.
 */

/** Marks an object whose keys must be written as element names (the /me `user` quirk). */
class Named {
	constructor(fields) {
		this.fields = fields;
	}
}

/** Marks a string to be written as escaped text instead of CDATA (the /bulk-status error quirk). */
class Plain {
	constructor(text) {
		this.text = text;
	}
}

const named = (fields) => new Named(fields);
const plain = (text) => new Plain(text);

const DECLARATIONS = {
	double: '<?xml version="1.0" encoding="UTF-8"?>',
	single: "<?xml version='1.0' encoding='UTF-8'?>",
};

function escapeText(text) {
	return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A CDATA section cannot contain `]]>`, so split it across two sections, as XML requires. */
function cdata(text) {
	return `<![CDATA[${String(text).split(']]>').join(']]]]><![CDATA[>')}]]>`;
}

function renderEntry(value, depth) {
	const pad = '    '.repeat(depth);
	if (value === null || value === undefined) return `${pad}<entry xsi:nil="true"/>`;
	if (value instanceof Plain) return `${pad}<entry>${escapeText(value.text)}</entry>`;
	if (value instanceof Named) {
		const inner = Object.entries(value.fields).map(
			([name, v]) => `${pad}    <${name}>${escapeText(v)}</${name}>`,
		);
		return [`${pad}<entry>`, ...inner, `${pad}</entry>`].join('\n');
	}
	if (typeof value === 'object') {
		const children = Array.isArray(value) ? value : Object.values(value);
		if (children.length === 0) return `${pad}<entry/>`;
		const inner = children.map((child) => renderEntry(child, depth + 1));
		return [`${pad}<entry>`, ...inner, `${pad}</entry>`].join('\n');
	}
	if (typeof value === 'string') return `${pad}<entry>${cdata(value)}</entry>`;
	return `${pad}<entry>${String(value)}</entry>`;
}

/**
 * @param {object|Array} value top-level object (or array) whose values become the root entries
 * @param {{declaration?: 'double'|'single', resultOpen?: boolean}} [style]
 *   `resultOpen: false` reproduces the published list sample, which closes a `<result>` it never opened.
 */
function renderXml(value, style = {}) {
	const { declaration = 'double', resultOpen = true } = style;
	const children = Array.isArray(value) ? value : Object.values(value);
	const lines = [DECLARATIONS[declaration]];
	if (resultOpen) lines.push('<result>');
	for (const child of children) lines.push(renderEntry(child, resultOpen ? 1 : 0));
	lines.push('</result>');
	return lines.join('\n') + '\n';
}

module.exports = { renderXml, named, plain, Named, Plain };
