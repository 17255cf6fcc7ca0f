/** Create → run → terminal, progress and events, waiting, and what a terminal task refuses. */
import { describe, expect, it } from 'vitest';
import { TaskFailure, TaskNotFoundError, TaskTerminalError, type TaskEvent } from '@carrel/tasks';
import { deferred, eventually, type ContractFixture } from './fixture.js';

export function lifecycleContract(f: ContractFixture): void {
  describe('lifecycle', () => {
    it('persists the task before create returns and runs it to completed with the handler result', async () => {
      const engine = await f.engine({ echo: async (input: { n: number }) => ({ doubled: input.n * 2 }) });
      const { task, created } = await engine.create({ handler: 'echo', input: { n: 21 }, owner: 'alice' });
      expect(created).toBe(true);
      expect(task.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const stored = await engine.store.get(task.id);
      expect(stored?.status === 'working' || stored?.status === 'completed').toBe(true);
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('completed');
      expect(done.outcome).toEqual({ result: { doubled: 42 } });
      expect(done.attempt).toBe(1);
      expect(done.lease).toBeNull();
      expect(done.updatedAt).toBeGreaterThanOrEqual(done.createdAt);
    });

    it('a client-only engine (concurrency 0) creates tasks that a worker node runs', async () => {
      const client = await f.engine({ echo: async () => 'ran elsewhere' }, { concurrency: 0 });
      const { task } = await client.create({ handler: 'echo', input: null, owner: 'alice' });
      await new Promise((r) => setTimeout(r, 100));
      expect((await client.get(task.id, 'alice')).attempt).toBe(0);
      await f.engine({ echo: async () => 'ran elsewhere' });
      expect((await client.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: 'ran elsewhere' });
    });

    it('records progress and status messages, visible to get and to watchers', async () => {
      const release = deferred();
      const engine = await f.engine({
        steps: async (_: null, ctx) => {
          await ctx.progress(1, 4, 'one of four');
          await ctx.progress(2, 4);
          await release.promise;
          return 'ok';
        },
      });
      const events: TaskEvent[] = [];
      const { task } = await engine.create({ handler: 'steps', input: null, owner: 'alice' });
      engine.watch({ owner: 'alice', taskId: task.id }, (e) => events.push(e));
      const seen = await eventually(async () => {
        const t = await engine.get(task.id, 'alice');
        return t.progress?.current === 2 ? t : undefined;
      });
      expect(seen.progress).toEqual({ current: 2, total: 4 });
      expect(seen.statusMessage).toBe('one of four');
      expect(seen.status).toBe('working');
      release.resolve();
      await engine.waitForTerminal(task.id, 'alice');
      await eventually(() => events.some((e) => e.kind === 'status' && e.task?.status === 'completed'));
      expect(events.filter((e) => e.kind === 'status').at(-1)?.task?.status).toBe('completed');
    });

    it("tells an owner's watchers of new tasks only when they ask for them", async () => {
      const engine = await f.engine({ echo: async () => 'ok' });
      const created: TaskEvent[] = [];
      const changes: TaskEvent[] = [];
      const stop = [
        engine.watch({ owner: 'alice', created: true }, (e) => created.push(e)),
        engine.watch({ owner: 'alice' }, (e) => changes.push(e)),
      ];
      const { task } = await engine.create({ handler: 'echo', input: { n: 1 }, owner: 'alice' });
      await engine.create({ handler: 'echo', input: { n: 2 }, owner: 'bob' });
      await engine.waitForTerminal(task.id, 'alice');
      await eventually(() => created.some((e) => e.kind === 'status' && e.task?.status === 'completed'));
      await eventually(() => changes.some((e) => e.kind === 'status' && e.task?.status === 'completed'));
      const first = created.find((e) => e.kind === 'created');
      expect(first).toMatchObject({ taskId: task.id, task: { id: task.id, owner: 'alice', input: { n: 1 } } });
      expect(created.every((e) => e.taskId === task.id)).toBe(true);
      expect(changes.some((e) => e.kind === 'created')).toBe(false);
      for (const s of stop) s();
    });

    it("gives an operator's view any owner's task and every owner's changes, and only the operator's view", async () => {
      const engine = await f.engine({ echo: async () => 'ok' });
      const everyone: TaskEvent[] = [];
      const stop = engine.watchAcrossOwners({ created: true }, (e) => everyone.push(e));
      const { task: a } = await engine.create({ handler: 'echo', input: 'a', owner: 'alice' });
      const { task: b } = await engine.create({ handler: 'echo', input: 'b', owner: 'bob' });
      await engine.waitForTerminal(a.id, 'alice');
      await engine.waitForTerminal(b.id, 'bob');
      await eventually(() => everyone.filter((e) => e.kind === 'status' && e.task?.status === 'completed').length === 2);
      expect(new Set(everyone.filter((e) => e.kind === 'created').map((e) => e.task?.owner))).toEqual(new Set(['alice', 'bob']));
      expect((await engine.getAcrossOwners(b.id)).owner).toBe('bob');
      await expect(engine.get(b.id, 'alice')).rejects.toBeInstanceOf(TaskNotFoundError);
      await expect(engine.getAcrossOwners('no-such-task')).rejects.toBeInstanceOf(TaskNotFoundError);
      stop();
    });

    it('a thrown TaskFailure that is not retryable fails the task with its JSON-RPC error at once', async () => {
      const engine = await f.engine({
        boom: async () => Promise.reject(new TaskFailure('bad thing', { code: -32010, data: { why: 'x' }, retryable: false })),
      });
      const { task } = await engine.create({ handler: 'boom', input: null, owner: 'alice', maxAttempts: 5 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('failed');
      expect(done.attempt).toBe(1);
      expect(done.outcome).toEqual({ error: { code: -32010, message: 'bad thing', data: { why: 'x' } } });
      expect(done.statusMessage).toBe('bad thing');
    });

    it('waitForTerminal is woken by the change, not a slow poll', async () => {
      const go = deferred();
      const engine = await f.engine({ gated: async () => go.promise.then(() => 'done') }, { pollMs: 5_000 });
      const { task } = await engine.create({ handler: 'gated', input: null, owner: 'alice' });
      await eventually(async () => (await engine.get(task.id, 'alice')).attempt === 1);
      const waiting = engine.waitForTerminal(task.id, 'alice');
      const started = Date.now();
      go.resolve();
      expect((await waiting).status).toBe('completed');
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('waitForTerminal is abortable', async () => {
      const engine = await f.engine({
        forever: (_: null, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
      });
      const { task } = await engine.create({ handler: 'forever', input: null, owner: 'alice' });
      const controller = new AbortController();
      const waiting = engine.waitForTerminal(task.id, 'alice', { signal: controller.signal });
      controller.abort(new Error('client went away'));
      await expect(waiting).rejects.toThrow('client went away');
    });

    it('respects per-node concurrency', async () => {
      let running = 0;
      let peak = 0;
      const engine = await f.engine(
        {
          slow: async () => {
            peak = Math.max(peak, ++running);
            await new Promise((r) => setTimeout(r, 60));
            running--;
          },
        },
        { concurrency: 2 },
      );
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await engine.create({ handler: 'slow', input: i, owner: 'alice' })).task.id);
      for (const id of ids) expect((await engine.waitForTerminal(id, 'alice')).status).toBe('completed');
      expect(peak).toBe(2);
    });

    it('a terminal task never changes: cancel and respond after completion are refused or ignored', async () => {
      const engine = await f.engine({ quick: async () => 'v' });
      const { task } = await engine.create({ handler: 'quick', input: null, owner: 'alice' });
      const done = await engine.waitForTerminal(task.id, 'alice');
      await expect(engine.cancel(task.id, 'alice')).rejects.toBeInstanceOf(TaskTerminalError);
      const answered = await engine.respond(task.id, 'alice', { anything: 1 });
      expect(answered.accepted).toEqual([]);
      expect(answered.ignored).toEqual(['anything']);
      await engine.runMaintenance();
      expect(await engine.get(task.id, 'alice')).toEqual(done);
    });
  });
}
