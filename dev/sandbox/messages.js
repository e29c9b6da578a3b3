'use strict';

const { toMilli, addMilli, mailsFor, formatDateTime, isBlank, EMAIL, randomHex } = require('./values');
const { isUnsubscribed } = require('./accounts');

/**
 * Messages: POST /send, GET /bulk-status, GET /message-cancel. Statuses are worked out from the
 * timestamps and the clock reading each call is given, so nothing runs on a timer.
 */

/** Time from a send until its recipients leave Pending. */
const STATUS_DELAY_MS = 5000;
const CANCEL_MARGIN_MS = 5 * 60 * 1000;
/** File types a mail server refuses as attachments (the sandbox's pick for code 9: the pages list none). */
const REFUSED_TYPES = ['application/x-msdownload', 'application/x-sh', 'application/x-executable', 'application/vnd.microsoft.portable-executable'];

/** The message by id for bulk-status and cancel, which share the codes 3 (no id) and 4 (unknown). */
function findMessage(account, messageId) {
	if (isBlank(messageId)) return { error: 3 };
	return Object.hasOwn(account.messages, messageId) ? { message: account.messages[messageId] } : { error: 4 };
}
const isCancelled = (message) => message.cancelledAt !== null && message.cancelledAt !== undefined;

/** Bounces and opt-outs are driven by the address so example workflows can show each outcome. */
function outcomeFor(email) {
	const lower = email.toLowerCase();
	if (lower.includes('bounce')) return { finalStatus: 'Bounced', finalStopMail: false };
	return { finalStatus: 'Delivered', finalStopMail: lower.includes('unsubscribed') };
}

function messageStatus(account, messageId, nowMs) {
	const { message, error } = findMessage(account, messageId);
	if (error) return { error };
	const settledAt = message.settledAt ?? message.sentAt + STATUS_DELAY_MS;
	const settled = nowMs >= settledAt;
	const at = isCancelled(message) ? message.cancelledAt : settled ? settledAt : message.sentAt;
	const date = String(Math.floor(at / 1000));
	const StatutResponseList = message.recipients.map((r) =>
		isCancelled(message)
			? { email: r.email, token: r.token, status: 'Cancelled', cost: 0, stopMail: false, date }
			: { email: r.email, token: r.token, status: settled ? r.finalStatus : 'Pending', cost: r.cost, stopMail: settled ? r.finalStopMail : false, date },
	);
	return { payload: { messageId: message.messageId, StatutResponseList } };
}

/** Paris wall-clock of an instant, as a UTC-coded ms value: MailPartner's times are read as Paris time (see the README). */
const parisFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
function parisWallClockMs(ms) {
	const p = Object.fromEntries(parisFormat.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
	return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}
/** The instant Paris shows as `wallMs`; two passes settle DST changes. */
function fromParis(wallMs) {
	const guess = wallMs - (parisWallClockMs(wallMs) - wallMs);
	return wallMs - (parisWallClockMs(guess) - guess);
}

/** `scheduledDeliveryDate` (dd/mm/YYYY), `time` and `minute`, read as Paris time, with the codes 46–49 the README lists (Decisions: /send). */
function parseSchedule(body, nowMs) {
	if (isBlank(body.time)) return { error: 46 };
	if (isBlank(body.minute) || !/^\d{1,2}$/.test(String(body.minute).trim())) return { error: 47 };
	const minute = Number(body.minute);
	if (minute > 55 || minute % 5 !== 0) return { error: 48 };
	const hour = Number(body.time);
	const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(String(body.scheduledDeliveryDate).trim());
	if (!m || !Number.isInteger(hour) || hour < 0 || hour > 24) return { error: 49 };
	const wall = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), hour, minute);
	if (Number.isNaN(wall) || (new Date(wall).getUTCDate() !== Number(m[1]) && hour !== 24)) return { error: 49 };
	const at = fromParis(wall);
	return at <= nowMs ? { error: 49 } : { at, echo: formatDateTime(wall) };
}

/** The first failure code of the send's recipients, reply-to and attachments, in the README's order. */
function checkAddresses(account, body, to) {
	const seen = new Set();
	for (const r of to) {
		if (!r || typeof r !== 'object' || isBlank(r.email)) return 18;
		const email = String(r.email).trim();
		if (!EMAIL.test(email)) return 19;
		if (r.name !== undefined && isBlank(r.name)) return 21;
		if (seen.has(email.toLowerCase())) return 15;
		seen.add(email.toLowerCase());
	}
	if (to.some((r) => isUnsubscribed(account, String(r.email).trim()))) return 14;
	const { replyTo } = body;
	if (replyTo !== undefined && replyTo !== null) {
		if (typeof replyTo !== 'object' || isBlank(replyTo.email)) return 23;
		if (!EMAIL.test(String(replyTo.email).trim())) return 24;
		if (replyTo.name !== undefined && isBlank(replyTo.name)) return 25;
	}
	for (const a of body.attachments === undefined ? [] : [body.attachments].flat()) {
		if (!a || typeof a !== 'object' || isBlank(a.base64Content)) return 8;
		if (isBlank(a.filename)) return 16;
		if (REFUSED_TYPES.includes(String(a.contentType).toLowerCase())) return 9;
	}
	return null;
}

/**
 * POST /send: the error-code page's "Envoi de Mail" codes the input can cause, in the order the
 * README lists them (Decisions). Each recipient costs `pricePerMail` euros; `sandbox: 1` charges
 * nothing but keeps the message, so Get Status works on it.
 */
function sendMessage(state, account, body, nowMs) {
	if (isBlank(body.subject) || isBlank(body.htmlContent)) return { error: 2 };
	const to = body.params && Array.isArray(body.params.to) ? body.params.to : null;
	if (!to || to.length === 0) return { error: 22 };
	if (to.length > 500) return { error: 50 };
	const bad = checkAddresses(account, body, to);
	if (bad !== null) return { error: bad };
	let schedule = { at: nowMs, echo: null };
	if (!isBlank(body.scheduledDeliveryDate)) schedule = parseSchedule(body, nowMs);
	else if (!isBlank(body.time) || !isBlank(body.minute)) return { error: 45 };
	if (schedule.error) return schedule;
	const nbMail = to.length;
	const dryRun = body.sandbox === 1 || body.sandbox === '1' || body.sandbox === true;
	if (!dryRun && mailsFor(account.balance, account.pricePerMail) < nbMail) return { error: 11 };

	const messageId = String(state.nextMessageId++);
	const costMilli = dryRun ? 0 : nbMail * toMilli(account.pricePerMail);
	account.balance = addMilli(account.balance, -costMilli);
	account.messages[messageId] = {
		messageId, sentAt: schedule.at, settledAt: null, scheduled: schedule.echo !== null, cancelledAt: null, sandbox: dryRun,
		// The mail itself, so a test can open it as its recipient would (Send and Wait's links).
		subject: String(body.subject), htmlContent: String(body.htmlContent),
		recipients: to.map((r) => ({ email: String(r.email).trim(), token: randomHex(8), cost: dryRun ? 0 : 1, ...outcomeFor(String(r.email)) })),
	};
	return { payload: { messageId, nbMail, cost: costMilli / 1000, currency: account.currency, scheduledDeliveryDate: schedule.echo } };
}

/** GET /message-cancel, codes as the README says (Decisions); the cost is given back. */
function cancelMessage(account, messageId, nowMs) {
	const { message, error } = findMessage(account, messageId);
	if (error) return { error };
	if (isCancelled(message)) return { error: 5 };
	if (!message.scheduled || nowMs >= message.sentAt) return { error: 7 };
	if (message.sentAt - nowMs < CANCEL_MARGIN_MS) return { error: 6 };
	message.cancelledAt = nowMs;
	const charged = message.recipients.filter((r) => r.cost > 0).length;
	account.balance = addMilli(account.balance, charged * toMilli(account.pricePerMail));
	return { payload: { message: "L'envoi du mail a été annulé." } };
}

module.exports = { messageStatus, sendMessage, cancelMessage };
