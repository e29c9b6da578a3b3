'use strict';
/**
 * Ports on 127.0.0.1: a free one from the kernel (listen on port 0), and whether a given one is free
 * (checked before minutes of build and install, not after).
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

module.exports = { freePort, portFree };
