/**
 * Reads: one task by id, and an owner's tasks newest first with keyset paging.
 *
 * @module
 */
import type { ListQuery } from '../../../store.js';
import type { TaskRecord } from '../../../task.js';
import type { StoreContext } from '../context.js';
import { TASK_COLUMNS, toRecord, type TaskRow } from '../row.js';

/** The task with this id, whoever owns it; null if there is none. */
export async function getTask(ctx: StoreContext, id: string): Promise<TaskRecord | null> {
  const [row] = await ctx.db.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM ${ctx.tasks} WHERE id = $1`, [id]);
  return row ? toRecord(row) : null;
}

/** Newest first: (created_at, id) descending, strictly after `before` (ids compare bytewise). */
export async function listTasks(ctx: StoreContext, { owner, statuses, parentId, limit, before }: ListQuery): Promise<TaskRecord[]> {
  const rows = await ctx.db.query<TaskRow>(
    `SELECT ${TASK_COLUMNS} FROM ${ctx.tasks}
     WHERE owner = $1
       AND ($2::text[] IS NULL OR status = ANY($2))
       AND ($3::text IS NULL OR parent_id = $3)
       AND ($4::bigint IS NULL OR (created_at, id) < ($4, $5::text))
     ORDER BY created_at DESC, id DESC
     LIMIT $6`,
    [owner, statuses ?? null, parentId ?? null, before?.createdAt ?? null, before?.id ?? null, limit],
  );
  return rows.map(toRecord);
}
