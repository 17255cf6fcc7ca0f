/**
 * `cancel`: the task and every live descendant become `cancelled` in one transaction. The tree
 * is walked with a recursive CTE over the `parent_id` index and passes through descendants that
 * are already terminal, so a live grandchild under a finished child is still cancelled.
 *
 * @module
 */
import type { CancelArgs, CancelResult, TaskStore } from '../../../store.js';
import { isVisibleTo, statusesLeadingTo } from '../../../task.js';
import type { StoreContext, Synchronous } from '../context.js';
import { CANCELLABLE, CHANGE_COLUMNS, toRecord, type ChangeColumns, type TaskRow } from '../task-row.js';

const CAN_CANCEL = statusesLeadingTo('cancelled');

/** `cancel`. */
export function prepareCancel({ db, record }: StoreContext): Synchronous<Pick<TaskStore, 'cancel'>> {
  const byId = db.prepare<[string], TaskRow>('SELECT * FROM carrel_tasks WHERE id = ?');
  const cancelTree = db.prepare<[{ id: string; status_message: string; now: number }], ChangeColumns>(
    `WITH RECURSIVE tree (id) AS (
       SELECT :id
       UNION
       SELECT child.id FROM carrel_tasks AS child JOIN tree ON child.parent_id = tree.id
     )
     UPDATE carrel_tasks
     SET status = 'cancelled', status_message = :status_message, lease_worker = NULL, lease_expires_at = NULL, updated_at = :now, finished_at = :now,
         unique_slot = CASE WHEN unique_until IS NULL THEN NULL ELSE unique_slot END
     WHERE id IN (SELECT id FROM tree) AND status IN (${CANCELLABLE})
     RETURNING ${CHANGE_COLUMNS}`,
  );

  const cancel = ({ id, owner, statusMessage, now }: CancelArgs): CancelResult => {
    const before = byId.get(id);
    if (!before || !isVisibleTo(toRecord(before), owner, now)) return { task: null, changed: false };
    // A terminal task never changes, and neither does anything below it through this call.
    if (!CAN_CANCEL.includes(before.status)) return { task: toRecord(before), changed: false };
    const cancelled = cancelTree.all({ id, status_message: statusMessage, now });
    // The task itself first, then its descendants: listeners of the parent hear of it before its children.
    cancelled.sort((a, b) => Number(b.id === id) - Number(a.id === id));
    for (const row of cancelled) record(row, 'status');
    return { task: toRecord(byId.get(id)!), changed: true };
  };

  return { cancel };
}
