/**
 * `cancel`: a live task and all its live descendants become `cancelled`, announced, in one
 * statement, so a cancel costs one round trip and its notice leaves with the commit.
 *
 * - The task moves by a compare-and-set UPDATE (live, the caller's, not expired): in READ
 *   COMMITTED an UPDATE that waits for a concurrent writer of the row re-checks its condition on
 *   the row that writer committed, so a cancel racing a completion either finds the task live and
 *   wins or finds it finished and changes nothing.
 * - Its descendants are walked from the moved row only (a finished child may still have live
 *   children) and updated by a second UPDATE that reads the first one's RETURNING: a task found
 *   finished cancels nothing below it.
 * - The descendants are those in the statement's snapshot. A child whose insert share-locked its
 *   parent before this UPDATE (`insert.ts`) commits while the UPDATE waits for it, after that
 *   snapshot: so once a cancel moved its task, the tree is walked again, with a new snapshot,
 *   until a walk finds nothing live. Any later insert under the tree finds its parent cancelled
 *   and inserts nothing, so the walks end. The notice of the task's own cancel leaves with the first
 *   statement: a running handler is aborted without waiting for the second.
 * - Only a refused cancel reads again, with a fresh snapshot: to tell a finished task from a
 *   missing or foreign one, and to see a task whose insert committed after the snapshot.
 *
 * @module
 */
import type { CancelArgs, CancelResult, TaskChangeKind, TaskStore } from '../../../store.js';
import { isVisibleTo, statusesLeadingTo } from '../../../task.js';
import { announceAll, announceParams, changesOf, type StoreContext } from '../context.js';
import { taskColumns, TASK_COLUMNS, toRecord, type TaskRow } from '../task-row.js';

const CAN_CANCEL = statusesLeadingTo('cancelled');

/** `cancel`. */
export function prepareCancel(ctx: StoreContext): Pick<TaskStore, 'cancel'> {
  const moves = `SET status = 'cancelled', status_message = $4, lease_worker = NULL, lease_expires_at = NULL, updated_at = $5, finished_at = $5,
             unique_slot = CASE WHEN t.unique_until IS NULL THEN NULL ELSE t.unique_slot END`;
  // Every task below the tasks `firstLevel` selects (walking through finished ones too), and the
  // live ones among them moved to cancelled.
  const below = (firstLevel: string) => `tree (id) AS (
         ${firstLevel}
         UNION
         SELECT child.id FROM ${ctx.tasks} child JOIN tree ON child.parent_id = tree.id
       ), descendants AS (
         UPDATE ${ctx.tasks} t ${moves}
         FROM tree WHERE t.id = tree.id AND t.status = ANY($6)
         RETURNING ${taskColumns('t')}
       )`;
  // `owner = $7 AND (expires_at …)` is `isVisibleTo` in task.ts; `status = ANY($6)` is the state machine's guard.
  const cancelTree = `WITH RECURSIVE target AS (
         UPDATE ${ctx.tasks} t ${moves}
         WHERE t.id = $3 AND t.owner = $7 AND (t.expires_at IS NULL OR t.expires_at > $5) AND t.status = ANY($6)
         RETURNING ${taskColumns('t')}
       ), ${below(`SELECT child.id FROM ${ctx.tasks} child JOIN target ON child.parent_id = target.id`)}, changed AS (
         SELECT * FROM target UNION ALL SELECT * FROM descendants
       )${announceAll(ctx, `ARRAY['status']`, 'changed', 'id = $3 DESC')}`;
  const lateDescendants = `WITH RECURSIVE ${below(`SELECT child.id FROM ${ctx.tasks} child WHERE child.parent_id = $3`)}${announceAll(
    ctx,
    `ARRAY['status']`,
    'descendants',
  )}`;
  const byId = `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE id = $1`;

  return {
    /** Cancels a live task and its live descendants; `changed` is false if it was terminal, missing, foreign or expired. */
    async cancel({ id, owner, statusMessage, now }: CancelArgs): Promise<CancelResult> {
      const moveParams = [...announceParams(ctx), id, statusMessage, now, CAN_CANCEL];
      for (;;) {
        const rows = await ctx.db.query<TaskRow & { kinds: TaskChangeKind[] }>(cancelTree, [...moveParams, owner]);
        // The cancelled task's own change first, then its descendants'.
        const ordered = [...rows].sort((a, b) => Number(b.id === id) - Number(a.id === id));
        if (ordered[0]?.id === id) {
          ctx.deliverChanges(changesOf(ordered));
          for (;;) {
            const late = await ctx.db.query<TaskRow & { kinds: TaskChangeKind[] }>(lateDescendants, moveParams);
            if (late.length === 0) break;
            ctx.deliverChanges(changesOf(late));
          }
          return { task: toRecord(ordered[0]), changed: true };
        }
        const [row] = await ctx.db.query<TaskRow>(byId, [id]);
        const task = row ? toRecord(row) : null;
        if (!task || !isVisibleTo(task, owner, now)) return { task: null, changed: false };
        if (!CAN_CANCEL.includes(task.status)) return { task, changed: false };
        // Live and the caller's, yet not moved: its insert committed after the statement's
        // snapshot was taken. The next statement sees it.
      }
    },
  };
}
