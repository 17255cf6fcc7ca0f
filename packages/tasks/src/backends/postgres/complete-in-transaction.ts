/**
 * `completeInTransaction`: a task's completion committed by the application, in the same
 * PostgreSQL transaction as the handler's final write, on the application's own client.
 *
 * ```ts
 * const completion = ctx.completion({ indexed: chunks.length }); // in the handler
 * const client = await pool.connect();
 * await client.query('BEGIN');
 * await client.query('INSERT INTO chunks …', […]);
 * if (await completeInTransaction(client, completion, { now: Date.now() })) await client.query('COMMIT');
 * else await client.query('ROLLBACK'); // cancelled first: the write never happens
 * ```
 *
 * It is the statement of `store.complete`: a compare-and-set on the task being live and still
 * leased by the completion's worker, which stores `completed` with the result, releases a unique
 * key that has no window, and NOTIFYs the change; PostgreSQL delivers the notice only when the
 * caller commits, so every store on the schema (the handler's own included) hears of it exactly
 * then. The UPDATE locks the task's row until the caller's transaction ends: a cancel waits for
 * it, then finds the task completed (`TaskTerminalError`), or, if the cancel committed first, the
 * UPDATE matches nothing and this returns false.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { assertTaskCompletion, type TaskCompletion } from '../../store.js';
import { statusesLeadingTo } from '../../task.js';
import { schemaNames } from './context.js';
import { translateError } from './errors.js';
import { completeStatement } from './sql/finish.js';
import { json } from './task-row.js';

/** The origin of these notices: no store instance has it, so every store delivers them, this process's included. */
const ORIGIN = `app-${randomBytes(9).toString('base64url')}`;

/**
 * Completes the task of `completion` inside the caller's open transaction on `client` (after its
 * `BEGIN`). Returns true if the task is now `completed` (committed with the caller's
 * transaction); false if it was not this worker's live task any more (cancelled, expired, or its
 * lease was lost): then roll the transaction back. `schema` is the store's (default `carrel`).
 */
export async function completeInTransaction(
  client: pg.ClientBase,
  completion: TaskCompletion,
  { now, schema = 'carrel' }: { now: number; schema?: string },
): Promise<boolean> {
  assertTaskCompletion(completion);
  const names = schemaNames(schema);
  try {
    const { rows } = await client.query(completeStatement(names), [
      names.channel,
      ORIGIN,
      completion.taskId,
      completion.worker,
      'completed',
      json(completion.outcome),
      null,
      now,
      statusesLeadingTo('completed'),
    ]);
    return rows.length > 0;
  } catch (error) {
    throw translateError(error, schema);
  }
}
