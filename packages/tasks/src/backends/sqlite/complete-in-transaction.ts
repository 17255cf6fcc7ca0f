/**
 * `completeInTransaction`: a task's completion committed by the application, in the same SQLite
 * transaction as the handler's final write, on the application's own connection to the file that
 * holds the tasks (often in a worker thread, where a long write cannot stall the event loop).
 *
 * ```ts
 * const completion = ctx.completion({ indexed: chunks.length }); // in the handler
 * // on the application's connection, e.g. in its writer thread:
 * const write = db.transaction(() => {
 *   insertChunks.run(...);
 *   if (!completeInTransaction(db, completion, { now: Date.now() })) throw new Cancelled(); // rolls back
 * });
 * write.immediate();
 * ```
 *
 * It runs the compare-and-set of `store.complete`: the task must be live and still leased by the
 * completion's worker. It stores `completed` with the result, releases a unique key that has no
 * window, and records the change in `carrel_task_changes` in the same transaction, so every
 * store on the file, the handler's own included, hears of it through the change feed. A cancel
 * that committed first makes it return false: roll back your own writes. One that comes later
 * finds the task completed (`TaskTerminalError`).
 *
 * @module
 */
import type { Database, Statement } from 'better-sqlite3';
import { SchemaNotMigratedError } from '../../errors.js';
import { assertTaskCompletion, type TaskChange, type TaskCompletion } from '../../store.js';
import { prepareChangeRow } from './change-feed.js';
import { prepareCompleteTo, type CompleteParams } from './sql/finish.js';
import { changeOf, json, type TaskRow } from './task-row.js';

interface CompletionStatements {
  complete: Statement<[CompleteParams], TaskRow>;
  recordChange: (change: TaskChange) => number;
}

/** Prepared once per connection: the application calls this for every completion. */
const prepared = new WeakMap<Database, CompletionStatements>();

/**
 * Completes the task of `completion` inside the caller's open write transaction on `db` (start it
 * with `BEGIN IMMEDIATE`, better-sqlite3's `transaction(…).immediate()`). Returns true if the
 * task is now `completed`; false if it was not this worker's live task any more (cancelled,
 * expired, or its lease was lost): then roll the transaction back.
 */
export function completeInTransaction(db: Database, completion: TaskCompletion, { now }: { now: number }): boolean {
  assertTaskCompletion(completion);
  if (!db.inTransaction) {
    throw new Error(
      'completeInTransaction runs inside the transaction of your final write: call it from db.transaction(…).immediate(), ' +
        'so that your write and the completion commit together',
    );
  }
  const sql = statementsOf(db);
  const row = sql.complete.get({
    id: completion.taskId,
    worker: completion.worker,
    outcome: json(completion.outcome),
    status_message: null,
    now,
  });
  if (!row) return false;
  sql.recordChange(changeOf(row, 'status'));
  return true;
}

function statementsOf(db: Database): CompletionStatements {
  let sql = prepared.get(db);
  if (!sql) {
    const migrated = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'carrel_task_changes'").get();
    if (migrated === undefined) throw new SchemaNotMigratedError(`The SQLite task database at ${db.name}`);
    sql = { complete: prepareCompleteTo(db, 'completed'), recordChange: prepareChangeRow(db) };
    prepared.set(db, sql);
  }
  return sql;
}
