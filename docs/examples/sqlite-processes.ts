/**
 * Choosing a backend: two engines on one SQLite file, as two processes would be. One only creates
 * and reads (concurrency 0); the other runs the work. Run by
 * packages/tasks/test/docs-examples.test.ts; quoted in docs/choosing-a-backend.md.
 *
 * @module
 */
import { join } from 'node:path';
import { TaskEngine, type TaskRecord } from '@carrel/tasks';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';

export async function main(dataDir: string): Promise<TaskRecord> {
  //#region two-processes
  const path = join(dataDir, 'tasks.db'); // every process opens the same file
  const handlers = { greet: async (input: { name: string }) => `Hello, ${input.name}` };

  // A web process: creates tasks and waits for them, runs none.
  const api = new TaskEngine({ store: new SqliteTaskStore({ path }), handlers, concurrency: 0 });
  // A worker process: runs up to 4 handlers at once.
  const worker = new TaskEngine({ store: new SqliteTaskStore({ path }), handlers, concurrency: 4 });
  await api.start(); // both migrate; the second finds nothing left to do
  await worker.start();

  const { task } = await api.create({ handler: 'greet', input: { name: 'Ada' }, owner: 'alice' });
  // The worker hears of the task through the change feed (table carrel_task_changes, polled every 10 ms);
  // the api process hears of its completion the same way.
  const done = await api.waitForTerminal(task.id, 'alice');
  //#endregion

  for (const engine of [api, worker]) {
    await engine.stop();
    await engine.store.close();
  }
  return done;
}
