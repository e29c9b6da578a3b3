'use strict';
/**
 * Ports on 127.0.0.1: a free one from the kernel (listen on port 0), whether a given one is free
 * (checked before minutes of build and install, not after), and a plain GET for readiness polls.
 */
const net = require('node:net');

/** Listen on `port` (0: any) and close again: the port, or null when it is taken. */
function tryListen(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(null));
		server.listen(port, '127.0.0.1', () => {
			const { port: free } = server.address();
			server.close(() => resolve(free));
		});
	});
}
const freePort = () => tryListen(0);
const portFree = async (port) => (await tryListen(port)) !== null;

/** GET `url`: {status, body}, or {status: 0, error} when nothing answers in time. */
async function httpGet(url, timeoutMs = 5000) {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
		return { status: res.status, body: await res.text() };
	} catch (err) {
		return { status: 0, error: err.message };
	}
}

module.exports = { freePort, portFree, httpGet };
