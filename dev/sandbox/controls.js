'use strict';

const { authenticate, setBalance, mainKey } = require('./accounts');

/**
 * The sandbox's own controls beside the API (README, "Controls"; a test keeps the two alike). They
 * skip faults and are not counted. Each is `(body) => [status, answer]`, the body a JSON object.
 * @param {{state: object, faults: object, setFaults: Function, reset: Function}} sandbox
 */
function createControls(sandbox) {
	return {
		'POST /__sandbox/faults': (body) => {
			try {
				return [200, { success: true, faults: sandbox.setFaults(body) }];
			} catch (error) {
				return [400, { success: false, message: error.message }];
			}
		},
		'POST /__sandbox/reset': () => {
			sandbox.reset();
			return [200, { success: true }];
		},
		// `apiKey` picks the account, the main one by default. The answer never echoes the key.
		'POST /__sandbox/balance': ({ apiKey = mainKey(sandbox.state), balance }) => {
			const auth = authenticate(sandbox.state, apiKey);
			if (auth.error) return [404, { success: false, message: 'no account has this apiKey' }];
			const credits = setBalance(auth.account, balance);
			if (credits.error) return [400, { success: false, message: credits.error }];
			return [200, { success: true, credits }];
		},
		'GET /__sandbox/state': () => [200, { success: true, state: sandbox.state, faults: sandbox.faults }],
	};
}

module.exports = { createControls };
