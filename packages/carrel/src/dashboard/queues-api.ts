/**
 * `/dashboard/api/queues`: per tool, how many tasks are running, waiting, asking for input and
 * finished, and over a window (15 minutes to a day, in 60 buckets) throughput and p50/p95 wait
 * and run times, per tool and per node: the engine's `queueStats`, named by tool for the page.
 * An authenticated principal sees its own tasks, an operator (`carrel:operator`) every owner's, as
 * does the open loopback endpoint (its only caller is whoever runs the node).
 *
 * @module
 */
import type { TaskEngine } from '@carrel/tasks';
import { Hono } from 'hono';
import { isOperator, type Principal } from './access.js';
import { ApiError } from './api-error.js';
import type { DashboardEnv } from './guard.js';
import { toolOf } from './task-view.js';

/** The windows the page offers, in ms. */
const WINDOWS: Record<string, number> = { '15m': 15 * 60_000, '1h': 60 * 60_000, '6h': 6 * 60 * 60_000, '24h': 24 * 60 * 60_000 };
const BUCKETS = 60;

/**
 * The queue figures of `principal` over `window` (a key of WINDOWS); `everyone` on the open
 * endpoint. `seenAt`: the figures must have been computed after this time (a change the caller saw).
 */
export type QueuesOf = (principal: Principal, everyone: boolean, window?: string, seenAt?: number) => Promise<unknown>;

/**
 * Computes the page's Queues from the engine. Figures asked for again within a second (every open
 * stream of an owner, as its tasks change) are the ones already computed, if computed after the
 * change the caller saw: ten pages open cost the store what one does.
 */
export function queuesOf(engine: TaskEngine, now: () => number = Date.now): QueuesOf {
  const recent = new Map<string, { at: number; figures: Promise<unknown> }>();
  return (principal, everyone, window = '1h', seenAt = -Infinity) => {
    const span = WINDOWS[window];
    if (span === undefined)
      return Promise.reject(new ApiError(400, 'bad_request', `window must be one of ${Object.keys(WINDOWS).join(', ')}.`));
    const owner = everyone ? null : principal.owner;
    const key = JSON.stringify([owner, window]);
    const at = now();
    const cached = recent.get(key);
    if (cached && at - cached.at < REUSE_MS && cached.at >= seenAt) return cached.figures;
    for (const [other, entry] of recent) if (at - entry.at >= REUSE_MS) recent.delete(other);
    const figures = queues(engine, owner, span);
    recent.set(key, { at, figures });
    figures.catch(() => recent.delete(key));
    return figures;
  };
}

/** How long computed figures are reused. */
const REUSE_MS = 1_000;

async function queues(engine: TaskEngine, owner: string | null, span: number) {
  const stats = await engine.queueStats({ owner, since: Date.now() - span, bucketMs: span / BUCKETS });
  const name = (handler: string) => toolOf(handler) ?? handler;
  return {
    now: stats.now,
    tools: stats.handlers.map(({ handler, ...counts }) => ({ tool: name(handler), ...counts })),
    series: {
      bucketMs: stats.series.bucketMs,
      start: stats.series.start,
      buckets: stats.series.buckets,
      perTool: Object.fromEntries(Object.entries(stats.series.perHandler).map(([handler, series]) => [name(handler), series])),
      perNode: stats.series.perNode,
      truncated: stats.series.truncated,
    },
  };
}

/** The queues route. */
export function queuesApi(queues: QueuesOf): Hono<DashboardEnv> {
  return new Hono<DashboardEnv>().get('/queues', async (c) =>
    c.json(
      await queues(c.get('principal'), c.env.context.unauthenticated || isOperator(c.get('principal')), c.req.query('window') || undefined),
    ),
  );
}
