'use strict';

/**
 * `node read-execution.js N8N_DIR DB_FILE WORKFLOW_ID AFTER_ID OUT_FILE` (on Node 24, beside n8n):
 * the newest execution of a workflow newer than AFTER_ID, from n8n's sqlite database, written to
 * OUT_FILE as `{id, status, data}` (`data`: the run data, un-flatted with n8n's own flatted).
 * Not `n8n execute --rawOutput`: a large output (the 2 000-subaccount list) printed through n8n's
 * logger was cut off now and then at exit; the database copy is complete once n8n has exited.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { DatabaseSync } = require('node:sqlite');

const [n8nDir, dbFile, workflowId, afterId, outFile] = process.argv.slice(2);
const { parse } = createRequire(path.join(n8nDir, 'node_modules', 'n8n', 'package.json'))('flatted');
const row = new DatabaseSync(dbFile, { readOnly: true })
	.prepare(
		`SELECT e.id, e.status, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id
		 WHERE e.workflowId = ? AND CAST(e.id AS INTEGER) > ? ORDER BY CAST(e.id AS INTEGER) DESC LIMIT 1`,
	)
	.get(workflowId, Number(afterId));
if (!row) {
	process.stderr.write(`no execution of workflow ${workflowId} after #${afterId} in ${dbFile}\n`);
	process.exit(1);
}
fs.writeFileSync(outFile, JSON.stringify({ id: Number(row.id), status: row.status, data: parse(row.data) }));
