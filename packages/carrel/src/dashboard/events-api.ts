/**
 * `/dashboard/api/events`: the session owner's task changes, pushed as server-sent events from
 * the engine's change feed (`engine.watch`, one per owner: `task-feed.ts`), never polled. `task`
 * carries a TaskRow, `task-deleted` an id, `queues` the queue figures at most once a second while
 * tasks change, `resync` that the client fell behind and events were dropped; a comment every
 * 15 s keeps proxies from closing a quiet stream. The stream ends at logout, when the session
 * expires, and when the server closes.
 *
 * @module
 */
import { Hono } from 'hono';
import { isOperator } from './access.js';
import { EventStream } from './event-stream.js';
import type { DashboardEnv } from './guard.js';
import type { QueuesOf } from './queues-api.js';
import type { Sessions } from './sessions.js';
import type { TaskFeed } from './task-feed.js';

/** The shortest time between two `queues` events of a stream. */
const QUEUES_EVERY_MS = 1_000;

export interface EventsOptions {
  /** Between keep-alive comments (default 15 s). */
  keepAliveMs?: number;
  /** Events a slow client may have waiting before they are dropped for a `resync` (default 1,000). */
  maxPending?: number;
}

/** The events route; `streams` holds the open ones, for the server to close. */
export function eventsApi(
  feed: TaskFeed,
  sessions: Sessions,
  queues: QueuesOf,
  streams: Set<EventStream>,
  onError: (error: unknown) => void,
  options: EventsOptions = {},
): Hono<DashboardEnv> {
  return new Hono<DashboardEnv>().get('/events', (c) => {
    const principal = c.get('principal');
    const session = c.get('session');
    const operator = isOperator(principal);
    const everyone = c.env.context.unauthenticated || operator;
    const cleanups: (() => void)[] = [];
    const stream = new EventStream(options.maxPending ?? 1_000, () => {
      streams.delete(stream);
      for (const cleanup of cleanups) cleanup();
    });
    streams.add(stream);

    let changedAt = 0;
    const sendQueues = throttled(QUEUES_EVERY_MS, () =>
      queues(principal, everyone, undefined, changedAt).then(
        (figures) => stream.send('queues', figures),
        (error: unknown) => onError(error),
      ),
    );
    cleanups.push(sendQueues.cancel);
    cleanups.push(
      feed.subscribe(operator ? null : principal.owner, ({ event, json }) => {
        stream.sendJson(event, json);
        changedAt = Date.now();
        sendQueues();
      }),
    );
    const keepAlive = setInterval(() => stream.comment('keep-alive'), options.keepAliveMs ?? 15_000);
    cleanups.push(() => clearInterval(keepAlive));
    if (session) {
      cleanups.push(sessions.onEnd(session.id, () => stream.close()));
      const expiry = setTimeout(() => sessions.get(session.id) ?? stream.close(), Math.max(0, session.expiresAt - Date.now()) + 1);
      expiry.unref();
      cleanups.push(() => clearTimeout(expiry));
    }
    return new Response(stream.body, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
    });
  });
}

/** `run` at most once per `everyMs`, the last call inside a window served at its end. */
function throttled(everyMs: number, run: () => Promise<void>): (() => void) & { cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  const call = () => {
    if (timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        last = Date.now();
        void run();
      },
      Math.max(0, last + everyMs - Date.now()),
    );
  };
  return Object.assign(call, { cancel: () => clearTimeout(timer) });
}
