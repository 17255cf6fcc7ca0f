/**
 * Operating: engine options for production, observing tasks, and a graceful stop that hands
 * running work back without spending an attempt. Run by packages/tasks/test/docs-examples.test.ts;
 * quoted in docs/operating.md.
 *
 * @module
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TaskEngine, type TaskContext, type TaskRecord } from '@carrel/tasks';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';

/** A long handler that honours its signal: the timer rejects as soon as the signal aborts. */
async function exportReport(input: { rows: number }, ctx: TaskContext): Promise<string> {
  await ctx.progress(0, input.rows, 'Exporting');
  await sleep(60_000, undefined, { signal: ctx.signal });
  return 'exported';
}

//#region options
export function productionEngine(path: string): TaskEngine {
  return new TaskEngine({
    store: new SqliteTaskStore({ path, busyTimeoutMs: 5_000 }),
    handlers: { 'export-report': exportReport },
    concurrency: 8, // handlers at once on this process (default 4; 0 = create and read only)
    leaseMs: 30_000, // a worker silent this long is presumed dead (heartbeat every leaseMs / 3)
    maintenanceMs: 1_000, // lease rescue and TTL reaping
    defaultTtlMs: 24 * 3_600_000, // tasks created without a TTL (default 1 hour)
    maxLiveTasksPerOwner: 100, // the 101st live task of one owner gets TaskLimitError
    onError: (error) => console.error('[tasks]', error), // background-loop errors
  });
}
//#endregion

//#region sigterm
/** Stop claiming, let running handlers finish for up to 10 s, hand the rest back, close the store. */
export function stopOnSigterm(engine: TaskEngine): void {
  process.once('SIGTERM', () => {
    void engine
      .stop({ drainMs: 10_000 })
      .then(() => engine.store.close())
      .finally(() => process.exit(0));
  });
}
//#endregion

export async function main(dataDir: string): Promise<TaskRecord> {
  const path = join(dataDir, 'tasks.db');
  const engine = productionEngine(path);
  await engine.start();

  //#region watch
  // Every status, progress, input and deletion change of alice's tasks, from every process on the store.
  const started = new Promise<void>((resolve) => {
    const stop = engine.watch({ owner: 'alice' }, (event) => {
      if (event.kind === 'progress') {
        stop();
        resolve();
      }
    });
  });
  //#endregion
  const { task } = await engine.create({ handler: 'export-report', input: { rows: 1_000 }, owner: 'alice' });
  await started;

  //#region drain
  await engine.stop({ drainMs: 50 }); // the handler is still running after 50 ms: aborted ('shutdown') and released
  await engine.store.close();

  // Another process (or the next start) sees it waiting to run, attempt not spent.
  const inspector = new TaskEngine({ store: new SqliteTaskStore({ path }), handlers: {}, concurrency: 0 });
  await inspector.start();
  const handedBack = await inspector.get(task.id, 'alice'); // status 'working', lease null, attempt 0
  //#endregion
  await inspector.stop();
  await inspector.store.close();
  return handedBack;
}
