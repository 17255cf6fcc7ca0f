/**
 * What `completeInTransaction` promises on every backend that has it: a handler's final write (a
 * row of the application's own `notes` table) and its task's completion commit together, a cancel
 * that came first rolls the write back, a race with a cancel is decided one way or the other, and
 * the commit wakes waiters on other connections. Each backend's test file supplies the fixture.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  TaskEngine,
  TaskTerminalError,
  type AnyTaskHandler,
  type TaskCompletion,
  type TaskContext,
  type TaskEngineOptions,
  type TaskStore,
} from '@carrel/tasks';
import { deferred, FAST } from '../contract/fixture.js';

/** A migrated store that also holds the application's `notes` table, and the application's own connection. */
export interface CompletionFixture {
  store: TaskStore;
  /** Another store on the same data, as a second node or connection would open it. */
  openAnotherStore(): Promise<TaskStore>;
  /** The handler's final write: its note and the task's completion in one transaction; false when the completion lost. */
  commit(completion: TaskCompletion, body: string): Promise<boolean>;
  /** The same write from where a real application's writer would race the cancel (another thread, another client). */
  commitElsewhere?(completion: TaskCompletion, body: string): Promise<boolean>;
  note(taskId: string): Promise<string | undefined>;
}

/** Cleanups a fixture registers; run after each test of the suite, last first. */
export const cleanups: Array<() => Promise<void> | void> = [];

interface Run {
  taken: ReturnType<typeof deferred<void>>;
  go: ReturnType<typeof deferred<void>>;
  won: ReturnType<typeof deferred<boolean>>;
}

export function completeInTransactionSuite(backend: string, setUp: () => Promise<CompletionFixture>): void {
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startEngine(store: TaskStore, handlers: Record<string, AnyTaskHandler>, options: Partial<TaskEngineOptions> = {}) {
    const engine = new TaskEngine({ store, handlers, ...FAST, onError: () => {}, ...options });
    cleanups.push(() => engine.stop());
    await engine.start();
    return engine;
  }

  describe(`completeInTransaction on ${backend}`, () => {
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
      const fixture = await setUp();
      const { store, note } = fixture;
      const commit = fixture.commitElsewhere ?? fixture.commit;
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

    it('wakes waiters in the handler’s engine and in an engine on another connection, through the change feed', async () => {
      const { store, openAnotherStore, commit } = await setUp();
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
            expect(await commit(completion, 'woken')).toBe(true);
            committedAt.resolve(performance.now());
            return 'saved';
          },
        },
        slow,
      );
      const client = await startEngine(await openAnotherStore(), { note: () => null }, { ...slow, concurrency: 0 });
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
  });
}
