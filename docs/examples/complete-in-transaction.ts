/**
 * Writing a handler: a final write to the tasks' own database, committed in one transaction with
 * the task's completion. Run by packages/tasks/test/docs-examples.test.ts; quoted in
 * docs/writing-a-handler.md.
 *
 * @module
 */
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { TaskEngine, type TaskCompletion, type TaskContext, type TaskRecord } from '@carrel/tasks';
import { completeInTransaction, SqliteTaskStore } from '@carrel/tasks/sqlite';

export async function main(dataDir: string): Promise<{ done: TaskRecord; saved: unknown[] }> {
  const path = join(dataDir, 'app.db'); // the application's database holds the tasks too
  const store = new SqliteTaskStore({ path });
  await store.migrate();

  //#region final-write
  // The application's own connection to the same file (in a real server, in its writer thread).
  const db = new Sqlite(path);
  db.exec('CREATE TABLE IF NOT EXISTS summaries (task_id TEXT PRIMARY KEY, text TEXT NOT NULL)');

  class Cancelled extends Error {}
  const save = db.transaction((completion: TaskCompletion, text: string) => {
    db.prepare('INSERT INTO summaries (task_id, text) VALUES (?, ?)').run(completion.taskId, text);
    // False: a cancel committed first. Throwing rolls the summary back with it.
    if (!completeInTransaction(db, completion, { now: Date.now() })) throw new Cancelled();
  });

  async function summarize(input: { text: string }, ctx: TaskContext): Promise<{ words: number }> {
    const summary = input.text.split(/\s+/).slice(0, 5).join(' ');
    const result = { words: summary.split(' ').length };
    try {
      save.immediate(ctx.completion(result), summary); // BEGIN IMMEDIATE … COMMIT
    } catch (error) {
      if (!(error instanceof Cancelled)) throw error;
    }
    return result; // already stored with the summary: the engine writes nothing more
  }
  //#endregion

  const engine = new TaskEngine({ store, handlers: { summarize } });
  await engine.start();
  const { task } = await engine.create({ handler: 'summarize', input: { text: 'one two three four five six seven' }, owner: 'alice' });
  const done = await engine.waitForTerminal(task.id, 'alice');
  const saved = db.prepare('SELECT task_id, text FROM summaries').all();
  await engine.stop();
  await store.close();
  db.close();
  return { done, saved };
}
