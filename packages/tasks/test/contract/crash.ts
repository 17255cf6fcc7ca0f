/**
 * Workers that die or stop: expired leases are reclaimed by another node, heartbeats keep long
 * handlers exclusive, a graceful stop hands work back without spending an attempt, and cancel
 * crosses process boundaries. Backends that live in one process (memory) cannot be SIGKILLed
 * apart from their data; for them a dead worker is a claim whose holder never heartbeats again.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskContext } from '@carrel/tasks';
import { startChildWorker, type ChildWorker } from '../support/child-worker.js';
import { aborted, deferred, eventually, type ContractFixture } from './fixture.js';

export function crashContract(f: ContractFixture): void {
  describe('crashes, leases and shutdown', () => {
    const children: ChildWorker[] = [];
    afterEach(async () => {
      await Promise.all(children.splice(0).map((c) => c.kill()));
    });
    const child = async () => {
      const locator = f.db().locator;
      if (!locator) throw new Error('backend has no locator');
      const worker = await startChildWorker(locator, { leaseMs: 500 });
      children.push(worker);
      return worker;
    };
    const inProcessOnly = f.harness.name === 'memory';

    it('a worker killed mid-task loses its lease and another node finishes the task', async () => {
      const client = await f.engine({ hang: async () => 'unused' }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'hang', input: null, owner: 'alice', maxAttempts: 3 });
      if (inProcessOnly) {
        const [claimed] = await client.store.claim({ worker: 'dead-worker', handlers: ['hang'], limit: 1, leaseMs: 300, now: Date.now() });
        expect(claimed?.id).toBe(task.id);
      } else {
        const worker = await child();
        await worker.line(new RegExp(`^started ${task.id} 1$`));
        await worker.kill('SIGKILL');
      }
      await f.engine({ hang: async (_: null, ctx: TaskContext) => `recovered on attempt ${ctx.attempt}` });
      const done = await client.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('completed');
      expect(done.outcome).toEqual({ result: 'recovered on attempt 2' });
    });

    it('a lost worker on the last attempt fails the task with a clear message', async () => {
      const client = await f.engine({ hang: async () => 'unused' }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'hang', input: null, owner: 'alice', maxAttempts: 1 });
      await client.store.claim({ worker: 'dead-worker', handlers: ['hang'], limit: 1, leaseMs: 200, now: Date.now() });
      const done = await client.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('failed');
      expect(done.statusMessage).toMatch(/Worker lost/);
      expect(done.outcome).toMatchObject({ error: { code: -32603 } });
    });

    it('a node with runs: assigned claims only the tasks assigned to it', async () => {
      const ran: string[] = [];
      const handlers = { job: async (input: string) => void ran.push(input) };
      const client = await f.engine(handlers, { concurrency: 0 });
      const other = await client.create({ handler: 'job', input: 'other', owner: 'alice' });
      const own = await client.create({ handler: 'job', input: 'own', owner: 'alice' });
      const node = await f.engine(handlers, { runs: 'assigned' });
      await node.assign(own.task.id, 'alice');
      expect((await node.waitForTerminal(own.task.id, 'alice')).status).toBe('completed');
      await new Promise((r) => setTimeout(r, 200));
      expect(ran).toEqual(['own']);
      expect((await client.get(other.task.id, 'alice')).attempt).toBe(0);
      await expect(node.assign(other.task.id, 'mallory')).rejects.toThrow(/not found/i);
    });

    it('claims only the ids asked for, and names the workers holding leases', async () => {
      const client = await f.engine({ job: async () => 'x' }, { concurrency: 0 });
      const a = await client.create({ handler: 'job', input: 1, owner: 'alice' });
      const b = await client.create({ handler: 'job', input: 2, owner: 'alice' });
      const now = Date.now();
      const claim = { handlers: ['job'], limit: 5, leaseMs: 60_000, now };
      expect(await client.store.claim({ ...claim, worker: 'w1', ids: [] })).toEqual([]);
      expect((await client.store.claim({ ...claim, worker: 'w1', ids: [b.task.id] })).map((t) => t.id)).toEqual([b.task.id]);
      expect((await client.store.claim({ ...claim, worker: 'w2' })).map((t) => t.id)).toEqual([a.task.id]);
      expect((await client.store.leaseHolders({ now })).sort()).toEqual(['w1', 'w2']);
      expect(await client.store.leaseHolders({ now: now + 60_000 })).toEqual([]);
    });

    it('rescues at once the leases of workers named dead, leaving live ones', async () => {
      const client = await f.engine({ job: async () => 'x' }, { concurrency: 0 });
      const a = await client.create({ handler: 'job', input: 1, owner: 'alice' });
      const b = await client.create({ handler: 'job', input: 2, owner: 'alice' });
      const now = Date.now();
      const claim = { handlers: ['job'], limit: 1, leaseMs: 60_000, now };
      await client.store.claim({ ...claim, worker: 'dead', ids: [a.task.id] });
      await client.store.claim({ ...claim, worker: 'alive', ids: [b.task.id] });
      expect(await client.store.rescueExpiredLeases({ now: now + 1, deadWorkers: ['dead'] })).toBe(1);
      const rescued = await client.get(a.task.id, 'alice');
      expect(rescued).toMatchObject({ status: 'working', lease: null, attempt: 1 });
      expect(rescued.statusMessage).toMatch(/Worker lost \(its process ended\) during attempt 1; retrying/);
      expect((await client.get(b.task.id, 'alice')).lease?.worker).toBe('alive');
      expect(await client.store.leaseHolders({ now })).toEqual(['alive']);
    });

    it('with rescueDeadLocalWorkers, a task leased by an ended process on this host runs again at once', async () => {
      const ended = spawnSync(process.execPath, ['-e', '0']).pid;
      const client = await f.engine({ job: async () => 'unused' }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'job', input: null, owner: 'alice' });
      const dead = `${hostname()}:${ended}:deadbeef`;
      await client.store.claim({ worker: dead, handlers: ['job'], limit: 1, leaseMs: 600_000, now: Date.now() });
      const started = Date.now();
      await f.engine({ job: async (_: null, ctx: TaskContext) => `attempt ${ctx.attempt}` }, { rescueDeadLocalWorkers: true });
      const done = await client.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: 'attempt 2' });
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('heartbeats keep a handler that outlives its lease exclusive', async () => {
      let runs = 0;
      const handlers = {
        long: async () => {
          runs++;
          await new Promise((r) => setTimeout(r, 900));
          return 'once';
        },
      };
      const a = await f.engine(handlers, { leaseMs: 300 });
      await f.engine(handlers, { leaseMs: 300 });
      const { task } = await a.create({ handler: 'long', input: null, owner: 'alice', maxAttempts: 3 });
      const done = await a.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('completed');
      expect(done.attempt).toBe(1);
      expect(runs).toBe(1);
    });

    it('a graceful stop aborts with reason shutdown and hands the task back without spending the attempt', async () => {
      const started = deferred();
      const why = deferred<unknown>();
      const first = await f.engine({
        slow: async (_: null, ctx: TaskContext) => {
          started.resolve();
          why.resolve(await aborted(ctx.signal));
        },
      });
      const { task } = await first.create({ handler: 'slow', input: null, owner: 'alice', maxAttempts: 1 });
      // The handler itself, not the stored attempt: a claim can be committed before its answer reaches the runner.
      await started.promise;
      await first.stop();
      expect(await why.promise).toMatchObject({ reason: 'shutdown' });
      const second = await f.engine({ slow: async (_: null, ctx: TaskContext) => `attempt ${ctx.attempt}` });
      const done = await second.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: 'attempt 1' });
    });

    // A memory store lives and dies with its process, so the two tests below only exist for
    // backends that several processes share.
    if (inProcessOnly) return;

    it('cancel reaches a handler running in another process', async () => {
      const client = await f.engine({ hang: async () => 'unused' }, { concurrency: 0 });
      const worker = await child();
      const { task } = await client.create({ handler: 'hang', input: null, owner: 'alice' });
      await worker.line(new RegExp(`^started ${task.id}`));
      const cancelledAt = Date.now();
      await client.cancel(task.id, 'alice');
      await worker.line(new RegExp(`^aborted ${task.id} cancelled$`));
      expect(Date.now() - cancelledAt).toBeLessThan(1_000);
    });

    it('an input request survives the worker being killed and the answer resumes the task elsewhere', async () => {
      const client = await f.engine({ ask: async () => 'unused' }, { concurrency: 0 });
      const worker = await child();
      const { task } = await client.create({ handler: 'ask', input: null, owner: 'alice' });
      await eventually(async () => (await client.get(task.id, 'alice')).status === 'input_required');
      await worker.kill('SIGKILL');
      const waiting = await client.get(task.id, 'alice');
      expect(waiting.inputRequests).toEqual({ confirm: { request: { message: 'Proceed?' }, requestedAt: expect.any(Number) } });
      await f.engine({
        ask: async (_: null, ctx: TaskContext) => ({ resumedWith: await ctx.requestInput('confirm', { message: 'Proceed?' }) }),
      });
      await client.respond(task.id, 'alice', { confirm: { action: 'accept' } });
      const done = await client.waitForTerminal(task.id, 'alice');
      expect(done.outcome).toEqual({ result: { resumedWith: { action: 'accept' } } });
    });
  });
}
