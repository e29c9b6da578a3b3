'use strict';

/** Plain-text table and ratio lines for the console. */

const fmt = (value) => {
	if (!Number.isFinite(value)) return String(value);
	if (value >= 100) return value.toFixed(0);
	if (value >= 10) return value.toFixed(1);
	return value.toFixed(2);
};

function table(headers, rows) {
	const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => String(row[column]).length)));
	const line = (cells) => cells.map((cell, column) => (column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]))).join('  ');
	return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function formatCase(number, result) {
	const unit = result.unit;
	const rows = result.rows.map((row) => [row.variant, fmt(row.median), fmt(row.min), fmt(row.max), row.runs]);
	const lines = [`${number}. ${result.title}`, table(['variant', `median ${unit}`, `min ${unit}`, `max ${unit}`, 'runs'], rows)];
	for (const ratio of result.ratios) lines.push(`   ratio ${ratio.name}: ${ratio.value.toFixed(2)}   (goal: ${ratio.goal})`);
	for (const note of result.notes ?? []) lines.push(`   - ${note}`);
	return lines.join('\n');
}

module.exports = { formatCase, table, fmt };
