'use strict';

/**
 * `npm start`'s progress lines while n8n installs (dev/n8n/log.js): the install itself
 * takes minutes, so the lines are checked on jest's fake clock.
 */

const { formatElapsed, startProgress } = require('../dev/n8n/log');

describe('install progress', () => {
	beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 0, 1, 9, 0, 0) }));
	afterEach(() => jest.useRealTimers());

	test('formatElapsed reads as a person says it', () => {
		expect([0, 999, 15000, 59999, 60000, 135000, 581400].map(formatElapsed)).toEqual(['0 s', '0 s', '15 s', '59 s', '1 min 0 s', '2 min 15 s', '9 min 41 s']);
	});

	test('one line every 15 s with what runs, the time since it began and the log; none after stop', () => {
		const lines = [];
		const began = Date.now() - 30000;
		const stop = startProgress('installing n8n 2.41.1', { logFile: '/cache/n8n-2.41.1/install.log', since: began, print: (line) => lines.push(line) });
		jest.advanceTimersByTime(14999);
		expect(lines).toEqual([]);
		jest.advanceTimersByTime(1);
		jest.advanceTimersByTime(90000);
		expect(lines).toHaveLength(7);
		expect(lines[0]).toBe('installing n8n 2.41.1 … 45 s (log: /cache/n8n-2.41.1/install.log)');
		expect(lines[6]).toBe('installing n8n 2.41.1 … 2 min 15 s (log: /cache/n8n-2.41.1/install.log)');
		stop();
		jest.advanceTimersByTime(60000);
		expect(lines).toHaveLength(7);
	});

	test('without a log file the line says only what and how long', () => {
		const lines = [];
		const stop = startProgress('waiting for the other run (pid 42)', { print: (line) => lines.push(line) });
		jest.advanceTimersByTime(15000);
		stop();
		expect(lines).toEqual(['waiting for the other run (pid 42) … 15 s']);
	});
});
