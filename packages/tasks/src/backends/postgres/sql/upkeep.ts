/**
 * The two upkeep statements every node runs on a timer; both are idempotent, so nodes running
 * them at once only split the work.
 *
 * - `rescueExpiredLeases`: a lease that expired means its worker died (as does one held by a worker
 *   the engine found dead, from `leaseHolders`). A task waiting for input
 *   is unleased and keeps its attempt; a working task becomes claimable again, or `failed` once
 *   its attempts are spent. The statement re-checks expiry on the newest row version, so a
 *   heartbeat that commits first wins.
 * - `reapExpired`: deletes tasks past their TTL, oldest first, skipping rows another
 *   transaction holds (they are reaped on the next pass).
 *
 * Both touch many rows, so each announces its changes in one notice (or as few as fit).
 *
 * @module
 */
import type { LeaseHoldersArgs, ReapArgs, RescueArgs, TaskChangeKind, TaskStore } from '../../../store.js';
import { LIVE_STATUSES, type TaskStatus } from '../../../task.js';
import { announceAll, announceParams, changesOf, type StoreContext } from '../context.js';

/** The columns an announced change is built from. */
interface ChangedRow {
  id: string;
  owner: string;
  parent_id: string | null;
  status: TaskStatus;
  kinds: TaskChangeKind[];
}

/** `rescueExpiredLeases` and `reapExpired`. */
export function prepareUpkeep(ctx: StoreContext): Pick<TaskStore, 'leaseHolders' | 'rescueExpiredLeases' | 'reapExpired'> {
  const holders = `SELECT DISTINCT lease_worker AS worker FROM ${ctx.tasks}
     WHERE lease_worker IS NOT NULL AND lease_expires_at > $1 AND status = ANY($2)`;
  // Every SET expression reads the row as it was before the update.
  const why = `CASE WHEN lease_expires_at <= $3 THEN 'lease expired' ELSE 'its process ended' END`;
  const rescue = `WITH changed AS (
       UPDATE ${ctx.tasks}
       SET updated_at = $3, lease_worker = NULL, lease_expires_at = NULL,
           attempt = CASE WHEN status = 'input_required' THEN GREATEST(0, attempt - 1) ELSE attempt END,
           status = CASE WHEN status = 'working' AND attempt >= max_attempts THEN 'failed' ELSE status END,
           status_message = CASE
             WHEN status = 'input_required' THEN status_message
             WHEN attempt < max_attempts THEN format('Worker lost (%s) during attempt %s; retrying', ${why}, attempt)
             ELSE format('Worker lost (%s) during attempt %s of %s', ${why}, attempt, max_attempts) END,
           outcome = CASE
             WHEN status = 'working' AND attempt >= max_attempts
             THEN jsonb_build_object('error', jsonb_build_object('code', -32603, 'message', format('Worker lost (%s) during attempt %s of %s', ${why}, attempt, max_attempts)))
             ELSE outcome END,
           unique_slot = CASE WHEN status = 'working' AND attempt >= max_attempts AND unique_until IS NULL THEN NULL ELSE unique_slot END,
           finished_at = CASE WHEN status = 'working' AND attempt >= max_attempts THEN $3 ELSE finished_at END
       WHERE lease_worker IS NOT NULL AND (lease_expires_at <= $3 OR lease_worker = ANY($5::text[])) AND status = ANY($4)
       RETURNING id, owner, parent_id, status
     )${announceAll(ctx, `CASE changed.status WHEN 'working' THEN ARRAY['runnable'] WHEN 'failed' THEN ARRAY['status'] ELSE ARRAY[]::text[] END`, 'changed')}`;
  const reap = `WITH doomed AS (
       SELECT id FROM ${ctx.tasks} WHERE expires_at IS NOT NULL AND expires_at <= $3
       ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED
     ), deleted AS (
       DELETE FROM ${ctx.tasks} t USING doomed WHERE t.id = doomed.id
       RETURNING t.seq, t.id, t.owner, t.parent_id, t.status
     )${announceAll(ctx, `ARRAY['deleted']`, 'deleted', 'seq')}`;

  return {
    /** Releases or fails tasks whose lease expired; returns how many it touched. */
    /** The workers holding an unexpired lease on a live task. */
    async leaseHolders({ now }: LeaseHoldersArgs): Promise<string[]> {
      const rows = await ctx.db.query<{ worker: string }>(holders, [now, LIVE_STATUSES]);
      return rows.map((r) => r.worker);
    },

    /** Releases or fails tasks whose lease expired or whose worker is dead; returns how many it touched. */
    async rescueExpiredLeases({ now, deadWorkers = [] }: RescueArgs): Promise<number> {
      const rows = await ctx.db.query<ChangedRow>(rescue, [...announceParams(ctx), now, LIVE_STATUSES, deadWorkers]);
      ctx.deliverChanges(changesOf(rows));
      return rows.length;
    },

    /** Deletes up to `limit` tasks past their TTL; returns their ids, oldest first. */
    async reapExpired({ now, limit }: ReapArgs): Promise<string[]> {
      if (limit <= 0) return [];
      const rows = await ctx.db.query<ChangedRow & { seq: number }>(reap, [...announceParams(ctx), now, limit]);
      rows.sort((a, b) => a.seq - b.seq);
      ctx.deliverChanges(changesOf(rows));
      return rows.map((r) => r.id);
    },
  };
}
