/**
 * Scheduled delivery: a date-time from the editor or an expression, turned into MailPartner's
 * `scheduledDeliveryDate` (dd/mm/YYYY), `time` (hour) and `minute` (a multiple of 5).
 *
 * MailPartner does not say in which time zone it reads them. It is a French service whose
 * commercial-mail hours follow French law, so the node sends Paris wall-clock time. A value
 * without an offset (what the editor's date picker gives) is read in the workflow's time zone,
 * as n8n reads dates everywhere; a value with an offset, a Date or a Luxon DateTime is that
 * instant. Pure functions over Intl: no date library is bundled for this.
 */

const mailPartnerTimeZone = 'Europe/Paris';

const fiveMinutesMs = 5 * 60 * 1000;

export interface Schedule {
	scheduledDeliveryDate: string;
	time: string;
	minute: string;
	/** The instant it stands for, after rounding up to the next 5 minutes. */
	at: Date;
}

type ScheduleResult = { ok: true; schedule: Schedule } | { ok: false; reason: string };

const isoLike = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

interface WallClock {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
	second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
	let formatter = formatters.get(timeZone);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('en-GB', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
		});
		formatters.set(timeZone, formatter);
	}
	return formatter;
}

/** The wall-clock time of instant `ms` in `timeZone`. */
export function wallClockIn(ms: number, timeZone: string): WallClock {
	const parts: Record<string, number> = {};
	for (const part of formatterFor(timeZone).formatToParts(new Date(ms))) {
		if (part.type !== 'literal') parts[part.type] = Number(part.value);
	}
	return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

function utcOf(wall: WallClock): number {
	return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/** The instant at which `timeZone` shows `wall` (in a DST gap, the hour after; in a fold, the first). */
function instantOf(wall: WallClock, timeZone: string): number {
	const asUtc = utcOf(wall);
	const offsetAt = (ms: number) => utcOf(wallClockIn(ms, timeZone)) - Math.floor(ms / 1000) * 1000;
	let guess = asUtc - offsetAt(asUtc);
	guess = asUtc - offsetAt(guess);
	return guess;
}

/** A date-time parameter value as an instant, or why it is not one. */
export function instantOfValue(value: unknown, workflowTimeZone: string): number | string {
	if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'it is not a valid date' : value.getTime();
	if (typeof value === 'object' && value !== null && typeof (value as { toMillis?: unknown }).toMillis === 'function') {
		const ms = (value as { toMillis: () => number }).toMillis();
		return Number.isFinite(ms) ? ms : 'it is not a valid date';
	}
	if (typeof value !== 'string') return `expected a date and time, got ${typeof value}`;
	const match = isoLike.exec(value.trim());
	if (!match) return `"${value.slice(0, 40)}" is not a date and time like 2026-12-24T09:30:00`;
	const [, year, month, day, hour = '0', minute = '0', second = '0', offset] = match;
	const wall = { year: +year, month: +month, day: +day, hour: +hour, minute: +minute, second: +second };
	if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > 31 || wall.hour > 23 || wall.minute > 59 || wall.second > 59) {
		return `"${value.slice(0, 40)}" is not a valid date and time`;
	}
	// Date.UTC rolls 31/02 over into March: such a date is refused rather than moved.
	const check = new Date(utcOf(wall));
	if (check.getUTCDate() !== wall.day) return `"${value.slice(0, 40)}" is not a valid date`;
	if (offset) {
		const sign = offset.toUpperCase() === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1;
		const digits = offset.replace(/[^\d]/g, '');
		const offsetMs = sign === 0 ? 0 : sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
		return utcOf(wall) - offsetMs;
	}
	return instantOf(wall, workflowTimeZone);
}

const two = (value: number) => String(value).padStart(2, '0');

/**
 * The schedule MailPartner is sent: refused when the time asked for is not in the future, then
 * rounded up to the next 5-minute step (MailPartner takes minutes in steps of 5; never earlier
 * than asked).
 */
export function scheduleFor(value: unknown, workflowTimeZone: string, nowMs: number): ScheduleResult {
	const instant = instantOfValue(value, workflowTimeZone);
	if (typeof instant === 'string') return { ok: false, reason: instant };
	// Compared with now as the user gave it: rounded up first, a time minutes in the past (such as
	// `{{ $now }}`) would pass as the next 5-minute mark.
	if (instant <= nowMs) return { ok: false, reason: `${new Date(instant).toISOString()} is in the past` };
	const at = Math.ceil(instant / fiveMinutesMs) * fiveMinutesMs;
	const paris = wallClockIn(at, mailPartnerTimeZone);
	return {
		ok: true,
		schedule: {
			scheduledDeliveryDate: `${two(paris.day)}/${two(paris.month)}/${paris.year}`,
			time: two(paris.hour),
			minute: two(paris.minute),
			at: new Date(at),
		},
	};
}
