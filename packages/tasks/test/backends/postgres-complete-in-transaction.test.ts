/**
 * `completeInTransaction` on PostgreSQL: a handler's final write (a row of the application's own
 * table) and its task's completion commit together in the application's transaction, on its own
 * pg client, and race a cancel cleanly; the NOTIFY sent with it wakes waiters on every node.
 */
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  SchemaNotMigratedError,
  TaskEngine,
  TaskTerminalError,
  type AnyTaskHandler,
  type TaskCompletion,
  type TaskContext,
  type TaskEngineOptions,
  type TaskStore,
} from '@carrel/tasks';
import { completeInTransaction } from '@carrel/tasks/postgres';
import { deferred, FAST } from '../contract/fixture.js';
import type { TestDatabase } from '../support/harness.js';
import { postgresHarness, postgresUrl } from '../support/postgres-harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A migrated schema that also holds the application's `notes` table, and the application's own client. */
async function setUp() {
  const db: TestDatabase = await postgresHarness.createDatabase();
  cleanups.push(() => db.drop());
  const { schema } = db.locator as { schema: string };
  const notesTable = `${pg.escapeIdentifier(schema)}.notes`;
  const app = new pg.Client({ connectionString: postgresUrl() });
  await app.connect();
  cleanups.push(() => app.end());
  await app.query(`CREATE TABLE ${notesTable} (task_id text PRIMARY KEY, body text NOT NULL)`);
  /** The handler's final write: its note and the task's completion, in one transaction. */
  const commit = async (completion: TaskCompletion, body: string): Promise<boolean> => {
    await app.query('BEGIN');
    try {
      await app.query(`INSERT INTO ${notesTable} (task_id, body) VALUES ($1, $2)`, [completion.taskId, body]);
      const won = await completeInTransaction(app, completion, { now: Date.now(), schema });
      await app.query(won ? 'COMMIT' : 'ROLLBACK');
      return won;
    } catch (error) {
      await app.query('ROLLBACK');
      throw error;
    }
  };
  const note = async (taskId: string) =>
    (await app.query<{ body: string }>(`SELECT body FROM ${notesTable} WHERE task_id = $1`, [taskId])).rows[0]?.body;
  return { db, schema, app, store: await db.open(), commit, note };
}

async function startEngine(store: TaskStore, handlers: Record<string, AnyTaskHandler>, options: Partial<TaskEngineOptions> = {}) {
  const engine = new TaskEngine({ store, handlers, ...FAST, onError: () => {}, ...options });
  cleanups.push(() => engine.stop());
  await engine.start();
  return engine;
}

describe('completeInTransaction on PostgreSQL', () => {
  it('commits the application’s row and the completion together; the runner writes nothing more', async () => {
    const { store, commit, note } = await setUp();
    const complete = vi.spyOn(store, 'complete');
    const engine = await startEngine(store, {
      note: async (input: { body: string }, ctx: TaskContext) => {
        expect(await commit(ctx.completion({ saved: input.body.length }), input.body)).toBe(true);
        return { saved: input.body.length };
      },
    });
    const { task } = await engine.create({ handler: 'note', input: { body: 'hello' }, owner: 'alice' });
    const done = await engine.waitForTerminal(task.id, 'alice');
    expect(done).toMatchObject({ status: 'completed', outcome: { result: { saved: 5 } }, lease: null });
    expect(await note(task.id)).toBe('hello');
    await expect(engine.cancel(task.id, 'alice')).rejects.toBeInstanceOf(TaskTerminalError);
    // Once the runner is done with the handler's return, it has written nothing for it.
    await engine.stop({ drainMs: 10_000 });
    expect(complete).not.toHaveBeenCalled();
  });

  it('refuses a completion a cancel came before: the application’s row is rolled back and the task stays cancelled', async () => {
    const { store, commit, note } = await setUp();
    const complete = vi.spyOn(store, 'complete');
    const started = deferred();
    const cancelled = deferred();
    const finished = deferred<boolean>();
    const engine = await startEngine(store, {
      note: async (input: { body: string }, ctx: TaskContext) => {
        const completion = ctx.completion('saved');
        started.resolve();
        await cancelled.promise; // a handler that does not look at its signal
        finished.resolve(await commit(completion, input.body));
        return 'saved';
      },
    });
    const { task } = await engine.create({ handler: 'note', input: { body: 'too late' }, owner: 'alice' });
    await started.promise;
    await engine.cancel(task.id, 'alice');
    cancelled.resolve();
    expect(await finished.promise).toBe(false);
    expect(await note(task.id)).toBeUndefined();
    await engine.stop({ drainMs: 10_000 });
    expect(await store.get(task.id)).toMatchObject({ status: 'cancelled', outcome: null });
    expect(complete).not.toHaveBeenCalled();
  });

  it('decides a race with a cancel one way or the other, every time (200 runs)', async () => {
    const { store, commit, note } = await setUp();
    const runs: Run[] = [];
    const engine = await startEngine(store, {
      race: async (input: { run: number }, ctx: TaskContext) => {
        const run = runs[input.run]!;
        const completion = ctx.completion({ run: input.run });
        run.taken.resolve();
        await run.go.promise;
        await commit(completion, `note ${input.run}`).then(run.won.resolve, run.won.reject);
        return { run: input.run };
      },
    });
    const tally = { cancelFirst: 0, completionFirst: 0 };
    for (let i = 0; i < 200; i++) {
      const run: Run = { taken: deferred(), go: deferred(), won: deferred<boolean>() };
      runs.push(run);
      const { task } = await engine.create({ handler: 'race', input: { run: i }, owner: 'alice' });
      await run.taken.promise;
      // Both start at once; a head start of up to a millisecond for one side or the other varies the winner.
      const headStart = () => new Promise((r) => setTimeout(r, Math.random()));
      const cancel = (async () => {
        if (i % 3 === 1) await headStart();
        return engine.cancel(task.id, 'alice').then(
          () => 'cancelled' as const,
          (error: unknown) => (error instanceof TaskTerminalError ? ('terminal' as const) : Promise.reject(error)),
        );
      })();
      if (i % 3 === 2) await headStart();
      run.go.resolve();
      const [cancelled, won] = await Promise.all([cancel, run.won.promise]);
      const stored = await store.get(task.id);
      const seen = { cancelled, status: stored?.status, outcome: stored?.outcome, note: await note(task.id) };
      if (won) {
        tally.completionFirst++;
        expect(seen).toEqual({ cancelled: 'terminal', status: 'completed', outcome: { result: { run: i } }, note: `note ${i}` });
      } else {
        tally.cancelFirst++;
        expect(seen).toEqual({ cancelled: 'cancelled', status: 'cancelled', outcome: null, note: undefined });
      }
    }
    // Each side won some of the races, or the test did not test a race.
    expect(tally.cancelFirst * tally.completionFirst, JSON.stringify(tally)).toBeGreaterThan(0);
  });

  it('wakes waiters in the handler’s engine and in an engine on another node, through NOTIFY', async () => {
    const { db, store, commit } = await setUp();
    const go = deferred();
    const committedAt = deferred<number>();
    // No fallback poll within the test's bound: only the notice can wake the waiters.
    const slow = { pollMs: 10_000 };
    const worker = await startEngine(
      store,
      {
        note: async (_: null, ctx: TaskContext) => {
          const completion = ctx.completion('saved');
          await go.promise;
          expect(await commit(completion, 'woken')).toBe(true);
          committedAt.resolve(performance.now());
          return 'saved';
        },
      },
      slow,
    );
    const client = await startEngine(await db.open(), { note: () => null }, { ...slow, concurrency: 0 });
    const { task } = await client.create({ handler: 'note', input: null, owner: 'alice' });
    const wokenAt = (engine: TaskEngine) => engine.waitForTerminal(task.id, 'alice').then((done) => ({ done, at: performance.now() }));
    const waits = [wokenAt(worker), wokenAt(client)];
    await new Promise((r) => setTimeout(r, 20));
    go.resolve();
    const committed = await committedAt.promise;
    for (const { done, at } of await Promise.all(waits)) {
      expect(done).toMatchObject({ status: 'completed', outcome: { result: 'saved' } });
      expect(at - committed).toBeLessThan(2_000);
    }
  });

  it('refuses one that is not a completion, names a schema that was never migrated, and loses to a missing task', async () => {
    const { app, schema } = await setUp();
    const completion: TaskCompletion = { taskId: 'missing', worker: 'w', outcome: { result: null } };
    await expect(completeInTransaction(app, { taskId: 1 } as never, { now: 0, schema })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(completeInTransaction(app, completion, { now: 0, schema: 'no_such_schema' })).rejects.toBeInstanceOf(
      SchemaNotMigratedError,
    );
    await expect(completeInTransaction(app, completion, { now: 0, schema: 'bad-name' })).rejects.toThrow(/Invalid PostgreSQL schema name/);
    expect(await completeInTransaction(app, completion, { now: Date.now(), schema })).toBe(false);
  });
});

interface Run {
  taken: ReturnType<typeof deferred<void>>;
  go: ReturnType<typeof deferred<void>>;
  won: ReturnType<typeof deferred<boolean>>;
}
