/**
 * One line on the test run's own output, past jest's buffering of `console`: the totals a suite
 * prints at its end (`failures: N cases, 0 failed`). JavaScript on purpose: n8n's lint applies its
 * cloud rules (no `process`) to every TypeScript file.
 */
const write = process.stdout.write.bind(process.stdout);

module.exports = {
	/** @param {string} line */
	printLine(line) {
		write(`${line}\n`);
	},
};
