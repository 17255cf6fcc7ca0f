/**
 * PostgreSQL restarting under load, as an operator's restart or a failover does it: every
 * connection is cut and the server is gone for a moment. Two nodes keep working through it. What
 * must hold: every task whose creation the server acknowledged completes, on its first attempt
 * (a completion written while the server is away is written once it is back, not lost to an
 * expired lease); a `tasks/result` waiter keeps waiting instead of failing; both nodes listen again,
 * so a cancel on one node still reaches work on the other.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TaskEngine, type TaskContext } from '@carrel/tasks';
import { PostgresTaskStore } from '@carrel/tasks/postgres';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../support/postgres-server.js';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The LISTEN connections the server holds now. */
async function listeners(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'LISTEN %'`);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

it('keeps every acknowledged task, its waiter and cross-node cancel through a server restart', { timeout: 120_000 }, async () => {
  const errors: unknown[] = [];
  let cancelSeen: (reason: unknown) => void = () => undefined;
  const cancelled = new Promise((resolve) => (cancelSeen = resolve));
  const handlers = {
    job: async (n: number) => {
      await sleep(20);
      return n * 2;
    },
    hang: async (_: null, ctx: TaskContext) => {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      cancelSeen(ctx.signal.reason);
      return 'stopped';
    },
  };
  const node = (runs: 'any' | 'assigned') =>
    new TaskEngine({
      store: new PostgresTaskStore({ connectionString: server.url }),
      handlers,
      concurrency: 8,
      leaseMs: 15_000,
      runs,
      onError: (error) => errors.push(error),
    });
  const [a, b] = [node('any'), node('any')];
  await Promise.all([a.start(), b.start()]);
  try {
    // Creators on node A, waiters on node B, for the whole run.
    const accepted: { id: string; n: number; done: Promise<unknown> }[] = [];
    let refused = 0;
    let creating = true;
    const creator = (async () => {
      for (let n = 0; creating; n++) {
        try {
          const { task } = await a.create({ handler: 'job', input: n, owner: 'alice', maxAttempts: 1 });
          accepted.push({ id: task.id, n, done: b.waitForTerminal(task.id, 'alice') });
        } catch {
          refused++; // The server was away: never acknowledged, so never promised.
          await sleep(20);
        }
      }
    })();
    while (accepted.length < 50) await sleep(10);
    await server.restart();
    const afterRestart = accepted.length;
    while (accepted.length < afterRestart + 50) await sleep(10);
    creating = false;
    await creator;

    const outcomes = await Promise.all(accepted.map((t) => t.done));
    for (const [i, task] of outcomes.entries()) {
      expect(task).toMatchObject({ status: 'completed', attempt: 1, outcome: { result: accepted[i]!.n * 2 } });
    }
    expect(accepted.length).toBeGreaterThanOrEqual(100);
    // The outage was seen (connections were cut), not slept through.
    expect(errors.length + refused).toBeGreaterThan(0);

    // Both nodes listen again, and a cancel on A reaches a handler running on B.
    const deadline = Date.now() + 15_000;
    while ((await listeners(server.url)) < 2) {
      if (Date.now() > deadline) throw new Error('the nodes did not LISTEN again after the restart');
      await sleep(50);
    }
    await a.stop();
    const { task: hung } = await b.create({ handler: 'hang', input: null, owner: 'alice' });
    while ((await b.get(hung.id, 'alice')).status !== 'working') await sleep(10);
    const canceller = node('assigned');
    await canceller.start();
    try {
      await canceller.cancel(hung.id, 'alice');
      await expect(cancelled).resolves.toMatchObject({ reason: 'cancelled' });
    } finally {
      await canceller.stop();
      await canceller.store.close();
    }
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all([a.store.close(), b.store.close()]);
  }
});
