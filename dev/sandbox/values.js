'use strict';

const crypto = require('node:crypto');

/**
 * MailPartner's values as the sandbox reads and writes them: money, dates, blanks, addresses, JSON bodies.
 * Money is kept in euros, but every sum goes through integer milli-euros so repeated sends never
 * drift away from the 3-decimal strings the API shows.
 */

const toMilli = (euros) => Math.round(Number(euros) * 1000);
const formatMoney = (euros) => (toMilli(euros) / 1000).toFixed(3);
/** `balance` plus `milli` milli-euros (negative to take away), in euros. */
const addMilli = (balance, milli) => (toMilli(balance) + milli) / 1000;

/**
 * Mails a balance buys. Not stored: both /me samples satisfy floor(balance / 0.038) exactly
 * (10225.119 → 269082 and 10224.688 → 269070), so creditMail is derived from the balance.
 */
function mailsFor(balance, pricePerMail) {
	const price = toMilli(pricePerMail);
	return price > 0 ? Math.max(0, Math.floor(toMilli(balance) / price)) : 0;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: the pages show the format but not the time zone. */
const formatDateTime = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const isBlank = (v) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

// The pages only say "invalid"; this is the same loose check the node makes.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A JSON object, or null for any other body (a request body that is not one then reads as empty: "key required", as the real API says). */
function parseJsonObject(text) {
	try {
		const value = JSON.parse(text);
		return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
	} catch {
		return null;
	}
}

const randomHex = (bytes) => crypto.randomBytes(bytes).toString('hex');

module.exports = { toMilli, formatMoney, addMilli, mailsFor, formatDateTime, isBlank, EMAIL, parseJsonObject, randomHex };
