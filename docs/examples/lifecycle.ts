/**
 * The task lifecycle: a retried attempt stays `working`, cancel is final, a terminal task never
 * changes. Run by packages/tasks/test/docs-examples.test.ts; quoted in docs/task-lifecycle.md.
 *
 * @module
 */
import { MemoryTaskStore, TaskEngine, TaskTerminalError, type TaskContext, type TaskRecord } from '@carrel/tasks';

export async function main(): Promise<{ retried: TaskRecord; cancelled: TaskRecord; secondCancel: unknown }> {
  //#region retries
  const engine = new TaskEngine({
    store: new MemoryTaskStore(),
    pollMs: 50, // a retry becomes due at its runAt and is claimed by the next poll (default every 1 s)
    handlers: {
      // Fails twice, then succeeds. Between attempts the task stays `working`, with
      // statusMessage "Attempt 1 of 3 failed: …; retrying in …" and the error in lastError.
      flaky: {
        maxAttempts: 3,
        backoff: (attempt) => 10 * attempt, // ms before the next attempt (default: exponential from 1 s)
        run: (_input: null, ctx: TaskContext) => {
          if (ctx.attempt < 3) throw new Error(`transient failure ${ctx.attempt}`);
          return 'ok';
        },
      },
      // Runs until cancelled: the signal aborts, and whatever it returns afterwards is discarded.
      wait: (_input: null, ctx: TaskContext) =>
        new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })),
    },
  });
  await engine.start();

  const flaky = await engine.create({ handler: 'flaky', input: null, owner: 'alice' });
  const retried = await engine.waitForTerminal(flaky.task.id, 'alice'); // completed, attempt 3
  //#endregion

  //#region cancel
  const waiting = await engine.create({ handler: 'wait', input: null, owner: 'alice' });
  const cancelled = await engine.cancel(waiting.task.id, 'alice'); // `cancelled` is stored before this returns
  let secondCancel: unknown;
  try {
    await engine.cancel(waiting.task.id, 'alice');
  } catch (error) {
    secondCancel = error; // TaskTerminalError (JSON-RPC -32602): terminal tasks never change
  }
  //#endregion

  await engine.stop();
  await engine.store.close();
  if (!(secondCancel instanceof TaskTerminalError)) throw new Error('expected TaskTerminalError');
  return { retried, cancelled, secondCancel };
}
