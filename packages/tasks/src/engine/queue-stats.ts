/**
 * Queue statistics from the store's two reads (`countTasks`, `finishedTasks`): how many tasks each
 * handler has in each state now, and per time bucket of a window, how many finished and how long
 * they waited (first claim − creation) and ran (finish − first claim), per handler and per node.
 *
 * Counts are the database's (one grouped query). Percentiles are computed here, from one query
 * bounded by the window and a row cap: SQLite has no percentile aggregate, and one computation for
 * every backend keeps their answers identical. When the window holds more finished tasks than the
 * cap, the newest are used and `truncated` says so.
 *
 * @module
 */
import type { FinishedTask, TaskCount } from '../store.js';

/** A handler's stored tasks by state. `working` is running (leased); `waiting` is working without a lease (queued, or waiting for a retry). */
export interface HandlerQueue {
  handler: string;
  working: number;
  waiting: number;
  inputRequired: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** One handler's finished tasks per bucket; a percentile is null in a bucket with no timed task. */
export interface HandlerSeries {
  completed: number[];
  failed: number[];
  /** Wait (first claim − creation), ms. */
  waitP50: (number | null)[];
  waitP95: (number | null)[];
  /** Run (finish − first claim), ms. */
  runP50: (number | null)[];
  runP95: (number | null)[];
}

/** One node's (worker's) completed tasks per bucket, and their median run time. */
export interface NodeSeries {
  completed: number[];
  runP50: (number | null)[];
}

export interface QueueStats {
  /** When the statistics were taken (epoch ms). */
  now: number;
  handlers: HandlerQueue[];
  series: {
    /** The first bucket's start (epoch ms); bucket i covers [start + i·bucketMs, start + (i+1)·bucketMs), by finish time. */
    start: number;
    bucketMs: number;
    buckets: number;
    perHandler: Record<string, HandlerSeries>;
    perNode: Record<string, NodeSeries>;
    /** True when the window held more finished tasks than were read: the oldest buckets are incomplete. */
    truncated: boolean;
  };
}

/** Folds the grouped counts into one row per handler, sorted by name. */
export function handlerQueues(counts: readonly TaskCount[]): HandlerQueue[] {
  const byHandler = new Map<string, HandlerQueue>();
  for (const { handler, status, leased, count } of counts) {
    let row = byHandler.get(handler);
    if (!row) byHandler.set(handler, (row = { handler, working: 0, waiting: 0, inputRequired: 0, completed: 0, failed: 0, cancelled: 0 }));
    if (status === 'working') row[leased ? 'working' : 'waiting'] += count;
    else if (status === 'input_required') row.inputRequired += count;
    else row[status] += count;
  }
  return [...byHandler.values()].sort((a, b) => (a.handler < b.handler ? -1 : a.handler > b.handler ? 1 : 0));
}

/** Buckets finished tasks by finish time. Wait and run times count completed and failed tasks that were claimed (cancelled ones ran short). */
export function finishedSeries(
  finished: readonly FinishedTask[],
  window: { start: number; bucketMs: number; buckets: number },
): { perHandler: Record<string, HandlerSeries>; perNode: Record<string, NodeSeries> } {
  const { start, bucketMs, buckets } = window;
  const handlerTimes = new Map<string, { completed: number[]; failed: number[]; waits: number[][]; runs: number[][] }>();
  const nodeTimes = new Map<string, { completed: number[]; runs: number[][] }>();
  const zeros = () => new Array<number>(buckets).fill(0);
  const lists = () => Array.from({ length: buckets }, () => [] as number[]);
  for (const task of finished) {
    const i = Math.floor((task.finishedAt - start) / bucketMs);
    if (i < 0 || i >= buckets || task.status === 'cancelled') continue;
    let h = handlerTimes.get(task.handler);
    if (!h) handlerTimes.set(task.handler, (h = { completed: zeros(), failed: zeros(), waits: lists(), runs: lists() }));
    h[task.status][i]!++;
    const run = task.startedAt === null ? null : task.finishedAt - task.startedAt;
    if (task.startedAt !== null) h.waits[i]!.push(task.startedAt - task.createdAt);
    if (run !== null) h.runs[i]!.push(run);
    if (task.node === null || task.status !== 'completed') continue;
    let n = nodeTimes.get(task.node);
    if (!n) nodeTimes.set(task.node, (n = { completed: zeros(), runs: lists() }));
    n.completed[i]!++;
    if (run !== null) n.runs[i]!.push(run);
  }
  const perHandler: Record<string, HandlerSeries> = {};
  for (const [handler, h] of handlerTimes) {
    perHandler[handler] = {
      completed: h.completed,
      failed: h.failed,
      waitP50: h.waits.map((values) => percentile(values, 50)),
      waitP95: h.waits.map((values) => percentile(values, 95)),
      runP50: h.runs.map((values) => percentile(values, 50)),
      runP95: h.runs.map((values) => percentile(values, 95)),
    };
  }
  const perNode: Record<string, NodeSeries> = {};
  for (const [node, n] of nodeTimes) perNode[node] = { completed: n.completed, runP50: n.runs.map((values) => percentile(values, 50)) };
  return { perHandler, perNode };
}

/** The nearest-rank percentile: the smallest value with at least p% of the values at or below it; null for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
