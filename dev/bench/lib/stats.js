'use strict';

/** Median, min and max of a list of numbers (the median of an even count is the mean of the middle two). */
function summary(values) {
	const sorted = [...values].filter((v) => Number.isFinite(v)).sort((x, y) => x - y);
	if (sorted.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
	const mid = Math.floor(sorted.length / 2);
	const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
	return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

const round = (x, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

module.exports = { summary, round };
