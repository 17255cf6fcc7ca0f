/** Timing facts on a task: when it first started, when it finished, and which worker ran it last. */
import { describe, expect, it } from 'vitest';
import type { TaskContext } from '@carrel/tasks';
import { aborted, deferred, type ContractFixture } from './fixture.js';

export function timingContract(f: ContractFixture): void {
  describe('timing facts', () => {
    it('has none before a worker claims the task; then its first start, its finish and its worker', async () => {
      const client = await f.engine({ job: async () => 'done' }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'job', input: null, owner: 'alice' });
      expect(task).toMatchObject({ startedAt: null, finishedAt: null, node: null, retryOf: null });
      const worker = await f.engineOn(client.store, { job: async () => 'done' });
      const done = await worker.waitForTerminal(task.id, 'alice');
      expect(done.node).toBe(worker.worker);
      expect(done.startedAt).toBeGreaterThanOrEqual(done.createdAt);
      expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt!);
      expect(done.finishedAt).toBe(done.updatedAt);
    });

    it('keeps the first attempt as the start across retries, and finishes a failed task', async () => {
      const starts: number[] = [];
      const engine = await f.engine(
        {
          flaky: async (_: null, ctx: TaskContext) => {
            starts.push(Date.now());
            throw new Error(`attempt ${ctx.attempt}`);
          },
        },
        { backoff: () => 100 },
      );
      const before = Date.now();
      const { task } = await engine.create({ handler: 'flaky', input: null, owner: 'alice', maxAttempts: 2 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('failed');
      expect(starts).toHaveLength(2);
      expect(done.startedAt).toBeGreaterThanOrEqual(before);
      expect(done.startedAt).toBeLessThanOrEqual(starts[0]!);
      // The second attempt started at least the backoff later: the start kept is the first one's.
      expect(starts[1]! - done.startedAt!).toBeGreaterThanOrEqual(90);
      expect(done.finishedAt).toBeGreaterThanOrEqual(starts[1]!);
    });

    it('finishes a task cancelled before it started, and its children, without a start or a worker', async () => {
      const engine = await f.engine({ job: async () => 'done' }, { concurrency: 0 });
      const { task: parent } = await engine.create({ handler: 'job', input: null, owner: 'alice' });
      const { task: child } = await engine.create({ handler: 'job', input: null, owner: 'alice', parentId: parent.id });
      const cancelled = await engine.cancel(parent.id, 'alice');
      expect(cancelled).toMatchObject({ status: 'cancelled', startedAt: null, node: null });
      expect(cancelled.finishedAt).toBe(cancelled.updatedAt);
      const cancelledChild = await engine.get(child.id, 'alice');
      expect(cancelledChild.finishedAt).toBe(cancelled.finishedAt);
    });

    it('names the worker that ran the task last when another node resumes it, keeping the first start', async () => {
      const first = deferred();
      const a = await f.engine({
        slow: async (_: null, ctx: TaskContext) => {
          first.resolve();
          await aborted(ctx.signal);
          throw ctx.signal.reason;
        },
      });
      const { task } = await a.create({ handler: 'slow', input: null, owner: 'alice' });
      await first.promise;
      const started = (await a.get(task.id, 'alice')).startedAt;
      expect(started).not.toBeNull();
      // Stopping hands the lease back without spending the attempt; the other node takes the task.
      await a.stop();
      const b = await f.engine({ slow: async () => 'resumed' });
      const done = await b.waitForTerminal(task.id, 'alice');
      expect(done).toMatchObject({ status: 'completed', node: b.worker, startedAt: started });
      expect(b.worker).not.toBe(a.worker);
    });

    it('finishes a task whose worker was lost on its last attempt, naming that worker', async () => {
      const client = await f.engine({ hang: async () => 'unused' }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'hang', input: null, owner: 'alice', maxAttempts: 1 });
      // A claim whose holder never heartbeats: its lease runs out and upkeep fails the task.
      await client.store.claim({ worker: 'dead-worker', handlers: ['hang'], limit: 1, leaseMs: 200, now: Date.now() });
      const failed = await client.waitForTerminal(task.id, 'alice');
      expect(failed).toMatchObject({ status: 'failed', node: 'dead-worker' });
      expect(failed.finishedAt).toBe(failed.updatedAt);
      expect(failed.startedAt).toBeLessThan(failed.finishedAt!);
    });
  });
}
