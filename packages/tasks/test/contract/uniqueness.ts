/** Unique keys: one task per key and owner while the key is held, race-free across nodes. */
import { describe, expect, it } from 'vitest';
import { deferred, type ContractFixture } from './fixture.js';

export function uniquenessContract(f: ContractFixture): void {
  describe('uniqueness', () => {
    it('concurrent creators with one key on two nodes get one task', async () => {
      const hold = deferred();
      const handlers = { job: async () => hold.promise };
      const a = await f.engine(handlers);
      const b = await f.engine(handlers);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).create({ handler: 'job', input: { i }, owner: 'alice', uniqueKey: 'reindex:docs' }),
        ),
      );
      const ids = new Set(results.map((r) => r.task.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await a.list({ owner: 'alice' })).tasks).toHaveLength(1);
      hold.resolve();
    });

    it('scopes keys by owner', async () => {
      const engine = await f.engine({ job: async () => 'x' }, { concurrency: 0 });
      const one = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k' });
      const two = await engine.create({ handler: 'job', input: null, owner: 'bob', uniqueKey: 'k' });
      expect(two.created).toBe(true);
      expect(two.task.id).not.toBe(one.task.id);
    });

    it('without a window, the key is held until the task is terminal', async () => {
      const hold = deferred();
      const engine = await f.engine({ job: async () => hold.promise.then(() => 'done') });
      const first = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k' });
      const again = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k' });
      expect(again).toEqual({ task: expect.objectContaining({ id: first.task.id }), created: false });
      hold.resolve();
      await engine.waitForTerminal(first.task.id, 'alice');
      const after = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k' });
      expect(after.created).toBe(true);
      expect(after.task.id).not.toBe(first.task.id);
      expect(after.task.uniqueKey).toBe('k');
    });

    it('with a window, the key is held for the window even after the task finished', async () => {
      // A window long enough that a loaded machine still runs the job and the second create inside
      // it; the wait then reads the window's end from the task rather than guessing a sleep.
      const windowMs = 2_000;
      const engine = await f.engine({ job: async () => 'done' });
      const first = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k', uniqueWindowMs: windowMs });
      await engine.waitForTerminal(first.task.id, 'alice');
      const inside = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k', uniqueWindowMs: windowMs });
      expect(inside.created).toBe(false);
      expect(inside.task.id).toBe(first.task.id);
      await new Promise((r) => setTimeout(r, first.task.uniqueUntil! + 50 - Date.now()));
      const outside = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k', uniqueWindowMs: windowMs });
      expect(outside.created).toBe(true);
    });

    it('a cancelled task releases its key', async () => {
      const engine = await f.engine({ job: async () => 'x' }, { concurrency: 0 });
      const first = await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k' });
      await engine.cancel(first.task.id, 'alice');
      expect((await engine.create({ handler: 'job', input: null, owner: 'alice', uniqueKey: 'k' })).created).toBe(true);
    });
  });
}
