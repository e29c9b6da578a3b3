'use strict';
/**
 * What the tooling prints: one prefix per script (`[start]`, `[e2e]`, …), durations as a person
 * reads them, and a line every 15 s while a long step (a first n8n install takes minutes) runs, so
 * it never looks stuck. Kept free of other modules so that jest can load it (test/progress.test.js).
 */

let logPrefix = '[mailpartner]';
function setLogPrefix(prefix) {
	logPrefix = prefix;
}
function log(...args) {
	console.log(logPrefix, ...args);
}

function formatSeconds(ms) {
	return `${(ms / 1000).toFixed(1)} s`;
}

/** A wait as a person reads it: `45 s`, `2 min 15 s`. */
function formatElapsed(ms) {
	const seconds = Math.floor(ms / 1000);
	return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** Every 15 s: what is running, for how long since `since`, and where its log is. Returns the stop function. */
function startProgress(what, { logFile, since = Date.now(), print = log } = {}) {
	const timer = setInterval(() => print(`${what} … ${formatElapsed(Date.now() - since)}${logFile ? ` (log: ${logFile})` : ''}`), 15000);
	return () => clearInterval(timer);
}

/** The last lines of a command's output, for error messages. */
function tail(text, lines = 30) {
	return String(text || '').trimEnd().split('\n').slice(-lines).join('\n');
}

module.exports = { log, setLogPrefix, formatSeconds, formatElapsed, startProgress, tail };
