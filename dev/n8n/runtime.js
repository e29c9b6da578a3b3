'use strict';
/**
 * The local n8n tooling in one import, for `npm start` (start.js), the e2e (dev/e2e) and the
 * benchmark (dev/bench); each module's header says what it is for.
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
