import { instantOfValue, scheduleFor, wallClockIn } from '../nodes/MailPartner/resources/message/schedule';

/**
 * Schedule At → MailPartner's date, hour and minute: pure functions, so the time zones are given
 * here (the engine's runs read the workflow's zone through `getTimezone()`).
 */

const now = Date.UTC(2030, 0, 1);

describe('Schedule At', () => {
	it('reads a value without an offset in the workflow’s time zone and sends Paris time', () => {
		// 09:00 in New York on 15 January (UTC-5) is 14:00 UTC, 15:00 in Paris (UTC+1).
		expect(scheduleFor('2030-01-15T09:00:00', 'America/New_York', now)).toMatchObject({
			ok: true,
			schedule: { scheduledDeliveryDate: '15/01/2030', time: '15', minute: '00', at: new Date(Date.UTC(2030, 0, 15, 14)) },
		});
		// The same wall clock in a Paris workflow is sent as it is.
		expect(scheduleFor('2030-01-15T09:00:00', 'Europe/Paris', now)).toMatchObject({ ok: true, schedule: { time: '09', minute: '00' } });
	});

	it('follows summer time on both sides', () => {
		// 1 July: New York UTC-4, Paris UTC+2.
		expect(scheduleFor('2030-07-01 23:10', 'America/New_York', now)).toMatchObject({
			ok: true,
			schedule: { scheduledDeliveryDate: '02/07/2030', time: '05', minute: '10' },
		});
	});

	it('rounds up to the next 5 minutes, across the hour and the day, never earlier', () => {
		expect(scheduleFor('2030-12-31T23:57:01+01:00', 'UTC', now)).toMatchObject({
			ok: true,
			schedule: { scheduledDeliveryDate: '01/01/2031', time: '00', minute: '00' },
		});
		expect(scheduleFor('2030-05-05T10:05:00+02:00', 'UTC', now)).toMatchObject({ ok: true, schedule: { time: '10', minute: '05' } });
	});

	it('takes a Date or a Luxon-like DateTime as the instant it is', () => {
		const at = new Date(Date.UTC(2030, 1, 1, 8, 0));
		expect(instantOfValue(at, 'Asia/Tokyo')).toBe(at.getTime());
		expect(instantOfValue({ toMillis: () => at.getTime() }, 'Asia/Tokyo')).toBe(at.getTime());
	});

	it('a wall-clock time that does not exist (spring forward) is the same instant one hour later', () => {
		// Paris skips 02:00–03:00 on 31 March 2030: 02:30 is read as 03:30 summer time (01:30 UTC).
		const instant = instantOfValue('2030-03-31T02:30:00', 'Europe/Paris');
		expect(typeof instant === 'number' && wallClockIn(instant, 'Europe/Paris')).toMatchObject({ hour: 3, minute: 30 });
	});

	it.each([
		['2029-12-31T23:00:00Z', /is in the past$/],
		['2029-12-31T23:58:00Z', /is in the past$/],
		['31/12/2030', /is not a date and time like/],
		['2030-13-01T10:00:00', /is not a valid date and time$/],
		['2030-02-30T10:00:00', /is not a valid date$/],
	])('refuses %s', (value, reason) => {
		const result = scheduleFor(value, 'Europe/Paris', now);
		expect(result.ok).toBe(false);
		expect(result.ok ? '' : result.reason).toMatch(reason);
	});
});
