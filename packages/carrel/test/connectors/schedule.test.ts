/**
 * Connector schedules: five cron fields read in a time zone (UTC by default), each bad part named
 * in the caller's terms, and the next slot strictly after a given time.
 */
import { describe, expect, it } from 'vitest';
import { checkSchedule, nextSlot } from '../../src/connectors/schedule.js';

describe('connector schedules', () => {
  it('computes the next slot strictly after a time, in UTC or the given time zone', () => {
    const daily = checkSchedule('0  3 * * *', undefined);
    expect(daily).toEqual({ cron: '0 3 * * *', timezone: null });
    expect(nextSlot(daily, Date.parse('2026-01-01T02:59:00Z'))).toBe(Date.parse('2026-01-01T03:00:00Z'));
    expect(nextSlot(daily, Date.parse('2026-01-01T03:00:00Z'))).toBe(Date.parse('2026-01-02T03:00:00Z'));
    const paris = checkSchedule('0 3 * * *', 'Europe/Paris');
    expect(nextSlot(paris, Date.parse('2026-01-01T00:00:00Z'))).toBe(Date.parse('2026-01-01T02:00:00Z'));
  });

  it('names the field and what was expected for a bad expression or time zone', () => {
    expect(() => checkSchedule('0 3 * *', undefined)).toThrow(/Invalid schedule: expected five cron fields .* not 4/);
    expect(() => checkSchedule('0 0 3 * * *', undefined)).toThrow(/Invalid schedule: expected five cron fields .* not 6/);
    expect(() => checkSchedule('61 * * * *', undefined)).toThrow(/Invalid schedule: expected a valid cron expression: .*minute/);
    expect(() => checkSchedule('', undefined)).toThrow(/Invalid schedule: expected a cron expression of five fields/);
    expect(() => checkSchedule('0 3 * * *', 'Mars/Olympus')).toThrow(/Invalid timezone: expected an IANA time zone .*Mars\/Olympus/);
    expect(() => checkSchedule('0 3 * *', undefined, { schedule: '--schedule', timezone: '--timezone' })).toThrow(/Invalid --schedule/);
  });
});
