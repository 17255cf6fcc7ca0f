/**
 * Leases: `claim` takes due, unleased `working` tasks for one worker; `heartbeat` extends the
 * leases it still holds; `release` hands one back without spending the attempt. Each runs inside
 * the store's `BEGIN IMMEDIATE` transaction, so two processes claiming at once are serialized by
 * the write lock and can never lease the same task.
 *
 * @module
 */
import type { ClaimArgs, HeartbeatArgs, ReleaseArgs, TaskStore } from '../../../store.js';
import type { TaskRecord } from '../../../task.js';
import type { StoreContext, Synchronous } from '../context.js';
import { CHANGE_COLUMNS, HELD, toRecord, type ChangeColumns, type TaskRow } from '../task-row.js';

interface ClaimParams {
  worker: string;
  handlers: string;
  ids: string | null;
  limit: number;
  lease_expires_at: number;
  now: number;
}

/** `claim`, `heartbeat` and `release`. */
export function prepareLease({ db, record }: StoreContext): Synchronous<Pick<TaskStore, 'claim' | 'heartbeat' | 'release'>> {
  // The inner SELECT walks the partial claim index (run_at, created_at) WHERE status = 'working' AND lease_worker IS NULL.
  const claim = db.prepare<[ClaimParams], TaskRow>(
    `UPDATE carrel_tasks SET lease_worker = :worker, lease_expires_at = :lease_expires_at, attempt = attempt + 1, updated_at = :now,
       started_at = coalesce(started_at, :now), node = :worker
     WHERE id IN (
       SELECT id FROM carrel_tasks
       WHERE status = 'working' AND lease_worker IS NULL AND run_at <= :now AND handler IN (SELECT value FROM json_each(:handlers))
         AND (:ids IS NULL OR id IN (SELECT value FROM json_each(:ids)))
       ORDER BY run_at, created_at
       LIMIT :limit)
     RETURNING *`,
  );
  const extend = db.prepare<[number, string, string], { id: string }>(
    `UPDATE carrel_tasks SET lease_expires_at = ? WHERE lease_worker = ? AND id IN (SELECT value FROM json_each(?)) AND status IN (${HELD}) RETURNING id`,
  );
  const release = db.prepare<[number, string, string], ChangeColumns>(
    `UPDATE carrel_tasks SET lease_worker = NULL, lease_expires_at = NULL, attempt = max(0, attempt - 1), updated_at = ?
     WHERE id = ? AND lease_worker = ? AND status IN (${HELD})
     RETURNING ${CHANGE_COLUMNS}`,
  );

  return {
    claim({ worker, handlers, limit, leaseMs, now, ids }: ClaimArgs): TaskRecord[] {
      if (limit <= 0 || handlers.length === 0 || ids?.length === 0) return [];
      const rows = claim.all({
        worker,
        handlers: JSON.stringify(handlers),
        ids: ids ? JSON.stringify(ids) : null,
        limit,
        lease_expires_at: now + leaseMs,
        now,
      });
      // RETURNING has no defined order; hand tasks out in the order they became due.
      return rows.map(toRecord).sort((a, b) => a.runAt - b.runAt || a.createdAt - b.createdAt);
    },
    heartbeat({ worker, ids, leaseMs, now }: HeartbeatArgs): string[] {
      if (ids.length === 0) return [];
      const held = new Set(extend.all(now + leaseMs, worker, JSON.stringify(ids)).map((row) => row.id));
      return ids.filter((id) => held.has(id));
    },
    release({ id, worker, now }: ReleaseArgs): boolean {
      const row = release.get(now, id, worker);
      if (!row) return false;
      if (row.status === 'working') record(row, 'runnable');
      return true;
    },
  };
}
