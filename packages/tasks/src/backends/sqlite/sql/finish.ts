/**
 * The end of an attempt, written by the worker that holds the lease: `complete` stores the
 * terminal outcome (and releases a unique key that has no window); `retry` puts the task back to
 * `working` with a later `runAt`. Both are compare-and-set on status and lease holder, so a
 * result that arrives after a cancel, a reap or a lost lease changes nothing.
 *
 * @module
 */
import type { Database, Statement } from 'better-sqlite3';
import type { CompleteArgs, RetryArgs, TaskStore } from '../../../store.js';
import { statusesLeadingTo, type TaskRecord } from '../../../task.js';
import type { StoreContext, Synchronous } from '../context.js';
import { CHANGE_COLUMNS, HELD, json, sqlStatuses, toRecord, type ChangeColumns, type TaskRow } from '../task-row.js';

export interface CompleteParams {
  id: string;
  worker: string;
  outcome: string;
  status_message: string | null;
  now: number;
}

interface RetryParams {
  id: string;
  worker: string;
  run_at: number;
  last_error: string;
  status_message: string;
  now: number;
}

/**
 * The compare-and-set that ends an attempt in `status`, releasing a unique key that has no
 * window. Also run by `completeInTransaction` on an application's connection.
 */
export function prepareCompleteTo(db: Database, status: 'completed' | 'failed'): Statement<[CompleteParams], TaskRow> {
  return db.prepare<[CompleteParams], TaskRow>(
    `UPDATE carrel_tasks
     SET status = '${status}', outcome = :outcome, status_message = :status_message, lease_worker = NULL, lease_expires_at = NULL,
         updated_at = :now, finished_at = :now, unique_slot = CASE WHEN unique_until IS NULL THEN NULL ELSE unique_slot END
     WHERE id = :id AND lease_worker = :worker AND status IN (${sqlStatuses(statusesLeadingTo(status))})
     RETURNING *`,
  );
}

/** `complete` and `retry`. */
export function prepareFinish({ db, record }: StoreContext): Synchronous<Pick<TaskStore, 'complete' | 'retry'>> {
  const complete = { completed: prepareCompleteTo(db, 'completed'), failed: prepareCompleteTo(db, 'failed') };
  const heldStatus = db.prepare<[string, string], ChangeColumns>(
    `SELECT ${CHANGE_COLUMNS} FROM carrel_tasks WHERE id = ? AND lease_worker = ? AND status IN (${HELD})`,
  );
  // Staying in `working` is not a move, so the guard is every held status: `working` stays,
  // `input_required` moves back.
  const retry = db.prepare<[RetryParams], ChangeColumns>(
    `UPDATE carrel_tasks
     SET status = 'working', lease_worker = NULL, lease_expires_at = NULL, run_at = :run_at, last_error = :last_error,
         status_message = :status_message, updated_at = :now
     WHERE id = :id AND lease_worker = :worker AND status IN (${HELD})
     RETURNING ${CHANGE_COLUMNS}`,
  );

  return {
    complete({ id, worker, status, outcome, statusMessage, now }: CompleteArgs): TaskRecord | null {
      const row = complete[status].get({ id, worker, outcome: json(outcome), status_message: statusMessage, now });
      if (!row) return null;
      record(row, 'status');
      return toRecord(row);
    },
    retry({ id, worker, runAt, error, statusMessage, now }: RetryArgs): boolean {
      const before = heldStatus.get(id, worker);
      if (!before) return false;
      const row = retry.get({ id, worker, run_at: runAt, last_error: json(error), status_message: statusMessage, now });
      if (!row) return false;
      if (before.status !== 'working') record(row, 'status');
      record(row, 'runnable');
      return true;
    },
  };
}
