'use strict';

const fs = require('node:fs');
const path = require('node:path');

const rt = require('../../n8n/runtime');
const { summary } = require('./stats');

/** Total bytes of the files under `dir`. */
function dirBytes(dir) {
	let total = 0;
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) total += dirBytes(full);
		else if (entry.isFile()) total += fs.statSync(full).size;
	}
	return total;
}

/** Median (min–max) of `times` cold requires of `file`, each in a fresh Node 24 process. */
async function coldRequire(file, times = 5) {
	const values = [];
	for (let i = 0; i < times; i++) {
		const r = await rt.run(rt.nodeBin(), [path.join(__dirname, 'require-probe.js'), rt.n8nDir(), file], { timeoutMs: 120000 });
		if (r.code !== 0) throw new Error(`cold require of ${path.basename(file)} failed (exit ${r.code}):\n${rt.tail(r.stderr, 15)}`);
		values.push(JSON.parse(r.stdout).ms);
	}
	return { ...summary(values), values };
}

function httpRequestNodeFile() {
	return path.join(rt.n8nDir(), 'node_modules', 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js');
}

module.exports = { dirBytes, coldRequire, httpRequestNodeFile };
