'use strict';

/** Result checks shared by the cases; each throws a plain Error naming what is wrong. */

function expectIds(label, ids, count) {
	if (ids.length !== count) throw new Error(`${label}: ${ids.length} subaccounts, expected ${count}`);
	for (let index = 0; index < ids.length; index++) {
		if (ids[index] !== index + 1) {
			throw new Error(`${label}: subaccount #${index + 1} has id ${ids[index]}, expected ${index + 1} (ids must come in the API's order)`);
		}
	}
}

/** The node's output items, or an Error with the engine's message. */
function nodeItems(label, result) {
	if (result.error) throw new Error(`${label}: the node failed: ${result.error.message}`);
	if (!Array.isArray(result.items)) throw new Error(`${label}: the node returned no items`);
	return result.items;
}

module.exports = { expectIds, nodeItems };
