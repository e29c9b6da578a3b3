/**
 * Reads the published pages' sample answers (verbatim copies in test/fixtures/pages). JavaScript
 * on purpose: n8n's lint applies its cloud rules (no file system) to every TypeScript file.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const pagesFolder = join(__dirname, '..', 'fixtures', 'pages');

/** A sample answer copied verbatim from the published pages. @param {string} name */
function pageSample(name) {
	return readFileSync(join(pagesFolder, name), 'utf8');
}

/**
 * The list page's JSON sample carries a `//` comment (a note to the reader); JSON has none.
 * @param {string} name
 * @returns {Record<string, any>}
 */
function pageJson(name) {
	return JSON.parse(pageSample(name).replace(/\/\/[^\n]*/g, ''));
}

/** A made-up key, long and unique enough that a leak check cannot match anything else. */
const testKey = 'test-key-Zq8W3xV7pL2mN9rT4yU6';

/**
 * The documented error codes of each operation, with the pages' own (French) messages.
 * @type {Record<'getCredits' | 'listSubaccounts' | 'createSubaccount' | 'getStatus' | 'send' | 'cancel', Record<string, string>>}
 */
const documentedErrors = JSON.parse(pageSample('error-codes.json'));

module.exports = { pageSample, pageJson, testKey, documentedErrors };
