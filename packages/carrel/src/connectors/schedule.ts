/**
 * A connector's schedule: a 5-field cron expression (minute hour day-of-month month day-of-week),
 * read in an IANA time zone (UTC by default). croner only computes the times; which process runs a
 * slot is decided in the database (`store/sqlite/connector-schedules.ts`).
 *
 * @module
 */
import { Cron } from 'croner';
import { InvalidInputError } from '../errors.js';

/** A schedule as stored and shown. */
export interface Schedule {
  cron: string;
  /** IANA time zone, e.g. `Europe/Paris`; null = UTC. */
  timezone: string | null;
}

const MAX_CRON_CHARS = 200;

/** How the caller names the two fields in an error (`--schedule`, `connectors[2].schedule`, …). */
export interface ScheduleFieldNames {
  schedule: string;
  timezone: string;
}

/** The schedule checked: five fields croner accepts and a time zone the platform knows. */
export function checkSchedule(
  cron: unknown,
  timezone: unknown,
  names: ScheduleFieldNames = { schedule: 'schedule', timezone: 'timezone' },
): Schedule {
  const argument = names.schedule;
  if (typeof cron !== 'string' || cron.trim() === '' || cron.length > MAX_CRON_CHARS)
    throw new InvalidInputError(argument, 'a cron expression of five fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"');
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5)
    throw new InvalidInputError(
      argument,
      `five cron fields (minute hour day-of-month month day-of-week), not ${fields.length} in "${cron}", e.g. "0 3 * * *"`,
    );
  const zone = checkTimezone(timezone, names.timezone);
  try {
    cronOf({ cron: fields.join(' '), timezone: zone });
  } catch (error) {
    throw new InvalidInputError(argument, `a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`);
  }
  return { cron: fields.join(' '), timezone: zone };
}

/** The first slot of `schedule` strictly after `after` (ms), or null when it never runs again. */
export function nextSlot(schedule: Schedule, after: number): number | null {
  return cronOf(schedule).nextRun(new Date(after))?.getTime() ?? null;
}

function checkTimezone(timezone: unknown, argument: string): string | null {
  if (timezone === undefined || timezone === null) return null;
  const expected = 'an IANA time zone such as "UTC" or "Europe/Paris"';
  if (typeof timezone !== 'string' || timezone === '') throw new InvalidInputError(argument, expected);
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new InvalidInputError(argument, `${expected}, not "${timezone}"`);
  }
  return timezone;
}

function cronOf(schedule: Schedule): Cron {
  // paused: croner only computes times here; it never runs anything.
  return new Cron(schedule.cron, { paused: true, mode: '5-part', timezone: schedule.timezone ?? 'UTC' });
}
