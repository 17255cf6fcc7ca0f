/**
 * `completeInTransaction` on SQLite: a handler's final write (a row of the application's own
 * table in the tasks' file) and its task's completion commit together, and race a cancel cleanly.
 * The application writes through a second better-sqlite3 connection, on this thread or, for the
 * race, in a worker thread, as the knowledge base's writer does.
 */
import { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
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
} from '@carrel/tasks';
import { completeInTransaction, type SqliteTaskStore } from '@carrel/tasks/sqlite';
import { deferred, FAST } from '../contract/fixture.js';
import { useSqliteDatabases } from '../support/sqlite-harness.js';

const database = useSqliteDatabases();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

class Refused extends Error {}

/** A migrated tasks file that also holds the application's `notes` table, and the application's connection to it. */
async function setUp() {
  const db = database();
  const store = await db.openSqlite();
  const app = new Sqlite(db.path);
  app.exec('CREATE TABLE notes (task_id TEXT PRIMARY KEY, body TEXT NOT NULL)');
  cleanups.push(() => {
    app.close();
  });
  const notes = app.prepare<[string], { body: string }>('SELECT body FROM notes WHERE task_id = ?');
  // The handler's final write: its note and the task's completion, in one transaction.
  const write = app.transaction((completion: TaskCompletion, body: string) => {
    app.prepare('INSERT INTO notes (task_id, body) VALUES (?, ?)').run(completion.taskId, body);
    if (!completeInTransaction(app, completion, { now: Date.now() })) throw new Refused();
  });
  const commit = (completion: TaskCompletion, body: string): boolean => {
    try {
      write.immediate(completion, body);
      return true;
    } catch (error) {
      if (error instanceof Refused) return false;
      throw error;
    }
  };
  return { db, store, app, commit, note: (taskId: string) => notes.get(taskId)?.body };
}

async function startEngine(store: SqliteTaskStore, handlers: Record<string, AnyTaskHandler>, options: Partial<TaskEngineOptions> = {}) {
  const engine = new TaskEngine({ store, handlers, ...FAST, onError: () => {}, ...options });
  cleanups.push(() => engine.stop());
  await engine.start();
  return engine;
}

describe('completeInTransaction on SQLite', () => {
  it('commits the application’s row and the completion together; the runner writes nothing more', async () => {
    const { store, commit, note } = await setUp();
    const complete = vi.spyOn(store, 'complete');
    const committed = deferred<boolean>();
    const engine = await startEngine(store, {
      note: async (input: { body: string }, ctx: TaskContext) => {
        committed.resolve(commit(ctx.completion({ saved: input.body.length }), input.body));
        return { saved: input.body.length };
      },
    });
    const { task } = await engine.create({ handler: 'note', input: { body: 'hello' }, owner: 'alice' });
    expect(await committed.promise).toBe(true);
    const done = await engine.waitForTerminal(task.id, 'alice');
    expect(done).toMatchObject({ status: 'completed', outcome: { result: { saved: 5 } }, lease: null });
    expect(note(task.id)).toBe('hello');
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
        finished.resolve(commit(completion, input.body));
        return 'saved';
      },
    });
    const { task } = await engine.create({ handler: 'note', input: { body: 'too late' }, owner: 'alice' });
    await started.promise;
    await engine.cancel(task.id, 'alice');
    cancelled.resolve();
    expect(await finished.promise).toBe(false);
    expect(note(task.id)).toBeUndefined();
    await engine.stop({ drainMs: 10_000 });
    expect(await store.get(task.id)).toMatchObject({ status: 'cancelled', outcome: null });
    expect(complete).not.toHaveBeenCalled();
  });

  it('decides a race with a cancel one way or the other, every time (200 runs, the writer in a worker thread)', async () => {
    const { db, store, note } = await setUp();
    const commitInWorker = await startWriterThread(db.path);
    const runs: Run[] = [];
    const engine = await startEngine(store, {
      race: async (input: { run: number }, ctx: TaskContext) => {
        const run = runs[input.run]!;
        const completion = ctx.completion({ run: input.run });
        run.taken.resolve();
        await run.go.promise;
        await commitInWorker(completion, `note ${input.run}`).then(run.won.resolve, run.won.reject);
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
      if (won) {
        tally.completionFirst++;
        expect({ cancelled, status: stored?.status, outcome: stored?.outcome, note: note(task.id) }).toEqual({
          cancelled: 'terminal',
          status: 'completed',
          outcome: { result: { run: i } },
          note: `note ${i}`,
        });
      } else {
        tally.cancelFirst++;
        expect({ cancelled, status: stored?.status, outcome: stored?.outcome, note: note(task.id) }).toEqual({
          cancelled: 'cancelled',
          status: 'cancelled',
          outcome: null,
          note: undefined,
        });
      }
    }
    // Each side won some of the races, or the test did not test a race.
    expect(tally.cancelFirst * tally.completionFirst, JSON.stringify(tally)).toBeGreaterThan(0);
  });

  it('wakes waiters in the handler’s engine and in an engine on another connection, through the change feed', async () => {
    const { db, store, commit } = await setUp();
    const go = deferred();
    const committedAt = deferred<number>();
    // No fallback poll within the test's bound: only the change feed can wake the waiters.
    const slow = { pollMs: 10_000 };
    const worker = await startEngine(
      store,
      {
        note: async (_: null, ctx: TaskContext) => {
          const completion = ctx.completion('saved');
          await go.promise;
          expect(commit(completion, 'woken')).toBe(true);
          committedAt.resolve(performance.now());
          return 'saved';
        },
      },
      slow,
    );
    const client = await startEngine(await db.openSqlite(), { note: () => null }, { ...slow, concurrency: 0 });
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

  it('refuses a completion outside a transaction, one that is not a completion, and a file with no task schema', async () => {
    const { app } = await setUp();
    const completion: TaskCompletion = { taskId: 'missing', worker: 'w', outcome: { result: null } };
    expect(() => completeInTransaction(app, completion, { now: Date.now() })).toThrow(/inside the transaction of your final write/);
    expect(() => app.transaction(() => completeInTransaction(app, { taskId: 1 } as never, { now: 0 })).immediate()).toThrow(
      InvalidArgumentError,
    );
    expect(app.transaction(() => completeInTransaction(app, completion, { now: Date.now() })).immediate()).toBe(false);
    const bare = new Sqlite(':memory:');
    expect(() => bare.transaction(() => completeInTransaction(bare, completion, { now: 0 })).immediate()).toThrow(SchemaNotMigratedError);
    bare.close();
  });
});

interface Run {
  taken: ReturnType<typeof deferred<void>>;
  go: ReturnType<typeof deferred<void>>;
  won: ReturnType<typeof deferred<boolean>>;
}

/** Starts `sqlite-app-writer.ts` on `path`; the function it returns commits a completion with a note in that thread. */
async function startWriterThread(path: string): Promise<(completion: TaskCompletion, body: string) => Promise<boolean>> {
  const writer = new Worker(new URL('../support/typescript-worker.mjs', import.meta.url), {
    workerData: { module: new URL('../support/sqlite-app-writer.ts', import.meta.url).href, path },
    execArgv: ['--conditions=carrel-source'],
  });
  cleanups.push(() => writer.terminate().then(() => undefined));
  const replies = new Map<number, (reply: { won?: boolean; error?: string }) => void>();
  const ready = deferred();
  writer.on('message', (message: { ready?: true; id: number; won?: boolean; error?: string }) => {
    if (message.ready) ready.resolve();
    else replies.get(message.id)?.(message);
  });
  writer.on('error', (error) => ready.reject(error));
  await ready.promise;
  let sent = 0;
  return (completion, body) =>
    new Promise<boolean>((resolve, reject) => {
      const id = sent++;
      replies.set(id, (reply) => (reply.error === undefined ? resolve(reply.won!) : reject(new Error(reply.error))));
      writer.postMessage({ id, completion, body });
    });
}
