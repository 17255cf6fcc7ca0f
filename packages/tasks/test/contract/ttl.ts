/** TTL: counted from creation, expired tasks disappear (whatever their status) and running work stops. */
import { describe, expect, it } from 'vitest';
import { TaskAbortedError, TaskNotFoundError, type TaskContext } from '@carrel/tasks';
import { aborted, deferred, eventually, type ContractFixture } from './fixture.js';

export function ttlContract(f: ContractFixture): void {
  describe('ttl', () => {
    it('reaps a finished task once its ttl from creation has passed', async () => {
      // Reaping only when the test says so: on a loaded machine the task may take longer than its
      // ttl to finish, and a timer would then reap it running (the next test's case) instead.
      const engine = await f.engine({ quick: async () => 'v' }, { maintenanceMs: 3_600_000 });
      const { task } = await engine.create({ handler: 'quick', input: null, owner: 'alice', ttlMs: 300 });
      expect(task.ttlMs).toBe(300);
      expect(task.expiresAt).toBe(task.createdAt + 300);
      await eventually(async () => (await engine.store.get(task.id))?.status === 'completed', { timeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, task.expiresAt! + 1 - Date.now())));
      await engine.runMaintenance();
      expect(await engine.store.get(task.id)).toBeNull();
      await expect(engine.get(task.id, 'alice')).rejects.toBeInstanceOf(TaskNotFoundError);
      expect((await engine.list({ owner: 'alice' })).tasks).toEqual([]);
    });

    it('reaps a running task too, aborting its handler with reason expired', async () => {
      const why = deferred<unknown>();
      const engine = await f.engine({ forever: async (_: null, ctx: TaskContext) => void why.resolve(await aborted(ctx.signal)) });
      const { task } = await engine.create({ handler: 'forever', input: null, owner: 'alice', ttlMs: 250 });
      const reason = await why.promise;
      expect(reason).toBeInstanceOf(TaskAbortedError);
      expect((reason as TaskAbortedError).reason).toBe('expired');
      expect(await engine.store.get(task.id)).toBeNull();
    });

    it('waiters learn that an expired task is gone', async () => {
      const engine = await f.engine({ forever: (_: null, ctx: TaskContext) => aborted(ctx.signal) });
      const { task } = await engine.create({ handler: 'forever', input: null, owner: 'alice', ttlMs: 250 });
      await expect(engine.waitForTerminal(task.id, 'alice')).rejects.toBeInstanceOf(TaskNotFoundError);
    });

    it('keeps a task with a null ttl and clamps requested ttls to the maximum', async () => {
      const engine = await f.engine({ quick: async () => 'v' }, { maxTtlMs: 60_000 });
      const kept = await engine.create({ handler: 'quick', input: null, owner: 'alice', ttlMs: null });
      expect(kept.task.expiresAt).toBeNull();
      const clamped = await engine.create({ handler: 'quick', input: null, owner: 'alice', ttlMs: 10 * 60_000 });
      expect(clamped.task.ttlMs).toBe(60_000);
      const defaulted = await engine.create({ handler: 'quick', input: null, owner: 'alice' });
      expect(defaulted.task.ttlMs).toBe(3_600_000);
    });
  });
}
