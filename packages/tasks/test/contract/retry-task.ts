/** Retrying a finished task: a new task linked to the old one, which never changes. */
import { describe, expect, it } from 'vitest';
import { TaskNotFoundError, TaskNotRetryableError, type TaskContext } from '@carrel/tasks';
import { deferred, type ContractFixture } from './fixture.js';

export function retryTaskContract(f: ContractFixture): void {
  describe('retry as a new task', () => {
    it('creates a new task with the same handler, input, owner, attempts and meta, linked by retryOf; the old row is untouched', async () => {
      let fail = true;
      const engine = await f.engine({
        flaky: async (input: { n: number }) => {
          if (fail) throw new Error('down');
          return input.n * 2;
        },
      });
      const { task } = await engine.create({
        handler: 'flaky',
        input: { n: 21 },
        owner: 'alice',
        maxAttempts: 1,
        ttlMs: 600_000,
        meta: { tool: 'double', era: '2026-07-28' },
      });
      const failed = await engine.waitForTerminal(task.id, 'alice');
      expect(failed.status).toBe('failed');
      const stored = JSON.stringify(await engine.store.get(task.id));
      fail = false;
      const retried = await engine.retry(task.id, 'alice');
      expect(retried.id).not.toBe(task.id);
      expect(retried).toMatchObject({
        handler: 'flaky',
        input: { n: 21 },
        owner: 'alice',
        maxAttempts: 1,
        ttlMs: 600_000,
        meta: { tool: 'double', era: '2026-07-28' },
        retryOf: task.id,
        attempt: 0,
        parentId: null,
      });
      expect(retried.seq).toBeGreaterThan(failed.seq);
      expect((await engine.waitForTerminal(retried.id, 'alice')).outcome).toEqual({ result: 42 });
      expect(JSON.stringify(await engine.store.get(task.id))).toBe(stored);
      expect((await engine.list({ owner: 'alice' })).tasks.map((t) => [t.id, t.retryOf])).toEqual([
        [retried.id, task.id],
        [task.id, null],
      ]);
    });

    it('retries a cancelled task, and a retry of a retry links to the one it retries', async () => {
      const engine = await f.engine({ job: async () => 'ok' }, { concurrency: 0 });
      const { task } = await engine.create({ handler: 'job', input: 'x', owner: 'alice' });
      await engine.cancel(task.id, 'alice');
      const second = await engine.retry(task.id, 'alice');
      await engine.cancel(second.id, 'alice');
      const third = await engine.retry(second.id, 'alice');
      expect([second.retryOf, third.retryOf]).toEqual([task.id, second.id]);
      expect((await engine.get(task.id, 'alice')).status).toBe('cancelled');
    });

    it('refuses a live or completed task, and hides another owner’s', async () => {
      const hold = deferred();
      const engine = await f.engine({ job: async (_: null, ctx: TaskContext) => (ctx.attempt ? hold.promise.then(() => 'done') : null) });
      const { task } = await engine.create({ handler: 'job', input: null, owner: 'alice' });
      await expect(engine.retry(task.id, 'alice')).rejects.toEqual(new TaskNotRetryableError(task.id, 'working'));
      hold.resolve();
      await engine.waitForTerminal(task.id, 'alice');
      await expect(engine.retry(task.id, 'alice')).rejects.toEqual(new TaskNotRetryableError(task.id, 'completed'));
      await expect(engine.retry(task.id, 'mallory')).rejects.toEqual(new TaskNotFoundError(task.id));
      expect((await engine.list({ owner: 'alice' })).tasks).toHaveLength(1);
    });
  });
}
