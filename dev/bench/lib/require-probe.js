'use strict';

/**
 * `node require-probe.js N8N_DIR FILE`: one cold `require(FILE)` in this fresh process, timed, with
 * n8n-workflow already loaded from n8n's install, which a bare `n8n-workflow` request resolves to
 * (as n8n gives community packages its own): neither file pays for loading it. Prints `{"ms": …}`.
 */
const Module = require('node:module');
const path = require('node:path');

const [n8nDir, file] = process.argv.slice(2);
const workflowPath = require.resolve('n8n-workflow', { paths: [path.join(n8nDir, 'node_modules', 'n8n')] });
require(workflowPath);
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
	return resolve.call(this, request === 'n8n-workflow' ? workflowPath : request, ...rest);
};
const started = process.hrtime.bigint();
require(file);
process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - started) / 1e6 }));
