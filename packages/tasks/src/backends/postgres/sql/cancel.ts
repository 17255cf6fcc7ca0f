/**
 * `cancel`: a live task and all its live descendants become `cancelled` in one transaction.
 * The task's row is locked first, so it cannot finish between the check and the cascade; the
 * cascade is one recursive statement that walks every descendant (a finished child may still
 * have live children), cancels those a cancel may start from, and announces them all at once.
 *
 * @module
 */
import type { CancelArgs, CancelResult, TaskChange, TaskChangeKind, TaskStore } from '../../../store.js';
import { statusesLeadingTo } from '../../../task.js';
import { announceAll, announceParams, changesOf, type StoreContext } from '../context.js';
import { taskColumns, TASK_COLUMNS, toRecord, type TaskRow } from '../task-row.js';

const CAN_CANCEL = statusesLeadingTo('cancelled');

/** `cancel`. */
export function prepareCancel(ctx: StoreContext): Pick<TaskStore, 'cancel'> {
  const lock = `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE id = $1 FOR UPDATE`;
  const cancelTree = `WITH RECURSIVE tree (id) AS (
         SELECT $3::text COLLATE "C"
         UNION
         SELECT child.id FROM ${ctx.tasks} child JOIN tree ON child.parent_id = tree.id
       ), changed AS (
         UPDATE ${ctx.tasks} t
         SET status = 'cancelled', status_message = $4, lease_worker = NULL, lease_expires_at = NULL, updated_at = $5,
             unique_slot = CASE WHEN t.unique_until IS NULL THEN NULL ELSE t.unique_slot END
         FROM tree WHERE t.id = tree.id AND t.status = ANY($6)
         RETURNING ${taskColumns('t')}
       )${announceAll(ctx, `ARRAY['status']`, 'changed', 'id = $3 DESC')}`;

  return {
    /** Cancels a live task and its live descendants; `changed` is false if it was terminal or missing. */
    async cancel({ id, statusMessage, now }: CancelArgs): Promise<CancelResult> {
      const outcome = await ctx.db.transaction(async (query) => {
        const [current] = await query<TaskRow>(lock, [id]);
        if (!current || !CAN_CANCEL.includes(current.status)) return { row: current, changed: false, changes: [] as TaskChange[] };
        const rows = await query<TaskRow & { kinds: TaskChangeKind[] }>(cancelTree, [
          ...announceParams(ctx),
          id,
          statusMessage,
          now,
          CAN_CANCEL,
        ]);
        // The cancelled task's own change first, then its descendants'.
        const ordered = [...rows].sort((a, b) => Number(b.id === id) - Number(a.id === id));
        return { row: ordered[0], changed: true, changes: changesOf(ordered) };
      });
      ctx.deliverChanges(outcome.changes);
      return { task: outcome.row ? toRecord(outcome.row) : null, changed: outcome.changed };
    },
  };
}
