/**
 * Leases: `claim` takes due, unleased `working` tasks for one worker; `heartbeat` extends the
 * leases it still holds; `release` hands one back without spending the attempt (shutdown).
 *
 * Claiming locks candidate rows with `FOR UPDATE SKIP LOCKED` inside a CTE, so concurrent
 * claimers on any node pass over each other's rows instead of queueing on them, and the outer
 * UPDATE touches exactly the rows the CTE locked (the CTE fences the LIMIT from the planner).
 * A claim announces nothing: the task's status does not change.
 *
 * @module
 */
import type { ClaimArgs, HeartbeatArgs, ReleaseArgs, TaskStore } from '../../../store.js';
import { LIVE_STATUSES, type TaskRecord } from '../../../task.js';
import { announce, announceParams, type StoreContext } from '../context.js';
import { taskColumns, TASK_COLUMNS, toRecord, type TaskRow } from '../task-row.js';

/** `claim`, `heartbeat` and `release`. */
export function prepareLease(ctx: StoreContext): Pick<TaskStore, 'claim' | 'heartbeat' | 'release'> {
  const claim = `WITH next AS (
       SELECT id FROM ${ctx.tasks}
       WHERE status = 'working' AND lease_worker IS NULL AND run_at <= $3 AND handler = ANY($2)
         AND ($6::text[] IS NULL OR id = ANY($6))
       ORDER BY run_at, created_at, seq
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE ${ctx.tasks} t
     SET lease_worker = $1, lease_expires_at = $3::bigint + $5::bigint, attempt = t.attempt + 1, updated_at = $3,
         started_at = COALESCE(t.started_at, $3), node = $1
     FROM next WHERE t.id = next.id
     RETURNING ${taskColumns('t')}`;
  const extend = `UPDATE ${ctx.tasks} SET lease_expires_at = $3::bigint + $4::bigint
     WHERE id = ANY($1) AND lease_worker = $2 AND status = ANY($5)
     RETURNING id`;
  // A working task becomes claimable again, which is announced; one waiting for input is not.
  const release = `WITH changed AS (
       UPDATE ${ctx.tasks}
       SET lease_worker = NULL, lease_expires_at = NULL, attempt = GREATEST(0, attempt - 1), updated_at = $5
       WHERE id = $3 AND lease_worker = $4 AND status = ANY($6)
       RETURNING ${TASK_COLUMNS}
     )
     SELECT ${announce(ctx, `CASE WHEN changed.status = 'working' THEN ARRAY['runnable'] ELSE ARRAY[]::text[] END`, 'changed')} AS notice FROM changed`;

  return {
    /** Leases up to `limit` claimable tasks to `worker`, spending one attempt each, in claim order. */
    async claim({ worker, handlers, limit, leaseMs, now, ids }: ClaimArgs): Promise<TaskRecord[]> {
      if (limit <= 0 || handlers.length === 0 || ids?.length === 0) return [];
      const rows = await ctx.db.query<TaskRow>(claim, [worker, handlers, now, limit, leaseMs, ids ?? null]);
      // RETURNING has no order of its own; hand tasks out in claim order.
      rows.sort((a, b) => a.run_at - b.run_at || a.created_at - b.created_at || a.seq - b.seq);
      return rows.map(toRecord);
    },

    /** Extends this worker's leases on live tasks; returns the ids still held, in the order asked. */
    async heartbeat({ worker, ids, leaseMs, now }: HeartbeatArgs): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await ctx.db.query<{ id: string }>(extend, [ids, worker, now, leaseMs, LIVE_STATUSES]);
      const held = new Set(rows.map((r) => r.id));
      return ids.filter((id) => held.has(id));
    },

    /** Gives the lease back without spending the attempt; a working task is claimable again. */
    async release({ id, worker, now }: ReleaseArgs): Promise<boolean> {
      const [row] = await ctx.db.query<{ notice: string | null }>(release, [...announceParams(ctx), id, worker, now, LIVE_STATUSES]);
      if (!row) return false;
      ctx.deliver([row.notice]);
      return true;
    },
  };
}
