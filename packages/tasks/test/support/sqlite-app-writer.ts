/**
 * An application's writer thread, as the knowledge base runs one: its own better-sqlite3
 * connection to the tasks' file, where each message is one write transaction that stores a note
 * and commits the task's completion with it, or rolls both back.
 *
 * Messages in: `{ id, completion, body }`; out: `{ id, won }` or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import type { TaskCompletion } from '@carrel/tasks';
import { completeInTransaction } from '@carrel/tasks/sqlite';

class Refused extends Error {}

// This thread may block on the lock: nothing else runs on it.
const db = new Sqlite((workerData as { path: string }).path, { timeout: 5_000 });
const insertNote = db.prepare<[string, string]>('INSERT INTO notes (task_id, body) VALUES (?, ?)');
const write = db.transaction((completion: TaskCompletion, body: string) => {
  insertNote.run(completion.taskId, body);
  if (!completeInTransaction(db, completion, { now: Date.now() })) throw new Refused();
});

parentPort!.on('message', ({ id, completion, body }: { id: number; completion: TaskCompletion; body: string }) => {
  try {
    write.immediate(completion, body);
    parentPort!.postMessage({ id, won: true });
  } catch (error) {
    if (error instanceof Refused) parentPort!.postMessage({ id, won: false });
    else parentPort!.postMessage({ id, error: String(error) });
  }
});
parentPort!.postMessage({ ready: true });
