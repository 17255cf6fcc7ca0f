/**
 * Reads: one task by id, and an owner's tasks (or every owner's, for an operator) newest first with
 * keyset paging.
 *
 * `seq` is an identity, taken when the INSERT runs, not when it commits: two inserts in flight at
 * once may commit in the opposite order. A page read between those commits shows the newer task
 * without the older one, and if its cursor has already passed the older one's seq, that walk
 * never shows it. That is the same as for a task created after the walk began (lists are not a
 * snapshot); no task is ever shown twice or out of order, and every task committed before the
 * first page was read is listed. The window is one insert's transaction, so this is accepted
 * rather than paid for with a lock that would serialize every insert in the cluster.
 *
 * @module
 */
import type { ListQuery, TaskStore } from '../../../store.js';
import type { TaskRecord } from '../../../task.js';
import type { StoreContext } from '../context.js';
import { TASK_COLUMNS, toRecord, type TaskRow } from '../task-row.js';

/** `get` and `list`. */
export function prepareRead(ctx: StoreContext): Pick<TaskStore, 'get' | 'list'> {
  const byId = `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE id = $1`;
  // Newest first: `seq` descending, only tasks older than `beforeSeq`.
  const filters = `($2::text[] IS NULL OR status = ANY($2))
       AND ($3::text IS NULL OR parent_id = $3)
       AND ($4::bigint IS NULL OR seq < $4)
       AND ($6::text[] IS NULL OR handler = ANY($6))
       AND ($7::text IS NULL OR strpos(lower(input::text), lower($7)) > 0 OR strpos(lower(id), lower($7)) > 0)
     ORDER BY seq DESC
     LIMIT $5`;
  const page = `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE owner = $1 AND ${filters}`;
  // Every owner's tasks (an operator's view): its own statement, so the owner's query keeps its plan. $1 is unused.
  const everyOwner = `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE $1::text IS NULL AND ${filters}`;

  return {
    async get(id: string): Promise<TaskRecord | null> {
      const [row] = await ctx.db.query<TaskRow>(byId, [id]);
      return row ? toRecord(row) : null;
    },

    async list({ owner, statuses, handlers, text, parentId, limit, beforeSeq }: ListQuery): Promise<TaskRecord[]> {
      const rows = await ctx.db.query<TaskRow>(owner === null ? everyOwner : page, [
        owner,
        statuses ?? null,
        parentId ?? null,
        beforeSeq ?? null,
        limit,
        handlers ?? null,
        text ?? null,
      ]);
      return rows.map(toRecord);
    },
  };
}
