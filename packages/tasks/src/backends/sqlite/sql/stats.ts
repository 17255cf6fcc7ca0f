/**
 * Queue statistics' two reads: stored tasks counted by handler, status and lease (one grouped
 * scan of the owner's rows, through the `(owner, status)` index for one owner), and the timing
 * facts of the tasks that finished in a window (the partial `finished_at` index), without payloads.
 *
 * @module
 */
import type { CountTasksArgs, FinishedTask, FinishedTasksArgs, TaskCount, TaskStore } from '../../../store.js';
import type { StoreContext, Synchronous } from '../context.js';

interface CountRow {
  handler: string;
  status: TaskCount['status'];
  leased: 0 | 1;
  count: number;
}

interface FinishedRow {
  handler: string;
  status: FinishedTask['status'];
  node: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number;
}

/** `countTasks` and `finishedTasks`. */
export function prepareStats({ db }: StoreContext): Synchronous<Pick<TaskStore, 'countTasks' | 'finishedTasks'>> {
  const counts = `SELECT handler, status, lease_worker IS NOT NULL AS leased, count(*) AS count FROM carrel_tasks`;
  const grouped = 'GROUP BY handler, status, leased';
  const ownCounts = db.prepare<[string], CountRow>(`${counts} WHERE owner = ? ${grouped}`);
  const allCounts = db.prepare<[], CountRow>(`${counts} ${grouped}`);
  const finished = `SELECT handler, status, node, created_at, started_at, finished_at FROM carrel_tasks
     WHERE finished_at >= :since AND finished_at < :until`;
  const newest = 'ORDER BY finished_at DESC LIMIT :limit';
  const ownFinished = db.prepare<[FinishedTasksArgs & { owner: string }], FinishedRow>(`${finished} AND owner = :owner ${newest}`);
  const allFinished = db.prepare<[Omit<FinishedTasksArgs, 'owner'>], FinishedRow>(`${finished} ${newest}`);

  return {
    countTasks({ owner }: CountTasksArgs): TaskCount[] {
      const rows = owner === null ? allCounts.all() : ownCounts.all(owner);
      return rows.map((row) => ({ handler: row.handler, status: row.status, leased: row.leased === 1, count: row.count }));
    },
    finishedTasks({ owner, since, until, limit }: FinishedTasksArgs): FinishedTask[] {
      const rows = owner === null ? allFinished.all({ since, until, limit }) : ownFinished.all({ owner, since, until, limit });
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
