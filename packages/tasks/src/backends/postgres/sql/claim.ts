/**
 * `claim` and `heartbeat`: taking leases and keeping them.
 *
 * Claiming locks candidate rows with `FOR UPDATE SKIP LOCKED` inside a CTE, so concurrent
 * claimers on any node pass over each other's rows instead of queueing on them, and the outer
 * UPDATE touches exactly the rows the CTE locked (the CTE fences the LIMIT from the planner).
 * A claim announces nothing: the task's status does not change.
 *
 * @module
 */
import { LIVE_STATUSES, type TaskRecord } from '../../../task.js';
import type { StoreContext } from '../context.js';
import { taskColumns, toRecord, type TaskRow } from '../row.js';

/** Leases up to `limit` claimable tasks to `worker`, spending one attempt each, in claim order. */
export async function claimTasks(
  ctx: StoreContext,
  { worker, handlers, limit, leaseMs, now }: { worker: string; handlers: readonly string[]; limit: number; leaseMs: number; now: number },
): Promise<TaskRecord[]> {
  if (limit <= 0 || handlers.length === 0) return [];
  const rows = await ctx.db.query<TaskRow>(
    `WITH next AS (
       SELECT id FROM ${ctx.tasks}
       WHERE status = 'working' AND lease_worker IS NULL AND run_at <= $3 AND handler = ANY($2)
       ORDER BY run_at, created_at, seq
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE ${ctx.tasks} t
     SET lease_worker = $1, lease_expires_at = $3::bigint + $5::bigint, attempt = t.attempt + 1, updated_at = $3
     FROM next WHERE t.id = next.id
     RETURNING ${taskColumns('t')}`,
    [worker, handlers, now, limit, leaseMs],
  );
  // RETURNING has no order of its own; hand tasks out in claim order.
  rows.sort((a, b) => a.run_at - b.run_at || a.created_at - b.created_at || a.seq - b.seq);
  return rows.map(toRecord);
}

/** Extends this worker's leases on live tasks; returns the ids still held, in the order asked. */
export async function heartbeatLeases(
  ctx: StoreContext,
  { worker, ids, leaseMs, now }: { worker: string; ids: readonly string[]; leaseMs: number; now: number },
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db.query<{ id: string }>(
    `UPDATE ${ctx.tasks} SET lease_expires_at = $3::bigint + $4::bigint
     WHERE id = ANY($1) AND lease_worker = $2 AND status = ANY($5)
     RETURNING id`,
    [ids, worker, now, leaseMs, LIVE_STATUSES],
  );
  const held = new Set(rows.map((r) => r.id));
  return ids.filter((id) => held.has(id));
}
