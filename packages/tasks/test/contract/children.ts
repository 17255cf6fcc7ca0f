/** Child tasks: spawned and awaited, progress rolled up to the parent, cancel cascades. */
import { describe, expect, it } from 'vitest';
import { ChildTaskError, type TaskContext } from '@carrel/tasks';
import { aborted, deferred, eventually, FAST, type ContractFixture } from './fixture.js';

export function childrenContract(f: ContractFixture): void {
  describe('child tasks', () => {
    it('spawns children owned by the parent’s owner, awaits their results and rolls progress up', async () => {
      const gate = deferred();
      const engine = await f.engine(
        {
          part: async (n: number, ctx: TaskContext) => {
            await ctx.progress(n, 10);
            await gate.promise;
            return n * 10;
          },
          whole: async (_: null, ctx: TaskContext) => {
            const kids = await Promise.all([ctx.spawn('part', 3), ctx.spawn('part', 4)]);
            return Promise.all(kids.map((k) => k.result()));
          },
        },
        { concurrency: 4 },
      );
      const { task } = await engine.create({ handler: 'whole', input: null, owner: 'alice' });
      const rolled = await eventually(async () => {
        const t = await engine.get(task.id, 'alice');
        return t.progress?.current === 7 ? t : undefined;
      });
      expect(rolled.progress).toMatchObject({ current: 7, total: 20 });
      const children = (await engine.list({ owner: 'alice' })).tasks.filter((t) => t.parentId === task.id);
      expect(children).toHaveLength(2);
      gate.resolve();
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: [30, 40] });
    });

    it('a parent waiting for its child gives up its slot, so one slot is enough for both', async () => {
      const engine = await f.engine(
        {
          child: async () => 'from child',
          parent: async (_: null, ctx: TaskContext) => (await ctx.spawn('child', null)).result(),
        },
        { concurrency: 1 },
      );
      const { task } = await engine.create({ handler: 'parent', input: null, owner: 'alice' });
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: 'from child' });
    });

    it('a parent awaiting several children at once frees its one slot, not one per child', async () => {
      const gate = deferred();
      let live = 0;
      let mostLive = 0;
      const engine = await f.engine(
        {
          part: async (n: number) => {
            mostLive = Math.max(mostLive, ++live);
            await gate.promise;
            live--;
            return n;
          },
          whole: async (_: null, ctx: TaskContext) => {
            const kids = await Promise.all([1, 2, 3].map((n) => ctx.spawn('part', n)));
            return Promise.all(kids.map((k) => k.result()));
          },
        },
        { concurrency: 2 },
      );
      const { task } = await engine.create({ handler: 'whole', input: null, owner: 'alice' });
      await eventually(async () => live >= 2 || undefined);
      // A third child would be claimed by the next pass: give several polls the chance to start one.
      await new Promise((r) => setTimeout(r, FAST.pollMs * 6));
      expect(mostLive).toBe(2);
      gate.resolve();
      expect((await engine.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: [1, 2, 3] });
      expect(mostLive).toBe(2);
    });

    it('a failed child rejects the parent’s await with ChildTaskError', async () => {
      const engine = await f.engine({
        bad: async () => Promise.reject(new Error('child broke')),
        parent: async (_: null, ctx: TaskContext) => {
          const child = await ctx.spawn('bad', null, { maxAttempts: 1 });
          try {
            return await child.result();
          } catch (error) {
            return { caught: error instanceof ChildTaskError, message: (error as Error).message };
          }
        },
      });
      const { task } = await engine.create({ handler: 'parent', input: null, owner: 'alice' });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toMatchObject({ result: { caught: true, message: expect.stringMatching(/child broke/) } });
    });

    it('a re-run parent spawning the same key gets the child spawned before and its stored result', async () => {
      let childRuns = 0;
      const engine = await f.engine({
        child: async () => `child run ${++childRuns}`,
        parent: async (_: null, ctx: TaskContext) => {
          const child = await ctx.spawn('child', null, { key: 'only-once' });
          const result = await child.result();
          if (ctx.attempt === 1) throw new Error('crashed after the child finished');
          return { id: child.id, result };
        },
      });
      const { task } = await engine.create({ handler: 'parent', input: null, owner: 'alice', maxAttempts: 2 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      const children = (await engine.list({ owner: 'alice' })).tasks.filter((t) => t.parentId === task.id);
      expect(children).toHaveLength(1);
      expect(done.outcome).toEqual({ result: { id: children[0]!.id, result: 'child run 1' } });
      expect(childRuns).toBe(1);
    });

    it('cancelling the parent cancels its live children and aborts them', async () => {
      const childAborted = deferred<unknown>();
      const engine = await f.engine({
        child: async (_: null, ctx: TaskContext) => void childAborted.resolve(await aborted(ctx.signal)),
        parent: async (_: null, ctx: TaskContext) => (await ctx.spawn('child', null)).result(),
      });
      const { task } = await engine.create({ handler: 'parent', input: null, owner: 'alice' });
      const child = await eventually(async () =>
        (await engine.list({ owner: 'alice' })).tasks.find((t) => t.parentId === task.id && t.attempt === 1),
      );
      await engine.cancel(task.id, 'alice');
      expect(await childAborted.promise).toMatchObject({ reason: 'cancelled' });
      expect((await engine.get(child.id, 'alice')).status).toBe('cancelled');
    });
  });
}
