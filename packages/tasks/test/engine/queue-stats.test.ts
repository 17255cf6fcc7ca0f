/** Queue statistics' arithmetic: nearest-rank percentiles, buckets by finish time, and the counts folded per handler. */
import { describe, expect, it } from 'vitest';
import { MemoryTaskStore, TaskEngine, type FinishedTask, type FinishedTasksArgs } from '@carrel/tasks';
import { finishedSeries, handlerQueues, percentile } from '../../src/engine/queue-stats.js';

describe('percentile (nearest rank)', () => {
  it('is the smallest value with at least p% of the values at or below it, and null for none', () => {
    const values = [50, 10, 40, 20, 30, 60, 70, 80, 90, 100];
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(100);
    expect(percentile(values, 10)).toBe(10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('finishedSeries', () => {
  const base = { handler: 'job', node: 'n1', createdAt: 0 };
  it('buckets by finish time, leaves out cancelled tasks and tasks outside the window, and times only claimed ones', () => {
    const series = finishedSeries(
      [
        { ...base, status: 'completed', startedAt: 10, finishedAt: 99 },
        { ...base, status: 'completed', startedAt: 30, finishedAt: 100 },
        { ...base, status: 'failed', startedAt: null, finishedAt: 150 },
        { ...base, status: 'cancelled', startedAt: 5, finishedAt: 120 },
        { ...base, status: 'completed', startedAt: 1, finishedAt: 300, node: 'n2' },
        { ...base, status: 'completed', startedAt: 1, finishedAt: -1 },
      ],
      { start: 0, bucketMs: 100, buckets: 3 },
    );
    expect(series.perHandler.job).toEqual({
      completed: [1, 1, 0],
      failed: [0, 1, 0],
      waitP50: [10, 30, null],
      waitP95: [10, 30, null],
      runP50: [89, 70, null],
      runP95: [89, 70, null],
    });
    expect(series.perNode).toEqual({ n1: { completed: [1, 1, 0], runP50: [89, 70, null] } });
  });
});

describe('handlerQueues', () => {
  it('splits working into running (leased) and waiting, one row per handler in name order', () => {
    expect(
      handlerQueues([
        { handler: 'b', status: 'working', leased: true, count: 2 },
        { handler: 'b', status: 'working', leased: false, count: 3 },
        { handler: 'a', status: 'input_required', leased: true, count: 1 },
        { handler: 'a', status: 'input_required', leased: false, count: 1 },
        { handler: 'a', status: 'cancelled', leased: false, count: 4 },
      ]),
    ).toEqual([
      { handler: 'a', working: 0, waiting: 0, inputRequired: 2, completed: 0, failed: 0, cancelled: 4 },
      { handler: 'b', working: 2, waiting: 3, inputRequired: 0, completed: 0, failed: 0, cancelled: 0 },
    ]);
  });
});

describe('TaskEngine.queueStats', () => {
  it('counts the newest 100,000 finished tasks of a busier window and says it is truncated', async () => {
    const store = new ManyFinished();
    const engine = new TaskEngine({ store, handlers: {}, concurrency: 0 });
    await engine.start();
    try {
      // One bucket, however many milliseconds pass before the engine reads its clock.
      const since = Date.now() - 60_000;
      const stats = await engine.queueStats({ owner: 'alice', since, bucketMs: 120_000 });
      expect(store.limits).toEqual([100_001]);
      expect(stats.series.truncated).toBe(true);
      expect(stats.series.perHandler.job?.completed).toEqual([100_000]);
      store.rows = 100_000;
      const whole = await engine.queueStats({ owner: 'alice', since, bucketMs: 120_000 });
      expect(whole.series.truncated).toBe(false);
      expect(whole.series.perHandler.job?.completed).toEqual([100_000]);
    } finally {
      await engine.stop();
    }
  });
});

/** A memory store whose window holds `rows` finished tasks (all it is asked for, by default), and which records each read's limit. */
class ManyFinished extends MemoryTaskStore {
  rows = Infinity;
  readonly limits: number[] = [];

  override async finishedTasks(args: FinishedTasksArgs): Promise<FinishedTask[]> {
    this.limits.push(args.limit);
    const at = args.until - 1;
    return Array.from({ length: Math.min(this.rows, args.limit) }, () => ({
      handler: 'job',
      status: 'completed' as const,
      node: 'n1',
      createdAt: at - 2,
      startedAt: at - 1,
      finishedAt: at,
    }));
  }
}
