/**
 * Connector schedules as stored, and the claim that makes one run per slot: every process on the
 * data dir may tick, and a slot goes to the one whose compare-and-set moves `next_run_at` past it.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { Schedule } from '../../connectors/schedule.js';
import type { ConnectorRecord } from '../records.js';
import { getConnector } from './connectors.js';
import { stmt } from './statements.js';

/** Sets (or with null, clears) a connector's schedule and its next slot. */
export function setConnectorSchedule(db: Database, connectorId: number, schedule: Schedule | null, nextRunAt: number | null): void {
  stmt(db, 'UPDATE connectors SET schedule = ?, schedule_tz = ?, next_run_at = ? WHERE id = ?').run(
    schedule?.cron ?? null,
    schedule?.timezone ?? null,
    schedule === null ? null : nextRunAt,
    connectorId,
  );
}

/** The scheduled connectors whose next slot is at or before `now`, earliest first. */
export function dueConnectors(db: Database, now: number): ConnectorRecord[] {
  const ids = stmt<[number], { id: number }>(
    db,
    'SELECT id FROM connectors WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at, id',
  ).all(now);
  return ids.map((r) => getConnector(db, r.id)).filter((c): c is ConnectorRecord => c !== undefined);
}

/**
 * Claims the slot `slot` of a connector, moving its next slot to `next`: true for exactly one
 * caller, however many processes try, because the update only matches while `next_run_at` still
 * holds the slot they read.
 */
export function claimScheduleSlot(db: Database, connectorId: number, slot: number, next: number | null): boolean {
  return (
    stmt(db, 'UPDATE connectors SET next_run_at = ?, last_slot_at = ?, last_slot_task = NULL WHERE id = ? AND next_run_at = ?').run(
      next,
      slot,
      connectorId,
      slot,
    ).changes === 1
  );
}

/** Records the sync task a claimed slot started or joined. */
export function recordSlotTask(db: Database, connectorId: number, slot: number, taskId: string): void {
  stmt(db, 'UPDATE connectors SET last_slot_task = ? WHERE id = ? AND last_slot_at = ?').run(taskId, connectorId, slot);
}
