'use strict';

/**
 * `node require-probe.js N8N_DIR FILE`: time one cold `require(FILE)` in this fresh process, with
 * n8n-workflow already loaded from n8n's own install, as it is inside n8n. A bare `n8n-workflow`
 * request resolves to that copy (n8n gives community packages its own the same way), so neither
 * file pays for loading n8n-workflow. Prints `{"ms": …}`.
 */
const Module = require('node:module');
const path = require('node:path');

const [n8nDir, file] = process.argv.slice(2);
const workflowPath = require.resolve('n8n-workflow', { paths: [path.join(n8nDir, 'node_modules', 'n8n')] });
require(workflowPath);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
	return request === 'n8n-workflow' ? workflowPath : resolve.call(this, request, ...rest);
};
const started = process.hrtime.bigint();
require(file);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ ms }));
