import { describe, expect, it } from 'vitest';
import { openState, validateBusinessHours } from '../../server/domain/business-hours.ts';
import { zonedInstant } from '../../server/time/zoned-time.ts';
import { usualWaitMinutes } from '../../server/domain/presence.ts';

const weekdays = [1, 2, 3, 4, 5].map((day) => ({ day, open: '09:00', close: '17:00' }));
const hours = { timeZone: 'Europe/Berlin', windows: weekdays, holidays: ['2026-12-24'], visitorGoneMinutes: 5 };

describe('business hours', () => {
  it('is open inside a window and says when it closes', () => {
    // Tuesday 2026-12-08 10:00 in Berlin is 09:00 UTC (CET, +01:00).
    const state = openState(hours, new Date('2026-12-08T09:00:00Z'));
    expect(state).toEqual({ open: true, closesAt: new Date('2026-12-08T16:00:00Z'), nextOpenAt: null });
  });

  it('after hours on Friday the team is back on Monday 09:00 local time', () => {
    const state = openState(hours, new Date('2026-12-11T17:30:00Z'));
    expect(state).toEqual({ open: false, closesAt: null, nextOpenAt: new Date('2026-12-14T08:00:00Z') });
  });

  it('skips holidays', () => {
    // Wednesday 23 Dec after closing: the 24th is a holiday, so Friday the 25th.
    const state = openState(hours, new Date('2026-12-23T18:00:00Z'));
    expect(state.nextOpenAt).toEqual(new Date('2026-12-25T08:00:00Z'));
  });

  it('follows daylight saving time (09:00 is 07:00 UTC in summer)', () => {
    expect(zonedInstant(2026, 7, 6, 9 * 60, 'Europe/Berlin')).toEqual(new Date('2026-07-06T07:00:00Z'));
    // Sunday 29 March 2026 the clocks go forward: Monday opens at 07:00 UTC, Friday before at 08:00 UTC.
    expect(openState(hours, new Date('2026-03-28T12:00:00Z')).nextOpenAt).toEqual(new Date('2026-03-30T07:00:00Z'));
  });

  it('no hours: always open; unknown zones, overlaps and bad dates are refused', () => {
    expect(openState(null, new Date()).open).toBe(true);
    expect(() => validateBusinessHours({ ...hours, timeZone: 'Nowhere/Land' })).toThrow(/time zone/);
    expect(() =>
      validateBusinessHours({
        ...hours,
        windows: [
          { day: 1, open: '09:00', close: '12:00' },
          { day: 1, open: '11:00', close: '13:00' },
        ],
      }),
    ).toThrow(/overlap/);
    expect(() => validateBusinessHours({ ...hours, holidays: ['2026-02-30'] })).toThrow(/not a date/);
    expect(() => validateBusinessHours({ ...hours, windows: [{ day: 1, open: '17:00', close: '09:00' }] })).toThrow();
  });
});

describe('usual wait', () => {
  it('grows with the queue ahead and shrinks with agents online', () => {
    expect(usualWaitMinutes(0, 1)).toBe(4);
    expect(usualWaitMinutes(5, 1)).toBe(24);
    expect(usualWaitMinutes(5, 3)).toBe(8);
    expect(usualWaitMinutes(0, 0)).toBe(4);
    expect(usualWaitMinutes(1000, 1)).toBe(120);
  });
});
