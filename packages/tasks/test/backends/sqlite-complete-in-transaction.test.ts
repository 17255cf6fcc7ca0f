/**
 * `completeInTransaction` on SQLite: the application writes through a second better-sqlite3
 * connection to the tasks' file, on this thread or, for the race, in a worker thread, as the
 * knowledge base's writer does.
 */
import { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SchemaNotMigratedError, type TaskCompletion } from '@carrel/tasks';
import { completeInTransaction } from '@carrel/tasks/sqlite';
import { deferred } from '../contract/fixture.js';
import { useSqliteDatabases } from '../support/sqlite-harness.js';
import { cleanups, completeInTransactionSuite } from './complete-in-transaction-suite.js';

const database = useSqliteDatabases();

class Refused extends Error {}

async function setUp() {
  const db = database();
  const store = await db.openSqlite();
  const app = new Sqlite(db.path);
  app.exec('CREATE TABLE notes (task_id TEXT PRIMARY KEY, body TEXT NOT NULL)');
  cleanups.push(() => {
    app.close();
  });
  const notes = app.prepare<[string], { body: string }>('SELECT body FROM notes WHERE task_id = ?');
  const write = app.transaction((completion: TaskCompletion, body: string) => {
    app.prepare('INSERT INTO notes (task_id, body) VALUES (?, ?)').run(completion.taskId, body);
    if (!completeInTransaction(app, completion, { now: Date.now() })) throw new Refused();
  });
  const commit = async (completion: TaskCompletion, body: string): Promise<boolean> => {
    try {
      write.immediate(completion, body);
      return true;
    } catch (error) {
      if (error instanceof Refused) return false;
      throw error;
    }
  };
  return {
    app,
    store,
    openAnotherStore: () => db.openSqlite(),
    commit,
    commitElsewhere: await startWriterThread(db.path),
    note: async (taskId: string) => notes.get(taskId)?.body,
  };
}

completeInTransactionSuite('SQLite', setUp);

describe('completeInTransaction on SQLite, misuse', () => {
  it('refuses a completion outside a transaction, one that is not a completion, and a file with no task schema', async () => {
    const { app } = await setUp();
    const completion: TaskCompletion = { taskId: 'missing', worker: 'w', outcome: { result: null } };
    expect(() => completeInTransaction(app, completion, { now: Date.now() })).toThrow(/inside the transaction of your final write/);
    expect(() => app.transaction(() => completeInTransaction(app, { taskId: 1 } as never, { now: 0 })).immediate()).toThrow(
      InvalidArgumentError,
    );
    expect(app.transaction(() => completeInTransaction(app, completion, { now: Date.now() })).immediate()).toBe(false);
    const bare = new Sqlite(':memory:');
    expect(() => bare.transaction(() => completeInTransaction(bare, completion, { now: 0 })).immediate()).toThrow(SchemaNotMigratedError);
    bare.close();
  });
});

/** Starts `sqlite-app-writer.ts` on `path`; the function it returns commits a completion with a note in that thread. */
async function startWriterThread(path: string): Promise<(completion: TaskCompletion, body: string) => Promise<boolean>> {
  const writer = new Worker(new URL('../support/typescript-worker.mjs', import.meta.url), {
    workerData: { module: new URL('../support/sqlite-app-writer.ts', import.meta.url).href, path },
    execArgv: ['--conditions=carrel-source'],
  });
  cleanups.push(() => writer.terminate().then(() => undefined));
  const replies = new Map<number, (reply: { won?: boolean; error?: string }) => void>();
  const ready = deferred();
  writer.on('message', (message: { ready?: true; id: number; won?: boolean; error?: string }) => {
    if (message.ready) ready.resolve();
    else replies.get(message.id)?.(message);
  });
  writer.on('error', (error) => ready.reject(error));
  await ready.promise;
  let sent = 0;
  return (completion, body) =>
    new Promise<boolean>((resolve, reject) => {
      const id = sent++;
      replies.set(id, (reply) => (reply.error === undefined ? resolve(reply.won!) : reject(new Error(reply.error))));
      writer.postMessage({ id, completion, body });
    });
}
