/**
 * Upkeep every node runs: `rescueExpiredLeases` (a worker died holding a lease; `leaseHolders` names
 * the holders, for the engine to see which are gone) and `reapExpired`
 * (the TTL passed). Both read through their partial indexes, so a pass with nothing to do touches
 * no task rows, and both are idempotent when several processes run them at once.
 *
 * @module
 */
import { JsonRpcCode } from '../../../errors.js';
import type { LeaseHoldersArgs, ReapArgs, RescueArgs, TaskStore } from '../../../store.js';
import { statusesLeadingTo } from '../../../task.js';
import type { StoreContext, Synchronous } from '../context.js';
import { CHANGE_COLUMNS, HELD, json, sqlStatuses, type ChangeColumns, type TaskRow } from '../task-row.js';

type ExpiredLease = Pick<TaskRow, 'id' | 'status' | 'attempt' | 'max_attempts' | 'lease_worker' | 'lease_expires_at'>;

interface LeaseKey {
  id: string;
  status: string;
  lease_worker: string;
  lease_expires_at: number;
  now: number;
}

/** `rescueExpiredLeases` and `reapExpired`. */
export function prepareUpkeep({
  db,
  record,
}: StoreContext): Synchronous<Pick<TaskStore, 'leaseHolders' | 'rescueExpiredLeases' | 'reapExpired'>> {
  // Unexpired leases only (expired ones are rescued anyway): a range on the lease expiry index.
  const holders = db.prepare<[number], { worker: string }>(
    `SELECT DISTINCT lease_worker AS worker FROM carrel_tasks
     WHERE lease_worker IS NOT NULL AND lease_expires_at > ? AND status IN (${HELD})`,
  );
  const expiredLeases = db.prepare<[number], ExpiredLease>(
    `SELECT id, status, attempt, max_attempts, lease_worker, lease_expires_at FROM carrel_tasks
     WHERE lease_worker IS NOT NULL AND lease_expires_at <= ? AND status IN (${HELD})`,
  );
  const deadLeases = db.prepare<[number, string], ExpiredLease>(
    `SELECT id, status, attempt, max_attempts, lease_worker, lease_expires_at FROM carrel_tasks
     WHERE lease_worker IS NOT NULL AND lease_expires_at > ? AND status IN (${HELD})
       AND lease_worker IN (SELECT value FROM json_each(?))`,
  );
  // Each move below is a compare-and-set on the status and lease that were just read (a heartbeat since moves the expiry).
  const where = 'WHERE id = :id AND status = :status AND lease_worker = :lease_worker AND lease_expires_at = :lease_expires_at';
  const unleaseWaiting = db.prepare<[LeaseKey]>(
    `UPDATE carrel_tasks SET lease_worker = NULL, lease_expires_at = NULL, attempt = max(0, attempt - 1), updated_at = :now ${where}`,
  );
  const requeue = db.prepare<[LeaseKey & { status_message: string }], ChangeColumns>(
    `UPDATE carrel_tasks SET lease_worker = NULL, lease_expires_at = NULL, status_message = :status_message, updated_at = :now ${where}
     RETURNING ${CHANGE_COLUMNS}`,
  );
  const fail = db.prepare<[LeaseKey & { status_message: string; outcome: string }], ChangeColumns>(
    `UPDATE carrel_tasks
     SET status = 'failed', lease_worker = NULL, lease_expires_at = NULL, status_message = :status_message, outcome = :outcome, updated_at = :now, finished_at = :now,
         unique_slot = CASE WHEN unique_until IS NULL THEN NULL ELSE unique_slot END
     ${where} AND status IN (${sqlStatuses(statusesLeadingTo('failed'))})
     RETURNING ${CHANGE_COLUMNS}`,
  );
  const reap = db.prepare<[number, number], ChangeColumns>(
    `DELETE FROM carrel_tasks
     WHERE id IN (SELECT id FROM carrel_tasks WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?)
     RETURNING ${CHANGE_COLUMNS}`,
  );

  return {
    leaseHolders({ now }: LeaseHoldersArgs): string[] {
      return holders.all(now).map((row) => row.worker);
    },

    rescueExpiredLeases({ now, deadWorkers = [] }: RescueArgs): number {
      let touched = 0;
      const leases = [...expiredLeases.all(now), ...(deadWorkers.length > 0 ? deadLeases.all(now, JSON.stringify(deadWorkers)) : [])];
      for (const task of leases) {
        const expiresAt = task.lease_expires_at as number;
        const key: LeaseKey = {
          id: task.id,
          status: task.status,
          lease_worker: task.lease_worker as string,
          lease_expires_at: expiresAt,
          now,
        };
        const why = expiresAt <= now ? 'lease expired' : 'its process ended';
        if (task.status === 'input_required') {
          // Waiting for an answer is not work lost: the attempt is given back, nothing becomes runnable.
          touched += unleaseWaiting.run(key).changes;
        } else if (task.attempt < task.max_attempts) {
          const row = requeue.get({ ...key, status_message: `Worker lost (${why}) during attempt ${task.attempt}; retrying` });
          if (row) record(row, 'runnable');
          touched += row ? 1 : 0;
        } else {
          const statusMessage = `Worker lost (${why}) during attempt ${task.attempt} of ${task.max_attempts}`;
          const row = fail.get({
            ...key,
            status_message: statusMessage,
            outcome: json({ error: { code: JsonRpcCode.InternalError, message: statusMessage } }),
          });
          if (row) record(row, 'status');
          touched += row ? 1 : 0;
        }
      }
      return touched;
    },

    reapExpired({ now, limit }: ReapArgs): string[] {
      if (limit <= 0) return [];
      const rows = reap.all(now, limit);
      for (const row of rows) record(row, 'deleted');
      return rows.map((row) => row.id);
    },
  };
}
