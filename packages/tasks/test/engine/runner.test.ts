/** The runner on its own, with a clock the test controls. */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryTaskStore, type TaskContext } from '@carrel/tasks';
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
});
