/** Queue statistics: tasks per handler and state now, and finished tasks per time bucket with wait and run percentiles. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, type TaskContext } from '@carrel/tasks';
import { deferred, eventually, type ContractFixture } from './fixture.js';

export function queueStatsContract(f: ContractFixture): void {
  describe('queue statistics', () => {
    it('counts each handler’s tasks by state and buckets finished ones with wait and run times, per handler and node', async () => {
      const hold = deferred();
      const handlers = {
        fast: async () => new Promise((resolve) => setTimeout(() => resolve('ok'), 40)),
        bad: async () => Promise.reject(new Error('broken')),
        held: async () => hold.promise,
        ask: async (_: null, ctx: TaskContext) => ctx.requestInput('k', {}),
        idle: async () => null,
      };
      const since = Date.now() - 1;
      // The client creates every kind; the worker does not run `idle`, whose tasks stay waiting.
      const client = await f.engine(handlers, { concurrency: 0 });
      const { idle: _idle, ...running } = handlers;
      const worker = await f.engineOn(client.store, running, { concurrency: 8 });
      const create = async (handler: string, owner = 'alice') =>
        (await client.create({ handler, input: null, owner, maxAttempts: 1 })).task.id;
      const fast = await Promise.all([create('fast'), create('fast'), create('fast')]);
      const bad = await create('bad');
      const held = await create('held');
      const ask = await create('ask');
      await create('idle');
      await client.cancel(await create('idle'), 'alice');
      const bobs = await create('fast', 'bob');
      for (const id of [...fast, bad]) await client.waitForTerminal(id, 'alice');
      await client.waitForTerminal(bobs, 'bob');
      await eventually(async () => (await client.get(ask, 'alice')).status === 'input_required');
      await eventually(async () => (await client.get(held, 'alice')).lease !== null);

      const stats = await client.queueStats({ owner: 'alice', since, bucketMs: 60_000 });
      expect(stats.handlers).toEqual([
        { handler: 'ask', working: 0, waiting: 0, inputRequired: 1, completed: 0, failed: 0, cancelled: 0 },
        { handler: 'bad', working: 0, waiting: 0, inputRequired: 0, completed: 0, failed: 1, cancelled: 0 },
        { handler: 'fast', working: 0, waiting: 0, inputRequired: 0, completed: 3, failed: 0, cancelled: 0 },
        { handler: 'held', working: 1, waiting: 0, inputRequired: 0, completed: 0, failed: 0, cancelled: 0 },
        { handler: 'idle', working: 0, waiting: 1, inputRequired: 0, completed: 0, failed: 0, cancelled: 1 },
      ]);
      expect(stats.series).toMatchObject({ start: since, bucketMs: 60_000, buckets: 1, truncated: false });
      expect(stats.now).toBeGreaterThan(since);
      const { perHandler, perNode } = stats.series;
      expect(Object.keys(perHandler).sort()).toEqual(['bad', 'fast']);
      expect(perHandler.fast).toMatchObject({ completed: [3], failed: [0] });
      expect(perHandler.bad).toMatchObject({ completed: [0], failed: [1] });
      const timed = await Promise.all(fast.map((id) => client.get(id, 'alice')));
      const runs = timed.map((t) => t.finishedAt! - t.startedAt!).sort((a, b) => a - b);
      const waits = timed.map((t) => t.startedAt! - t.createdAt).sort((a, b) => a - b);
      // Nearest rank over three values: the median is the second, the 95th percentile the largest.
      expect(perHandler.fast).toMatchObject({ runP50: [runs[1]], runP95: [runs[2]], waitP50: [waits[1]], waitP95: [waits[2]] });
      expect(runs[0]).toBeGreaterThanOrEqual(35);
      expect(perNode).toEqual({ [worker.worker]: { completed: [3], runP50: [runs[1]] } });

      // Bob's task is his alone; the operator's view counts everyone's.
      const bob = await client.queueStats({ owner: 'bob', since, bucketMs: 60_000 });
      expect(bob.handlers).toEqual([{ handler: 'fast', working: 0, waiting: 0, inputRequired: 0, completed: 1, failed: 0, cancelled: 0 }]);
      expect(bob.series.perHandler.fast?.completed).toEqual([1]);
      const everyone = await client.queueStats({ owner: null, since, bucketMs: 60_000 });
      expect(everyone.handlers.find((h) => h.handler === 'fast')?.completed).toBe(4);
      expect(everyone.series.perHandler.fast?.completed).toEqual([4]);
      hold.resolve();
    });

    it('puts each finished task in the bucket of its finish time', async () => {
      const engine = await f.engine({ job: async () => 'done' });
      const since = Date.now() - 1;
      const first = (await engine.create({ handler: 'job', input: 1, owner: 'alice' })).task.id;
      const a = await engine.waitForTerminal(first, 'alice');
      const bucketOf = (finishedAt: number) => Math.floor((finishedAt - since) / 200);
      // Past the end of the first task's bucket, so that the second finishes in a later one.
      await new Promise((r) => setTimeout(r, Math.max(0, since + (bucketOf(a.finishedAt!) + 1) * 200 - Date.now()) + 5));
      const second = (await engine.create({ handler: 'job', input: 2, owner: 'alice' })).task.id;
      const b = await engine.waitForTerminal(second, 'alice');
      const stats = await engine.queueStats({ owner: 'alice', since, bucketMs: 200 });
      const completed = stats.series.perHandler.job!.completed;
      expect(completed).toHaveLength(stats.series.buckets);
      const expected = new Array(stats.series.buckets).fill(0);
      expected[bucketOf(a.finishedAt!)]++;
      expected[bucketOf(b.finishedAt!)]++;
      expect(completed).toEqual(expected);
      expect(bucketOf(b.finishedAt!)).toBeGreaterThan(bucketOf(a.finishedAt!));
    });

    it("the store's read of finished tasks gives the newest `limit` in [since, until), newest first, of the owner asked for", async () => {
      const engine = await f.engine({ job: async () => 'done' });
      const since = Date.now() - 1;
      const finish = async (owner: string) => {
        const { task } = await engine.create({ handler: 'job', input: null, owner });
        return (await engine.waitForTerminal(task.id, owner)).finishedAt!;
      };
      // Each finishes in a later millisecond than the one before: ties would leave the order open.
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        while (times.length > 0 && Date.now() <= times.at(-1)!) await new Promise((r) => setTimeout(r, 1));
        times.push(await finish('alice'));
      }
      await finish('bob');
      const read = (args: { owner: string | null; until: number; limit: number }) => engine.store.finishedTasks({ since, ...args });
      const newest = times.at(-1)!;
      expect((await read({ owner: 'alice', until: newest + 1, limit: 3 })).map((t) => t.finishedAt)).toEqual(times.slice(1).reverse());
      // until is exclusive; since is inclusive.
      expect((await read({ owner: 'alice', until: newest, limit: 10 })).map((t) => t.finishedAt)).toEqual(times.slice(0, 3).reverse());
      const fromFirst = await engine.store.finishedTasks({ owner: 'alice', since: times[0]!, until: newest + 1, limit: 10 });
      expect(fromFirst).toHaveLength(4);
      expect(await read({ owner: null, until: Date.now() + 1, limit: 10 })).toHaveLength(5);
    });

    it('refuses a window it cannot bound', async () => {
      const engine = await f.engine({ job: async () => null }, { concurrency: 0 });
      const now = Date.now();
      await expect(engine.queueStats({ owner: 'alice', since: now + 60_000, bucketMs: 1_000 })).rejects.toThrow(/since/);
      await expect(engine.queueStats({ owner: 'alice', since: now - 8 * 86_400_000, bucketMs: 3_600_000 })).rejects.toThrow(/since/);
      await expect(engine.queueStats({ owner: 'alice', since: now - 3_600_000, bucketMs: 1_000 })).rejects.toThrow(/bucketMs/);
      await expect(engine.queueStats({ owner: 'alice', since: now - 3_600_000, bucketMs: 0 })).rejects.toThrow(InvalidArgumentError);
    });
  });
}
