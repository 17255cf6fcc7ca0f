/**
 * Workflows: steps run as child tasks in dependency order with their dependencies' results, fan
 * out in bounded parallel batches, roll progress up, cancel and fail as one, and after a crash
 * resume with only the unfinished steps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { defineWorkflow, TaskFailure, type TaskContext, type TaskEngine, type TaskRecord, type WorkflowDefinition } from '@carrel/tasks';
import { startChildWorker, type ChildWorker } from '../support/child-worker.js';
import { aborted, deferred, eventually, type ContractFixture } from './fixture.js';

export function workflowsContract(f: ContractFixture): void {
  describe('workflows', () => {
    const workers: ChildWorker[] = [];
    afterEach(async () => {
      await Promise.all(workers.splice(0).map((w) => w.kill()));
    });

    const start = (engine: TaskEngine, handler: string, input: unknown = null) =>
      engine.create({ handler, input, owner: 'alice' }).then(({ task }) => task);
    const children = async (engine: TaskEngine, parent: TaskRecord) =>
      (await engine.list({ owner: 'alice', limit: 200 })).tasks.filter((t) => t.parentId === parent.id);

    it('runs each step after the steps it comes after, with their results, and completes with every result', async () => {
      const order: string[] = [];
      const step =
        (name: string) =>
        ({ input, results }: { input: { base: number }; results: Record<string, number> }) => {
          order.push(name);
          return Object.values(results).reduce((sum, r) => sum + r, input.base);
        };
      const diamond = defineWorkflow<{ base: number }>({
        steps: {
          join: { after: ['left', 'right'], run: step('join') },
          left: { after: ['root'], run: step('left') },
          right: { after: ['root'], run: step('right') },
          root: { run: step('root') },
        },
      });
      const engine = await f.engine({}, { workflows: { diamond }, concurrency: 4 });
      const task = await start(engine, 'diamond', { base: 1 });
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('completed');
      // root = 1; left = right = 1 + 1; join = 1 + 2 + 2.
      expect(done.outcome).toEqual({ result: { root: 1, left: 2, right: 2, join: 5 } });
      expect(order[0]).toBe('root');
      expect(order[3]).toBe('join');
      const steps = await children(engine, task);
      expect(steps.map((t) => t.handler).sort()).toEqual(['diamond/join', 'diamond/left', 'diamond/right', 'diamond/root']);
      expect(steps.every((t) => t.owner === 'alice' && t.status === 'completed')).toBe(true);
      expect(done.progress).toEqual({ current: 4, total: 4 });
    });

    it('fans a step out in batches, at most `parallelism` child tasks live at once, results in batch order', async () => {
      const gates = Array.from({ length: 4 }, () => deferred());
      let live = 0;
      let mostLive = 0;
      const started: number[] = [];
      const batches = defineWorkflow<{ n: number }>({
        steps: {
          discover: { run: ({ input }) => Array.from({ length: input.n }, (_, i) => i) },
          fetch: {
            after: ['discover'],
            forEach: ({ results }) => results.discover as number[],
            batchSize: 3,
            parallelism: 2,
            runBatch: async ({ items, batch }) => {
              live++;
              mostLive = Math.max(mostLive, live);
              started.push(batch);
              await gates[batch]!.promise;
              live--;
              return items.reduce((sum, item) => sum + item, 0);
            },
          },
          apply: { after: ['fetch'], run: ({ results }) => (results.fetch as number[]).length },
        },
      });
      const engine = await f.engine({}, { workflows: { batches }, concurrency: 8 });
      const task = await start(engine, 'batches', { n: 10 });
      for (let released = 0; released < 4; released++) {
        // Two batches run at a time until fewer than two are left.
        await eventually(() => started.length === Math.min(released + 2, 4));
        expect(live).toBe(Math.min(2, 4 - released));
        gates[started[released]!]!.resolve();
      }
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(mostLive).toBe(2);
      expect(done.outcome).toEqual({ result: { discover: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], fetch: [3, 12, 21, 9], apply: 4 } });
      const fetches = (await children(engine, task)).filter((t) => t.handler === 'batches/fetch');
      expect(fetches.map((t) => (t.input as { items: number[] }).items).sort((a, b) => a[0]! - b[0]!)).toEqual([
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8],
        [9],
      ]);
      // discover, apply and four batches.
      expect(done.progress).toEqual({ current: 6, total: 6 });
    });

    it('rolls progress up: child tasks done of planned, with the message of the step reporting', async () => {
      const gate = deferred();
      const rolled = defineWorkflow({
        steps: {
          first: { run: () => 'ok' },
          pages: {
            after: ['first'],
            forEach: () => ['a', 'b'],
            runBatch: async ({ batch }, ctx: TaskContext) => {
              if (batch === 0) await ctx.progress(1, 4, 'Fetched a.md');
              await gate.promise;
            },
          },
        },
      });
      const engine = await f.engine({}, { workflows: { rolled }, concurrency: 4 });
      const task = await start(engine, 'rolled');
      const running = await eventually(async () => {
        const t = await engine.get(task.id, 'alice');
        return t.progress?.message ? t : undefined;
      });
      expect(running.progress).toEqual({ current: 1, total: 3, message: 'pages[0]: Fetched a.md' });
      expect(running.statusMessage).toBe('pages[0]: Fetched a.md');
      gate.resolve();
      expect((await engine.waitForTerminal(task.id, 'alice')).progress).toEqual({ current: 3, total: 3 });
    });

    it('shows the progress its own `progress` makes of its steps: items across the batches, with their keys', async () => {
      const gate = deferred();
      const counted = defineWorkflow({
        steps: {
          list: { run: async (_args, ctx: TaskContext) => ctx.progress(0, 10, 'listed 10') },
          fetch: {
            after: ['list'],
            forEach: () => ['a', 'b'],
            runBatch: async ({ batch }, ctx: TaskContext) => {
              await ctx.progress(batch === 0 ? 5 : 2, 5, `batch ${batch}`);
              if (batch === 1) await gate.promise;
            },
          },
        },
        // Items: the listing's total, the sum of what each step has done, the keys of the steps seen.
        progress: (_own, steps) => ({
          current: steps.reduce((n, s) => n + (s.progress?.current ?? 0), 0),
          total: steps.find((s) => s.key === 'list')?.progress?.total ?? 0,
          message: steps
            .map((s) => s.key)
            .sort()
            .join(' '),
        }),
      });
      const engine = await f.engine({}, { workflows: { counted }, concurrency: 4 });
      const task = await start(engine, 'counted');
      const running = await eventually(async () => {
        const t = await engine.get(task.id, 'alice');
        return t.progress?.current === 7 ? t : undefined;
      });
      expect(running.progress).toEqual({ current: 7, total: 10, message: 'fetch[0] fetch[1] list' });
      gate.resolve();
      expect((await engine.waitForTerminal(task.id, 'alice')).status).toBe('completed');
    });

    it('cancelling the workflow cancels and aborts its running step; later steps never start', async () => {
      const slowStarted = deferred();
      const why = deferred<unknown>();
      const cancellable = defineWorkflow({
        steps: {
          first: { run: () => 'done' },
          slow: {
            after: ['first'],
            run: async (_args, ctx: TaskContext) => {
              slowStarted.resolve();
              why.resolve(await aborted(ctx.signal));
            },
          },
          last: { after: ['slow'], run: () => 'never' },
        },
      });
      const engine = await f.engine({}, { workflows: { cancellable } });
      const task = await start(engine, 'cancellable');
      // Its handler, not only its claim: a cancel that reaches a claimed task before it starts means it never starts.
      await slowStarted.promise;
      const slow = (await children(engine, task)).find((t) => t.handler === 'cancellable/slow')!;
      await engine.cancel(task.id, 'alice');
      expect(await why.promise).toMatchObject({ reason: 'cancelled' });
      expect((await engine.get(slow.id, 'alice')).status).toBe('cancelled');
      expect((await engine.get(task.id, 'alice')).status).toBe('cancelled');
      expect((await children(engine, task)).map((t) => t.handler).sort()).toEqual(['cancellable/first', 'cancellable/slow']);
    });

    it('a failed step fails the workflow naming the step (its error data as cause): its dependents never run, running siblings are cancelled', async () => {
      const siblingStarted = deferred();
      const siblingStopped = deferred<unknown>();
      const failing = defineWorkflow({
        steps: {
          first: { run: () => 'ok' },
          broken: {
            after: ['first'],
            // Fails once the sibling runs: a sibling still queued when the workflow fails is cancelled without ever starting.
            run: async () => {
              await siblingStarted.promise;
              throw new TaskFailure('the source answered 404', { code: -32602, data: { url: '/gone' }, retryable: false });
            },
          },
          after_broken: { after: ['broken'], run: () => 'never' },
          sibling: {
            run: async (_args, ctx: TaskContext) => {
              siblingStarted.resolve();
              siblingStopped.resolve(await aborted(ctx.signal));
            },
          },
        },
      });
      const engine = await f.engine({}, { workflows: { failing }, concurrency: 4 });
      const task = await start(engine, 'failing');
      const done = await engine.waitForTerminal(task.id, 'alice');
      expect(done.status).toBe('failed');
      expect(done.attempt).toBe(1);
      expect(done.outcome).toMatchObject({
        error: {
          code: -32602,
          message: "Workflow step 'broken' failed: the source answered 404",
          data: { step: 'broken', status: 'failed', cause: { url: '/gone' } },
        },
      });
      expect(await siblingStopped.promise).toMatchObject({ reason: 'cancelled' });
      const steps = await children(engine, task);
      expect(steps.find((t) => t.handler === 'failing/sibling')?.status).toBe('cancelled');
      expect(steps.some((t) => t.handler === 'failing/after_broken')).toBe(false);
    });

    it('a node with runs: assigned runs the workflow it was given, with all its steps and batches', async () => {
      const assigned = defineWorkflow({
        steps: { first: { run: () => 1 }, many: { after: ['first'], forEach: () => [1, 2, 3], runBatch: ({ items }) => items[0] } },
      });
      const client = await f.engine({}, { workflows: { assigned }, concurrency: 0 });
      const task = await start(client, 'assigned');
      const node = await f.engine({}, { workflows: { assigned }, runs: 'assigned' });
      await node.assign(task.id, 'alice');
      expect((await node.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: { first: 1, many: [1, 2, 3] } });
    });

    it('a runs: assigned node that resumes a workflow also runs the step left running before', async () => {
      const resumable = (second: () => unknown) =>
        defineWorkflow({ steps: { first: { run: () => 1 }, second: { after: ['first'], run: second } } });
      const client = await f.engine({}, { workflows: { resumable: resumable(() => 'unused') }, concurrency: 0 });
      const task = await start(client, 'resumable');
      const first = await f.engine({}, { workflows: { resumable: resumable(() => new Promise(() => {})) }, runs: 'assigned' });
      await first.assign(task.id, 'alice');
      await eventually(async () => (await children(client, task)).find((t) => t.handler === 'resumable/second' && t.attempt === 1));
      await first.stop({ graceMs: 0 });
      const next = await f.engine({}, { workflows: { resumable: resumable(() => 2) }, runs: 'assigned' });
      await next.assign(task.id, 'alice');
      expect((await next.waitForTerminal(task.id, 'alice')).outcome).toEqual({ result: { first: 1, second: 2 } });
    });

    it('after its worker dies mid-workflow, a restart runs only the unfinished steps and the workflow completes once', async () => {
      let firstRuns = 0;
      const flow = (second: (results: Record<string, unknown>) => unknown): WorkflowDefinition =>
        defineWorkflow({
          // As in worker-process.ts: a loaded machine can stall a worker past its lease more than once.
          maxAttempts: 10,
          steps: {
            first: {
              run: () => {
                firstRuns++;
                return 'first done';
              },
            },
            second: { after: ['first'], maxAttempts: 10, run: ({ results }) => second(results) },
          },
        });
      const client = await f.engine({}, { workflows: { flow: flow(() => 'unused') }, concurrency: 0 });
      const task = await start(client, 'flow');
      if (f.harness.name === 'memory') {
        // One process: the first node stops mid-step (its leases handed back) rather than dying.
        const first = await f.engine({}, { workflows: { flow: flow(() => new Promise(() => {})) } });
        await eventually(async () => (await children(client, task)).find((t) => t.handler === 'flow/second' && t.attempt === 1));
        await first.stop({ graceMs: 0 });
        firstRuns = 0;
      } else {
        const worker = await startChildWorker(f.db().locator!, { leaseMs: 500 });
        workers.push(worker);
        await worker.line(/^step second /);
        await worker.kill('SIGKILL');
      }
      const completions: string[] = [];
      const stopWatching = client.watch({ owner: 'alice', taskId: task.id }, (event) => {
        if (event.kind === 'status' && event.task?.status === 'completed') completions.push(event.taskId);
      });
      await f.engine({}, { workflows: { flow: flow((results) => `second after ${String(results.first)}`) } });
      const done = await client.waitForTerminal(task.id, 'alice');
      expect(done.status, JSON.stringify(done.outcome)).toBe('completed');
      expect(done.outcome).toEqual({ result: { first: 'first done', second: 'second after first done' } });
      expect(firstRuns).toBe(0);
      const steps = await children(client, task);
      expect(steps.map((t) => t.handler).sort()).toEqual(['flow/first', 'flow/second']);
      expect(steps.find((t) => t.handler === 'flow/first')?.attempt).toBe(1);
      // The watcher re-reads the task after each change, so its report can trail waitForTerminal.
      await eventually(() => completions.length > 0);
      stopWatching();
      expect(completions).toEqual([task.id]);
    });
  });
}
