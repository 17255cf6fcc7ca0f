/**
 * Queue statistics' two reads: stored tasks counted by handler, status and lease (one grouped
 * scan of the owner's rows), and the timing facts of the tasks that finished in a window (the
 * partial `finished_at` index), without payloads.
 *
 * @module
 */
import type { CountTasksArgs, FinishedTask, FinishedTasksArgs, TaskCount, TaskStore } from '../../../store.js';
import type { StoreContext } from '../context.js';

interface FinishedRow {
  handler: string;
  status: FinishedTask['status'];
  node: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number;
}

/** `countTasks` and `finishedTasks`. */
export function prepareStats(ctx: StoreContext): Pick<TaskStore, 'countTasks' | 'finishedTasks'> {
  const counts = `SELECT handler, status, lease_worker IS NOT NULL AS leased, count(*)::integer AS count FROM ${ctx.tasks}
     WHERE $1::text IS NULL OR owner = $1
     GROUP BY handler, status, leased`;
  const finished = `SELECT handler, status, node, created_at, started_at, finished_at FROM ${ctx.tasks}
     WHERE finished_at >= $2 AND finished_at < $3 AND ($1::text IS NULL OR owner = $1)
     ORDER BY finished_at DESC
     LIMIT $4`;

  return {
    async countTasks({ owner }: CountTasksArgs): Promise<TaskCount[]> {
      return ctx.db.query<TaskCount>(counts, [owner]);
    },
    async finishedTasks({ owner, since, until, limit }: FinishedTasksArgs): Promise<FinishedTask[]> {
      const rows = await ctx.db.query<FinishedRow>(finished, [owner, since, until, limit]);
      return rows.map((row) => ({
        handler: row.handler,
        status: row.status,
        node: row.node,
        createdAt: row.created_at,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
      }));
    },
  };
}
