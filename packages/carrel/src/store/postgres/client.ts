/**
 * The one path every statement of the PostgreSQL knowledge base takes to the server: a small
 * client interface (run a statement; run a transaction, optionally under the store's write lock)
 * that the statement modules in `sql/` are written against, and its implementation over a
 * `pg.Pool`. Nothing else here holds a connection (the rest uses `pg` only to quote names), so
 * another client (PGlite, for the pgvector path) implements {@link SqlClient} and every statement
 * runs on it unchanged.
 *
 * The pool's connections have `search_path` set to the knowledge base's schema, so statements
 * name tables unqualified and the same text serves every schema.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { TaskCompletion } from '@carrel/tasks';
import { completeInTransaction } from '@carrel/tasks/postgres';
import { WRITE_WAIT_MS } from '../repository.js';
import { MAX_TRANSACTION_RUNS, shouldRetry, translateError } from './errors.js';

/** Runs one statement (with `$n` parameters) and returns its rows. */
export type Query = <R extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]) => Promise<R[]>;

/** Statements inside one transaction. */
export interface Transaction {
  query: Query;
  /** Completes a task (in the tasks' own schema) in this transaction: false if it can no longer complete. */
  completeTask(completion: TaskCompletion, now: number): Promise<boolean>;
}

/** How a transaction holds the store's write lock. */
export type WriteLock = 'exclusive' | 'shared';

/** What the repository needs from a connection to its database. */
export interface SqlClient {
  /** One statement in its own implicit transaction. */
  query: Query;
  /**
   * Runs `body` in one READ COMMITTED transaction, re-run from the start on deadlock or
   * serialization failure (so `body` must have no effect outside the database, except the
   * under-lock hooks, which run last). With `writeLock`, the transaction first takes the store's
   * write lock, `exclusive` (alone) or `shared` (with other shared holders), waiting at most
   * `writeWaitMs` before StoreBusyError.
   */
  transaction<T>(body: (tx: Transaction) => Promise<T>, options?: { writeLock?: WriteLock }): Promise<T>;
  /** Ends every connection; the client is unusable afterwards. */
  close(): Promise<void>;
}

/** Where the knowledge base lives. */
export interface PgClientOptions {
  connectionString: string;
  /** The knowledge base's schema (validated by the caller). */
  schema: string;
  /** The schema of the task store whose tasks a publish completes. */
  tasksSchema: string;
  /** Most connections the pool opens (default 10, pg's). */
  maxConnections?: number;
  /** How long a write waits for the write lock before StoreBusyError (default WRITE_WAIT_MS). */
  writeWaitMs?: number;
}

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
const parseInt8Array = (pg.types.getTypeParser as (oid: number, format: 'text') => (value: string) => (string | null)[])(
  INT8_ARRAY_OID,
  'text',
);

/**
 * Ids, times and counts are int8 (and arrays of ids int8[]); they stay far below 2^53, so they are
 * read as numbers. Per query, so the process's global pg parsers stay as the application set them.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === INT8_ARRAY_OID) return (value: string) => parseInt8Array(value).map((v) => (v === null ? null : Number(v)));
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** {@link SqlClient} over a pool of node-postgres connections. */
export class PgClient implements SqlClient {
  readonly #pool: pg.Pool;
  readonly #writeLockKey: string;
  readonly #tasksSchema: string;
  readonly #writeWaitMs: number;

  constructor(options: PgClientOptions) {
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections,
      options: `-c search_path=${pg.escapeIdentifier(options.schema)}`,
    });
    // An idle connection that drops emits 'error' on the pool; the next query opens a new one.
    this.#pool.on('error', () => undefined);
    this.#writeLockKey = advisoryKey(`carrel.kb.write:${options.schema}`);
    this.#tasksSchema = options.tasksSchema;
    this.#writeWaitMs = options.writeWaitMs ?? WRITE_WAIT_MS;
  }

  query: Query = (text, values = []) => this.#withRetry(() => run(this.#pool, text, values));

  transaction<T>(body: (tx: Transaction) => Promise<T>, { writeLock }: { writeLock?: WriteLock } = {}): Promise<T> {
    // The key is a number made here, never client text; lock_timeout bounds the wait for it.
    const lock = writeLock === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
    const begin = writeLock
      ? `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.round(this.#writeWaitMs))}; SELECT ${lock}(${this.#writeLockKey})`
      : 'BEGIN';
    return this.#withRetry(async () => {
      const client = await this.#pool.connect();
      let broken: Error | undefined;
      // A connection cut while checked out (a server restart between two statements) emits
      // 'error' on the client, which the pool only listens for while the client is idle: unheard,
      // it would crash the process. The statement in flight, or the next one, fails on its own.
      const onLost = (error: Error) => (broken = error);
      client.on('error', onLost);
      try {
        await client.query(begin);
        const result = await body({
          query: (text, values = []) => run(client, text, values),
          completeTask: (completion, now) => completeInTransaction(client, completion, { now, schema: this.#tasksSchema }),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.removeListener('error', onLost);
        client.release(broken);
      }
    });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let runs = 1; ; runs++) {
      try {
        return await attempt();
      } catch (error) {
        if (shouldRetry(error) && runs < MAX_TRANSACTION_RUNS) continue;
        throw translateError(error, this.#writeWaitMs);
      }
    }
  }
}

async function run<R extends object>(on: pg.Pool | pg.PoolClient, text: string, values: readonly unknown[]): Promise<R[]> {
  const result = await on.query<R>({ text, values: values as unknown[], types: TYPES });
  return result.rows;
}

/** A 64-bit advisory lock key for a string, the same in every process. */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
