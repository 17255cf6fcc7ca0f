/**
 * `progress`: the holding worker records progress and/or a status message. A null argument
 * leaves that field as it is.
 *
 * @module
 */
import type { ProgressArgs, TaskStore } from '../../../store.js';
import type { StoreContext, Synchronous } from '../context.js';
import { CHANGE_COLUMNS, HELD, jsonOrNull, type ChangeColumns } from '../task-row.js';

/** `progress`. */
export function prepareProgress({ db, record }: StoreContext): Synchronous<Pick<TaskStore, 'progress'>> {
  const update = db.prepare<[string | null, string | null, number, string, string], ChangeColumns>(
    `UPDATE carrel_tasks SET progress = coalesce(?, progress), status_message = coalesce(?, status_message), updated_at = ?
     WHERE id = ? AND lease_worker = ? AND status IN (${HELD})
     RETURNING ${CHANGE_COLUMNS}`,
  );

  return {
    progress({ id, worker, progress, statusMessage, now }: ProgressArgs): boolean {
      const row = update.get(jsonOrNull(progress), statusMessage, now, id, worker);
      if (!row) return false;
      record(row, 'progress');
      return true;
    },
  };
}
