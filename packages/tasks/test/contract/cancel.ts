/** Cancel: immediate status, abort that reaches the handler on any node, races with completion. */
import { describe, expect, it } from 'vitest';
import { TaskAbortedError, TaskNotFoundError, TaskTerminalError, type TaskContext } from '@carrel/tasks';
import { newTask } from '../support/new-task.js';
import { aborted, deferred, eventually, type ContractFixture } from './fixture.js';

export function cancelContract(f: ContractFixture): void {
  describe('cancel', () => {
    it('sets cancelled before returning, aborts the running handler and discards what it returns', async () => {
      const reason = deferred<unknown>();
      const started = deferred();
      const engine = await f.engine({
        stubborn: async (_: null, ctx: TaskContext) => {
          started.resolve();
          reason.resolve(await aborted(ctx.signal));
          return 'finished anyway';
        },
      });
      const { task } = await engine.create({ handler: 'stubborn', input: null, owner: 'alice' });
      await started.promise;
      const cancelled = await engine.cancel(task.id, 'alice', 'user changed their mind');
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.statusMessage).toBe('user changed their mind');
      const why = await reason.promise;
      expect(why).toBeInstanceOf(TaskAbortedError);
      expect((why as TaskAbortedError).reason).toBe('cancelled');
      await new Promise((r) => setTimeout(r, 50));
      const after = await engine.get(task.id, 'alice');
      expect(after.status).toBe('cancelled');
      expect(after.outcome).toBeNull();
    });

    it('cancels a task that has not started yet, and it never runs', async () => {
      let ran = false;
      const client = await f.engine({ never: async () => void (ran = true) }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'never', input: null, owner: 'alice' });
      expect((await client.cancel(task.id, 'alice')).status).toBe('cancelled');
      await f.engine({ never: async () => void (ran = true) });
      await new Promise((r) => setTimeout(r, 150));
      expect(ran).toBe(false);
      expect((await client.get(task.id, 'alice')).status).toBe('cancelled');
    });

    it('reaches a handler running on another node through the change feed', async () => {
      const started = deferred();
      const abortedAt = deferred<number>();
      await f.engine(
        {
          wait: async (_: null, ctx: TaskContext) => {
            started.resolve();
            await aborted(ctx.signal);
            abortedAt.resolve(Date.now());
          },
        },
        { leaseMs: 60_000 },
      );
      const other = await f.engine({ wait: async () => undefined }, { concurrency: 0, leaseMs: 60_000 });
      const { task } = await other.create({ handler: 'wait', input: null, owner: 'alice' });
      await started.promise;
      const cancelledAt = Date.now();
      await other.cancel(task.id, 'alice');
      // With a 60 s lease the heartbeat fallback would take 20 s: only the push path is this fast.
      expect((await abortedAt.promise) - cancelledAt).toBeLessThan(2_000);
    });

    it('refuses a foreign or expired task as not found, in the engine and in the store, and changes nothing', async () => {
      // No upkeep: the expired task must still be stored when the cancel comes.
      const engine = await f.engine(
        { wait: (_: null, ctx: TaskContext) => aborted(ctx.signal) },
        { concurrency: 0, maintenanceMs: 3_600_000 },
      );
      const { task: live } = await engine.create({ handler: 'wait', input: null, owner: 'alice' });
      const { task: expiring } = await engine.create({ handler: 'wait', input: null, owner: 'alice', ttlMs: 1 });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiring.expiresAt! + 1 - Date.now())));

      await expect(engine.cancel(live.id, 'mallory')).rejects.toEqual(new TaskNotFoundError(live.id));
      await expect(engine.cancel(expiring.id, 'alice')).rejects.toEqual(new TaskNotFoundError(expiring.id));
      const now = Date.now();
      expect(await engine.store.cancel({ id: live.id, owner: 'mallory', statusMessage: 'no', now })).toEqual({
        task: null,
        changed: false,
      });
      expect(await engine.store.cancel({ id: expiring.id, owner: 'alice', statusMessage: 'no', now })).toEqual({
        task: null,
        changed: false,
      });
      expect(await engine.store.cancel({ id: 'no-such-task', owner: 'alice', statusMessage: 'no', now })).toEqual({
        task: null,
        changed: false,
      });
      expect((await engine.store.get(live.id))?.status).toBe('working');
      expect((await engine.store.get(expiring.id))?.status).toBe('working');
      expect((await engine.cancel(live.id, 'alice')).status).toBe('cancelled');
    });

    it('a cancel that finds its task finished cancels nothing below it', async () => {
      const engine = await f.engine({
        child: (_: null, ctx: TaskContext) => aborted(ctx.signal),
        // Returns without waiting for its child: the parent completes, the child stays live.
        parent: async (_: null, ctx: TaskContext) => (await ctx.spawn('child', null)).id,
      });
      const { task } = await engine.create({ handler: 'parent', input: null, owner: 'alice' });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('completed');
      const childId = (done.outcome as { result: string }).result;

      await expect(engine.cancel(task.id, 'alice')).rejects.toEqual(new TaskTerminalError(task.id, 'completed'));
      expect((await engine.get(childId, 'alice')).status).toBe('working');
      expect((await engine.get(task.id, 'alice')).outcome).toEqual({ result: childId });
      await engine.cancel(childId, 'alice');
    });

    it('refuses a child under a cancelled or finished parent: a spawn that the abort has not reached yet creates nothing', async () => {
      const store = await f.db().open();
      const engine = await f.engineOn(store, { job: async () => 'done' }, { concurrency: 0 });
      const { task: parent } = await engine.create({ handler: 'job', input: null, owner: 'alice' });
      await engine.cancel(parent.id, 'alice');
      // What a handler on another node does when it spawns between the cancel and its abort: the insert goes to the store.
      const child = newTask({ owner: 'alice', handler: 'job', parentId: parent.id });
      await expect(store.insert(child, { maxLivePerOwner: null, now: Date.now() })).rejects.toEqual(
        new TaskTerminalError(parent.id, 'cancelled'),
      );
      await expect(store.insert({ ...child, uniqueKey: 'child:once' }, { maxLivePerOwner: 10, now: Date.now() })).rejects.toEqual(
        new TaskTerminalError(parent.id, 'cancelled'),
      );
      await expect(engine.create({ handler: 'job', input: null, owner: 'alice', parentId: parent.id })).rejects.toEqual(
        new TaskTerminalError(parent.id, 'cancelled'),
      );
      await expect(store.insert(newTask({ parentId: newTask().id }), { maxLivePerOwner: null, now: Date.now() })).rejects.toBeInstanceOf(
        TaskNotFoundError,
      );

      const finisher = await f.engine({ job: async () => 'done' });
      const { task: finished } = await finisher.create({ handler: 'job', input: null, owner: 'alice' });
      expect((await finisher.waitForTerminal(finished.id, 'alice')).status).toBe('completed');
      await expect(finisher.create({ handler: 'job', input: null, owner: 'alice', parentId: finished.id })).rejects.toEqual(
        new TaskTerminalError(finished.id, 'completed'),
      );
      expect((await engine.list({ owner: 'alice' })).tasks.map((t) => t.id).sort()).toEqual([parent.id, finished.id].sort());
    });

    it('cancels a live grandchild below a child that has already finished', async () => {
      const grandchildAborted = deferred<unknown>();
      const engine = await f.engine({
        grandchild: async (_: null, ctx: TaskContext) => void grandchildAborted.resolve(await aborted(ctx.signal)),
        // Returns without waiting for its own child: it completes, the grandchild stays live.
        child: async (_: null, ctx: TaskContext) => (await ctx.spawn('grandchild', null)).id,
        parent: async (_: null, ctx: TaskContext) => {
          await (await ctx.spawn('child', null)).result();
          return aborted(ctx.signal);
        },
      });
      const { task } = await engine.create({ handler: 'parent', input: null, owner: 'alice' });
      const child = await eventually(async () =>
        (await engine.list({ owner: 'alice', status: 'completed' })).tasks.find((t) => t.parentId === task.id),
      );
      const grandchildId = (child.outcome as { result: string }).result;
      await eventually(async () => (await engine.get(grandchildId, 'alice')).attempt === 1);

      await engine.cancel(task.id, 'alice');
      expect(await grandchildAborted.promise).toMatchObject({ reason: 'cancelled' });
      expect((await engine.get(grandchildId, 'alice')).status).toBe('cancelled');
      expect((await engine.get(child.id, 'alice')).status).toBe('completed');
    });

    it('racing completion: exactly one of cancel and complete wins, and the loser changes nothing', async () => {
      const engine = await f.engine(
        { racer: async (delay: number) => new Promise((r) => setTimeout(() => r('won'), delay)) },
        { concurrency: 8 },
      );
      const ids: string[] = [];
      for (let i = 0; i < 24; i++) ids.push((await engine.create({ handler: 'racer', input: 20 + (i % 6) * 2, owner: 'alice' })).task.id);
      await eventually(async () =>
        (await Promise.all(ids.map((id) => engine.get(id, 'alice')))).every((t) => t.attempt === 1 || t.status !== 'working'),
      );
      await new Promise((r) => setTimeout(r, 20));
      const verdicts = await Promise.all(
        ids.map((id) =>
          engine.cancel(id, 'alice').then(
            () => 'cancel',
            (error: unknown) => {
              expect(error).toBeInstanceOf(TaskTerminalError);
              return 'complete';
            },
          ),
        ),
      );
      await new Promise((r) => setTimeout(r, 100));
      for (const [i, id] of ids.entries()) {
        const task = await engine.get(id, 'alice');
        if (verdicts[i] === 'cancel') {
          expect(task.status).toBe('cancelled');
          expect(task.outcome).toBeNull();
        } else {
          expect(task.status).toBe('completed');
          expect(task.outcome).toEqual({ result: 'won' });
        }
      }
    });
  });
}
