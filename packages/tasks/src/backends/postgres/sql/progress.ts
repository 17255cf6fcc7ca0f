/**
 * `progress`: the holding worker records progress and/or a status message. A null argument
 * leaves that field as it is.
 *
 * @module
 */
import type { ProgressArgs, TaskStore } from '../../../store.js';
import { LIVE_STATUSES } from '../../../task.js';
import { announce, announceParams, type StoreContext } from '../context.js';
import { json, TASK_COLUMNS } from '../task-row.js';

/** `progress`. */
export function prepareProgress(ctx: StoreContext): Pick<TaskStore, 'progress'> {
  const update = `WITH changed AS (
       UPDATE ${ctx.tasks}
       SET progress = COALESCE($5::jsonb, progress), status_message = COALESCE($6, status_message), updated_at = $7
       WHERE id = $3 AND lease_worker = $4 AND status = ANY($8)
       RETURNING ${TASK_COLUMNS}
     )
     SELECT ${announce(ctx, `ARRAY['progress']`, 'changed')} AS notice FROM changed`;

  return {
    async progress({ id, worker, progress, statusMessage, now }: ProgressArgs): Promise<boolean> {
      const [row] = await ctx.db.query<{ notice: string | null }>(update, [
        ...announceParams(ctx),
        id,
        worker,
        progress === null ? null : json(progress),
        statusMessage,
        now,
        LIVE_STATUSES,
      ]);
      if (!row) return false;
      ctx.deliver([row.notice]);
      return true;
    },
  };
}
