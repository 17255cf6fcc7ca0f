/**
 * `get` and `list`: plain reads, no transaction needed (one statement sees one snapshot).
 * `list` is one statement for every query shape of one owner: keyset pagination on `seq` walks the
 * `(owner, seq DESC)` index from the cursor, never from the newest task. Listing every owner (an
 * operator's view) walks the `seq` index the same way.
 *
 * @module
 */
import type { ListQuery, TaskStore } from '../../../store.js';
import type { TaskRecord } from '../../../task.js';
import type { StoreContext, Synchronous } from '../context.js';
import { toRecord, type TaskRow } from '../task-row.js';

interface ListParams {
  owner?: string;
  statuses: string | null;
  handlers: string | null;
  text: string | null;
  parent_id: string | null;
  before_seq: number;
  limit: number;
}

/** `get` and `list`. */
export function prepareRead({ db }: StoreContext): Synchronous<Pick<TaskStore, 'get' | 'list'>> {
  const byId = db.prepare<[string], TaskRow>('SELECT * FROM carrel_tasks WHERE id = ?');
  const filters = `seq < :before_seq
       AND (:statuses IS NULL OR status IN (SELECT value FROM json_each(:statuses)))
       AND (:handlers IS NULL OR handler IN (SELECT value FROM json_each(:handlers)))
       AND (:text IS NULL OR instr(lower(input), lower(:text)) > 0 OR instr(lower(id), lower(:text)) > 0)
       AND (:parent_id IS NULL OR parent_id = :parent_id)
     ORDER BY seq DESC
     LIMIT :limit`;
  const page = db.prepare<[ListParams], TaskRow>(`SELECT * FROM carrel_tasks WHERE owner = :owner AND ${filters}`);
  // Every owner's tasks (an operator's view): its own statement, so the owner's query keeps its index.
  const everyOwner = db.prepare<[ListParams], TaskRow>(`SELECT * FROM carrel_tasks WHERE ${filters}`);

  return {
    get(id: string): TaskRecord | null {
      const row = byId.get(id);
      return row ? toRecord(row) : null;
    },
    list({ owner, statuses, handlers, text, parentId, limit, beforeSeq }: ListQuery): TaskRecord[] {
      const params: ListParams = {
        statuses: statuses ? JSON.stringify(statuses) : null,
        handlers: handlers ? JSON.stringify(handlers) : null,
        text: text ?? null,
        parent_id: parentId ?? null,
        // No cursor: a position after every task (a REAL infinity compares above any integer).
        before_seq: beforeSeq ?? Infinity,
        limit,
      };
      return (owner === null ? everyOwner.all(params) : page.all({ ...params, owner })).map(toRecord);
    },
  };
}
