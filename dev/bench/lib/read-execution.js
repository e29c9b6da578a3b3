'use strict';

/**
 * `node read-execution.js N8N_DIR DB_FILE WORKFLOW_ID AFTER_ID OUT_FILE` (on the Node 24 that runs
 * n8n): the newest execution of a workflow, newer than AFTER_ID, from n8n's sqlite database, written
 * to OUT_FILE as `{id, status, data}` (`data` is the IRunExecutionData, un-flatted).
 *
 * Why not `n8n execute --rawOutput`: n8n prints the run through its logger and exits right after,
 * and a large output (the 2 000-subaccount list) was cut off now and then before the pipe drained.
 * The database copy is complete once `n8n execute` has exited. Uses n8n's own sqlite3 and flatted.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');

const [n8nDir, dbFile, workflowId, afterId, outFile] = process.argv.slice(2);
const n8nRequire = createRequire(path.join(n8nDir, 'node_modules', 'n8n', 'package.json'));
const sqlite3 = n8nRequire('sqlite3');
const { parse } = n8nRequire('flatted');

const db = new sqlite3.Database(dbFile, sqlite3.OPEN_READONLY, (openError) => {
	if (openError) fail(openError);
});
db.get(
	`SELECT e.id, e.status, d.data FROM execution_entity e JOIN execution_data d ON d.executionId = e.id
	 WHERE e.workflowId = ? AND CAST(e.id AS INTEGER) > ? ORDER BY CAST(e.id AS INTEGER) DESC LIMIT 1`,
	[workflowId, Number(afterId)],
	(error, row) => {
		if (error) return fail(error);
		if (!row) return fail(new Error(`no execution of workflow ${workflowId} after #${afterId} in ${dbFile}`));
		fs.writeFileSync(outFile, JSON.stringify({ id: Number(row.id), status: row.status, data: parse(row.data) }));
		db.close();
		return undefined;
	},
);

function fail(error) {
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
}
