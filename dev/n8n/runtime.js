'use strict';
/**
 * The local n8n tooling in one import, for `npm start` (start.js), the e2e (dev/e2e) and the
 * benchmark (dev/bench). Each part lives in its own module:
 *   log.js        prefixed lines, durations, progress lines while a long step runs
 *   processes.js  child processes in their own process groups, timeouts, stop on exit or Ctrl-C
 *   install.js    Node and n8n installed once into a cache, behind a lock
 *   package.js    this package built, packed and installed into an n8n user folder
 *   net.js        free ports, readiness waits
 *   sandbox.js    the local MailPartner sandbox as a child process
 *   n8n.js        n8n's environment, its CLI (imports) and `n8n start`
 */
module.exports = {
	...require('./log'),
	...require('./processes'),
	...require('./install'),
	...require('./package'),
	...require('./net'),
	...require('./sandbox'),
	...require('./n8n'),
};
