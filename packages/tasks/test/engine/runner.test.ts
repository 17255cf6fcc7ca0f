/** The runner on its own, with a clock the test controls. */
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemoryTaskStore,
  type ClaimArgs,
  type CompleteArgs,
  type ProgressArgs,
  type TaskContext,
  type TaskProgress,
  type TaskRecord,
} from '@carrel/tasks';
import { ChangeHub } from '../../src/engine/change-hub.js';
import { Runner, type RunnerOptions } from '../../src/engine/runner.js';
import { deferred, eventually } from '../contract/fixture.js';
import { newTask } from '../support/new-task.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

function startRunner(store: MemoryTaskStore, options: Partial<RunnerOptions> & Pick<RunnerOptions, 'handlers'>): Runner {
  const hub = new ChangeHub(store, 10_000, () => undefined);
  const runner = new Runner({
    store,
    hub,
    worker: 'w1',
    concurrency: 1,
    leaseMs: 30_000,
    heartbeatMs: 10_000,
    pollMs: 10_000,
    backoff: () => 100,
    now: () => Date.now(),
    assertPayload: () => {},
    createChild: () => Promise.reject(new Error('no children here')),
    adoptChild: () => {},
    onError: () => {},
    ...options,
  });
  runner.start();
  stops.push(async () => {
    await runner.stop(0, 0);
    hub.close();
  });
  return runner;
}

describe('Runner', () => {
  it('claims a task created while a claim pass is finishing, not at the next poll', async () => {
    // start() begins a claim pass; the insert's change arrives while that pass is winding down.
    const store = new MemoryTaskStore();
    const ran = deferred<string>();
    startRunner(store, { handlers: new Map([['job', async (_: unknown, ctx: TaskContext) => ran.resolve(ctx.taskId)]]) });
    const { task } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    const started = Date.now();
    expect(await ran.promise).toBe(task.id);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('runs a retry when its backoff ends even if the wall clock is stepped back meanwhile', async () => {
    // Timers run on the monotonic clock and runAt is wall-clock time, so a retry timer can fire
    // before now() reaches runAt: by a millisecond of rounding (about 1 run in 100 here), or by
    // as much as the clock is stepped back (NTP). Here it is stepped back 20 ms mid-backoff.
    let skewMs = 0;
    const attempts: number[] = [];
    const store = new MemoryTaskStore();
    startRunner(store, {
      handlers: new Map([
        [
          'job',
          async () => {
            attempts.push(Date.now());
            if (attempts.length > 1) return 'second try';
            setTimeout(() => (skewMs = 20), 50);
            throw new Error('first try fails');
          },
        ],
      ]),
      now: () => Date.now() - skewMs,
      backoff: () => 100,
    });
    const { task } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    const done = await eventually(async () => {
      const current = await store.get(task.id);
      return current?.status === 'completed' && current;
    });
    expect(done.outcome).toEqual({ result: 'second try' });
    // The poll (10 s) would find it too; the retry timer must, right after the backoff.
    expect(attempts[1]! - attempts[0]!).toBeLessThan(1_000);
  });

  it('frees a slot once the handler returns, so the next task starts while the outcome is still being written', async () => {
    // With concurrency 1, a slow write of A's outcome (a busy database) must not keep B waiting.
    const store = new SlowFirstComplete();
    const first = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    const second = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    store.slowId = first.task.id;
    startRunner(store, {
      handlers: new Map([
        ['job', async (_: unknown, ctx: TaskContext) => void (ctx.taskId === second.task.id && store.secondStarted.resolve())],
      ]),
    });
    await eventually(
      async () => (await store.get(second.task.id))?.status === 'completed' && (await store.get(first.task.id))?.status === 'completed',
    );
    expect(store.startedWhileWriting).toBe(true);
  });

  it('claims once for the slots freed in one turn, not for the first alone and then for the rest', async () => {
    const store = new CountedClaims();
    for (let i = 0; i < 8; i++) await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    const release = deferred();
    const firstFour = new Set<string>();
    startRunner(store, {
      concurrency: 4,
      handlers: new Map([
        [
          'job',
          async (_: unknown, ctx: TaskContext) => {
            if (firstFour.size < 4) {
              firstFour.add(ctx.taskId);
              await release.promise;
            }
          },
        ],
      ]),
    });
    await eventually(async () => firstFour.size === 4);
    const claimsBefore = store.limits.length;
    // The four handlers return in the same turn.
    release.resolve();
    await eventually(async () => (await store.list({ owner: 'alice', limit: 10 })).every((t) => t.status === 'completed'));
    expect(store.limits[claimsBefore]).toBe(4);
  });

  it('a claim still in flight when stop begins hands its tasks back instead of running them, before stop resolves', async () => {
    // The claim's answer arrives after stop() has aborted what was running: a task started then
    // would run on a stopped node, leased until its lease ran out, and no abort would ever reach it.
    const store = new HeldClaim();
    const ran: string[] = [];
    const runner = startRunner(store, { handlers: new Map([['job', async (_: unknown, ctx: TaskContext) => void ran.push(ctx.taskId)]]) });
    await store.claimed.promise;
    store.hold = deferred();
    const { task } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    await store.entered.promise;
    let stopped = false;
    const stopping = runner.stop(0, 0).then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    store.hold.resolve();
    await stopping;
    expect(ran).toEqual([]);
    expect(stopped).toBe(true);
    const after = await store.get(task.id);
    expect(after).toMatchObject({ status: 'working', lease: null, attempt: 0 });
  });

  it('a task cancelled while the claim that took it is on its way is never started', async () => {
    // The cancel's change can arrive before the claim's answer (two connections on PostgreSQL):
    // nothing was running to abort then, and the heartbeat would only notice one period later.
    const store = new HeldClaim();
    const ran: string[] = [];
    startRunner(store, { handlers: new Map([['job', async (_: unknown, ctx: TaskContext) => void ran.push(ctx.taskId)]]) });
    await store.claimed.promise;
    store.hold = deferred();
    const { task } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    await store.entered.promise;
    await store.cancel({ id: task.id, owner: 'alice', statusMessage: 'cancelled', now: Date.now() });
    store.hold.resolve();
    const { task: next } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    await eventually(() => ran.includes(next.id));
    expect(ran).toEqual([next.id]);
  });

  it('a progress call made just as the previous write ends is written, not folded into the ended write', async () => {
    const store = new ProgressHook();
    startRunner(store, {
      handlers: new Map([
        [
          'job',
          async (_: unknown, ctx: TaskContext) => {
            store.afterFirstWrite = () => void ctx.progress(2, 2);
            await ctx.progress(1, 2);
            return store.written.map((p) => p?.current);
          },
        ],
      ]),
    });
    const { task } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    const done = await eventually(async () => {
      const current = await store.get(task.id);
      return current?.status === 'completed' && current;
    });
    expect(done.outcome).toEqual({ result: [1, 2] });
  });

  it("a look at a child still under way when the parent's handler returns writes nothing after the outcome, and stop waits for it", async () => {
    // Nothing awaits the parent's look at a child: once stop() resolves the application closes
    // the store, and a write begun by that look must not arrive at a closed store.
    const store = new HeldChildRead();
    const runner = startRunner(store, {
      handlers: new Map([['job', async (_: unknown, ctx: TaskContext) => void (await ctx.spawn('child', {}))]]),
      createChild: spawnInto(store),
    });
    const { task } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    await store.entered.promise;
    const stopped = runner.stop(5_000, 0).then(() => (store.closed = true));
    // Opened by stop() resolving (the write it let through then arrives late), or after 200 ms.
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 200))]);
    store.hold.resolve();
    await stopped;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.afterClose).toEqual([]);
    expect(store.writes.filter((w) => w.id === task.id).map((w) => w.op)).toEqual(['complete']);
  });

  it("a failed look at a child's progress reaches onError, not the process as an unhandled rejection", async () => {
    const store = new FailingChildRead();
    const errors: unknown[] = [];
    startRunner(store, {
      handlers: new Map([['job', async (_: unknown, ctx: TaskContext) => void (await ctx.spawn('child', {}))]]),
      createChild: spawnInto(store),
      onError: (error) => errors.push(error),
    });
    const { task } = await store.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    await eventually(async () => (await store.get(task.id))?.status === 'completed');
    expect(errors).toEqual([store.failure]);
  });
});

/**
 * A memory store that records every progress write, and runs `afterFirstWrite` once, right after
 * the first write's answer reaches the writer (a microtask later): the moment the writer has just
 * seen that nothing more was asked for.
 */
class ProgressHook extends MemoryTaskStore {
  readonly written: (TaskProgress | null)[] = [];
  afterFirstWrite: (() => void) | null = null;

  override progress(args: ProgressArgs) {
    this.written.push(args.progress);
    const answer = super.progress(args);
    const hook = this.afterFirstWrite;
    this.afterFirstWrite = null;
    if (hook) void answer.then(() => queueMicrotask(hook));
    return answer;
  }
}

/** A memory store whose claims, once `hold` is set, take their tasks and then wait for it before answering. */
class HeldClaim extends MemoryTaskStore {
  hold: ReturnType<typeof deferred<void>> | null = null;
  readonly claimed = deferred();
  readonly entered = deferred();

  override async claim(args: ClaimArgs) {
    const tasks = await super.claim(args);
    this.claimed.resolve();
    if (this.hold && tasks.length > 0) {
      this.entered.resolve();
      await this.hold.promise;
    }
    return tasks;
  }
}

/** A memory store that records the limit of every claim. */
class CountedClaims extends MemoryTaskStore {
  readonly limits: number[] = [];

  override async claim(args: ClaimArgs) {
    this.limits.push(args.limit);
    return super.claim(args);
  }
}

/** A memory store whose `complete` of one task waits (a bounded number of event-loop turns) for the second task to start. */
class SlowFirstComplete extends MemoryTaskStore {
  slowId = '';
  readonly secondStarted = deferred();
  startedWhileWriting: boolean | undefined;

  override async complete(args: CompleteArgs) {
    if (args.id === this.slowId) {
      // The second task either starts within these turns (everything here is in memory) or is
      // waiting for this slot; both end the race, so the test never hangs.
      const turns = async () => {
        for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
        return false;
      };
      this.startedWhileWriting = await Promise.race([this.secondStarted.promise.then(() => true), turns()]);
    }
    return super.complete(args);
  }
}

/** Creates children as the engine does, but never runs them (the runner's only handler is 'job'). */
function spawnInto(store: MemoryTaskStore) {
  return async (parent: TaskRecord, handler: string, input: unknown) =>
    (await store.insert(newTask({ parentId: parent.id, handler, input }), { maxLivePerOwner: null, now: Date.now() })).task;
}

/** A memory store whose reads of child tasks wait for `hold`, and which records the writes of tasks and any call once `closed`. */
class HeldChildRead extends MemoryTaskStore {
  readonly hold = deferred();
  readonly entered = deferred();
  readonly writes: Array<{ op: string; id: string }> = [];
  readonly afterClose: string[] = [];
  closed = false;

  override async get(id: string) {
    if (this.closed) this.afterClose.push(`get ${id}`);
    const task = await super.get(id);
    if (task?.parentId) {
      this.entered.resolve();
      await this.hold.promise;
    }
    return task;
  }

  override progress(args: ProgressArgs) {
    if (this.closed) this.afterClose.push(`progress ${args.id}`);
    this.writes.push({ op: 'progress', id: args.id });
    return super.progress(args);
  }

  override complete(args: CompleteArgs) {
    if (this.closed) this.afterClose.push(`complete ${args.id}`);
    this.writes.push({ op: 'complete', id: args.id });
    return super.complete(args);
  }
}

/** A memory store whose reads of child tasks fail. */
class FailingChildRead extends MemoryTaskStore {
  readonly failure = new Error('the read of a child failed');

  override async get(id: string) {
    const task = await super.get(id);
    if (task?.parentId) throw this.failure;
    return task;
  }
}
