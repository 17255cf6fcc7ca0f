/**
 * How an attempt ends for the worker holding it: `complete` (completed or failed, terminal) and
 * `retry` (back to working after a backoff).
 *
 * Each is one compare-and-set statement: it matches only if the task is in a status the move
 * may start from (from `task.ts`) and still leased by this worker, and it announces its change
 * in the same statement, so the notice is sent exactly when the change commits.
 *
 * @module
 */
import type { CompleteArgs, RetryArgs, TaskChangeKind, TaskStore } from '../../../store.js';
import { LIVE_STATUSES, statusesLeadingTo, type TaskRecord } from '../../../task.js';
import { announce, announceAll, announceParams, changesOf, type SchemaNames, type StoreContext } from '../context.js';
import { json, taskColumns, TASK_COLUMNS, toRecord, type TaskRow } from '../task-row.js';

type Noticed = TaskRow & { notice: string | null };

/**
 * The compare-and-set that ends an attempt, announcing it in the same statement; also run by
 * `completeInTransaction` on an application's client. Values: `announceParams`, then id,
 * worker, status, outcome (JSON), status message, now, and the statuses the move may start from.
 */
export function completeStatement(names: Pick<SchemaNames, 'tasks' | 'notifyFn'>): string {
  return `WITH changed AS (
       UPDATE ${names.tasks}
       SET status = $5, outcome = $6::jsonb, status_message = $7, lease_worker = NULL, lease_expires_at = NULL, updated_at = $8, finished_at = $8,
           unique_slot = CASE WHEN unique_until IS NULL THEN NULL ELSE unique_slot END
       WHERE id = $3 AND lease_worker = $4 AND status = ANY($9)
       RETURNING ${TASK_COLUMNS}
     )
     SELECT changed.*, ${announce(names, `ARRAY['status']`, 'changed')} AS notice FROM changed`;
}

/** `complete`, `completeMany` (its group commit, see `group-commit.ts`) and `retry`. */
export function prepareFinish(ctx: StoreContext): Pick<TaskStore, 'complete' | 'retry'> & {
  completeMany(calls: readonly CompleteArgs[]): Promise<(TaskRecord | null)[]>;
} {
  const complete = completeStatement(ctx);
  const completeMany = `WITH done AS (
       SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::bigint[]) AS d (id, worker, status, outcome, status_message, now)
     ), changed AS (
       UPDATE ${ctx.tasks} t
       SET status = done.status, outcome = done.outcome, status_message = done.status_message, lease_worker = NULL, lease_expires_at = NULL, updated_at = done.now, finished_at = done.now,
           unique_slot = CASE WHEN t.unique_until IS NULL THEN NULL ELSE t.unique_slot END
       FROM done
       WHERE t.id = done.id COLLATE "C" AND t.lease_worker = done.worker
         AND t.status = ANY(CASE done.status WHEN 'completed' THEN $9::text[] WHEN 'failed' THEN $10::text[] END)
       RETURNING ${taskColumns('t')}
     )${announceAll(ctx, `ARRAY['status']`, 'changed')}`;
  // The task may be waiting for input when its handler fails, so the statement reads the
  // previous status (locking the row) to know whether the status changed.
  const retry = `WITH previous AS (
       SELECT id, status FROM ${ctx.tasks} WHERE id = $3 AND lease_worker = $4 AND status = ANY($9) FOR UPDATE
     ), changed AS (
       UPDATE ${ctx.tasks} t
       SET status = 'working', lease_worker = NULL, lease_expires_at = NULL, run_at = $5, last_error = $6::jsonb, status_message = $7, updated_at = $8
       FROM previous WHERE t.id = previous.id
       RETURNING ${taskColumns('t')}, previous.status AS previous_status
     )
     SELECT ${announce(ctx, `CASE WHEN changed.previous_status = 'working' THEN ARRAY['runnable'] ELSE ARRAY['status', 'runnable'] END`, 'changed')} AS notice FROM changed`;

  return {
    /** Writes the terminal outcome; releases a unique key held without a time window. */
    async complete(args: CompleteArgs): Promise<TaskRecord | null> {
      const [row] = await ctx.db.query<Noticed>(complete, [
        ...announceParams(ctx),
        args.id,
        args.worker,
        args.status,
        json(args.outcome),
        args.statusMessage,
        args.now,
        statusesLeadingTo(args.status),
      ]);
      if (!row) return null;
      ctx.deliver([row.notice]);
      return toRecord(row);
    },

    /**
     * Several `complete` calls in one statement. Each row keeps its own compare-and-set guard (its
     * worker, the statuses its own target status may start from); the rows returned are the
     * winners, and every other call gets null exactly as its single statement would. No two calls
     * may name the same task.
     */
    async completeMany(calls: readonly CompleteArgs[]): Promise<(TaskRecord | null)[]> {
      const rows = await ctx.db.query<TaskRow & { kinds: TaskChangeKind[] }>(completeMany, [
        ...announceParams(ctx),
        calls.map((c) => c.id),
        calls.map((c) => c.worker),
        calls.map((c) => c.status),
        calls.map((c) => json(c.outcome)),
        calls.map((c) => c.statusMessage),
        calls.map((c) => c.now),
        statusesLeadingTo('completed'),
        statusesLeadingTo('failed'),
      ]);
      ctx.deliverChanges(changesOf(rows));
      const won = new Map(rows.map((row) => [row.id, row]));
      return calls.map((call) => {
        const row = won.get(call.id);
        return row ? toRecord(row) : null;
      });
    },

    /** Schedules another attempt. */
    async retry(args: RetryArgs): Promise<boolean> {
      const [row] = await ctx.db.query<{ notice: string | null }>(retry, [
        ...announceParams(ctx),
        args.id,
        args.worker,
        args.runAt,
        json(args.error),
        args.statusMessage,
        args.now,
        LIVE_STATUSES,
      ]);
      if (!row) return false;
      ctx.deliver([row.notice]);
      return true;
    },
  };
}
