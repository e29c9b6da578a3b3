'use strict';

/**
 * Positional XML writer in MailPartner's style: fields have no names, each JSON value becomes one
 * `<entry>` in the JSON's order. Written by hand rather than with fast-xml-parser's XMLBuilder
 * because the published samples need per-call quirks (named children, CDATA or not, the quote
 * style of the declaration, a `<result>` closed but never opened) that a builder normalises away.
 */

// Markers: an object whose keys are written as element names (the /me `user` quirk), and a string
// written as escaped text instead of CDATA (the /bulk-status error quirk).
const NAMED = Symbol('named');
const PLAIN = Symbol('plain');

const DECLARATIONS = { double: '<?xml version="1.0" encoding="UTF-8"?>', single: "<?xml version='1.0' encoding='UTF-8'?>" };
const escapeText = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A CDATA section cannot contain `]]>`: it is split across two sections, as XML requires. */
const cdata = (text) => `<![CDATA[${String(text).split(']]>').join(']]]]><![CDATA[>')}]]>`;

function renderEntry(value, depth) {
	const pad = '    '.repeat(depth);
	const block = (inner) => [`${pad}<entry>`, ...inner, `${pad}</entry>`].join('\n');
	if (value === null || value === undefined) return `${pad}<entry xsi:nil="true"/>`;
	if (value[PLAIN] !== undefined) return `${pad}<entry>${escapeText(value[PLAIN])}</entry>`;
	if (value[NAMED]) return block(Object.entries(value[NAMED]).map(([name, v]) => `${pad}    <${name}>${escapeText(v)}</${name}>`));
	if (typeof value === 'object') {
		const children = Object.values(value);
		return children.length === 0 ? `${pad}<entry/>` : block(children.map((child) => renderEntry(child, depth + 1)));
	}
	return `${pad}<entry>${typeof value === 'string' ? cdata(value) : String(value)}</entry>`;
}

/**
 * @param {object|Array} value whose values become the root entries
 * @param {{declaration?: 'double'|'single', resultOpen?: boolean}} [style]
 *   `resultOpen: false` reproduces the published list sample, which closes a `<result>` it never opened.
 */
function renderXml(value, { declaration = 'double', resultOpen = true } = {}) {
	const entries = Object.values(value).map((child) => renderEntry(child, resultOpen ? 1 : 0));
	return [DECLARATIONS[declaration], ...(resultOpen ? ['<result>'] : []), ...entries, '</result>'].join('\n') + '\n';
}

module.exports = { renderXml, named: (fields) => ({ [NAMED]: fields }), plain: (text) => ({ [PLAIN]: text }) };
