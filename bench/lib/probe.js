'use strict';

const http = require('node:http');

/**
 * A pass-through HTTP proxy in front of the sandbox that records when each request starts and
 * ends, to see how many requests a client really has in flight, and how many TCP connections it
 * opens for them. Used for one untimed run only:
 * it adds a hop, so its timings are not compared with anything.
 */
async function startProbe(targetBaseUrl) {
	const target = new URL(targetBaseUrl);
	const agent = new http.Agent({ keepAlive: true });
	const origin = Date.now();
	let inFlight = 0;
	let maxInFlight = 0;
	let events = [];
	let connections = 0;

	const server = http.createServer((req, res) => {
		const page = new URL(req.url, 'http://probe.invalid').searchParams.get('page');
		const record = { path: req.url.split('?')[0], page: page === null ? null : Number(page), startMs: Date.now() - origin, endMs: null };
		events.push(record);
		inFlight += 1;
		maxInFlight = Math.max(maxInFlight, inFlight);
		const finish = () => {
			if (record.endMs !== null) return;
			record.endMs = Date.now() - origin;
			inFlight -= 1;
		};
		const upstream = http.request(
			{ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
			(answer) => {
				res.writeHead(answer.statusCode, answer.headers);
				answer.pipe(res);
				answer.on('end', finish);
			},
		);
		upstream.on('error', (error) => {
			finish();
			res.destroy(error);
		});
		req.pipe(upstream);
	});
	server.on('connection', () => {
		connections += 1;
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address();
	return {
		baseUrl: `http://127.0.0.1:${port}${target.pathname}`,
		reset() {
			events = [];
			connections = 0;
			maxInFlight = inFlight;
		},
		report: () => ({ maxInFlight, connections, requests: events.map((event) => ({ ...event })) }),
		close() {
			agent.destroy();
			return new Promise((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
	};
}

module.exports = { startProbe };
