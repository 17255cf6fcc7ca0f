/**
 * `cancel`: a live task and all its live descendants become `cancelled` in one transaction.
 * The task's row is locked first, so it cannot finish between the check and the cascade; the
 * cascade is one recursive statement that walks every descendant (a finished child may still
 * have live children) and cancels those a cancel may start from.
 *
 * @module
 */
import { statusesLeadingTo, type TaskRecord } from '../../../task.js';
import { announce, announceParams, type StoreContext } from '../context.js';
import { taskColumns, TASK_COLUMNS, toRecord, type TaskRow } from '../row.js';

const CAN_CANCEL = statusesLeadingTo('cancelled');

/** Cancels a live task and its live descendants; `changed` is false if it was terminal or missing. */
export async function cancelTask(ctx: StoreContext, { id, statusMessage, now }: { id: string; statusMessage: string; now: number }): Promise<{ task: TaskRecord | null; changed: boolean }> {
  const outcome = await ctx.db.transaction(async (query) => {
    const [current] = await query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE id = $1 FOR UPDATE`, [id]);
    if (!current || !CAN_CANCEL.includes(current.status)) return { row: current, changed: false, notices: [] as (string | null)[] };
    const rows = await query<TaskRow & { notice: string | null }>(
      `WITH RECURSIVE tree (id) AS (
         SELECT $3::text COLLATE "C"
         UNION
         SELECT child.id FROM ${ctx.tasks} child JOIN tree ON child.parent_id = tree.id
       ), changed AS (
         UPDATE ${ctx.tasks} t
         SET status = 'cancelled', status_message = $4, lease_worker = NULL, lease_expires_at = NULL, updated_at = $5,
             unique_slot = CASE WHEN t.unique_until IS NULL THEN NULL ELSE t.unique_slot END
         FROM tree WHERE t.id = tree.id AND t.status = ANY($6)
         RETURNING ${taskColumns('t')}
       )
       SELECT changed.*, ${announce(ctx, `ARRAY['status']`, 'changed')} AS notice FROM changed`,
      [...announceParams(ctx), id, statusMessage, now, CAN_CANCEL],
    );
    // The cancelled task's own notice first, then its descendants'.
    const ordered = [...rows].sort((a, b) => Number(b.id === id) - Number(a.id === id));
    return { row: ordered[0], changed: true, notices: ordered.map((r) => r.notice) };
  });
  ctx.deliver(outcome.notices);
  return { task: outcome.row ? toRecord(outcome.row) : null, changed: outcome.changed };
}
