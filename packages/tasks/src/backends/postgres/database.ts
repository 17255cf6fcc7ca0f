/**
 * The one path every statement takes to the server: per-query type parsing (int8 as a number,
 * without touching pg's global parsers, since the pool may be the application's), named
 * prepared statements, retry of deadlocks and serialization failures, and translation of
 * expected errors.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { expectedAction, MAX_TRANSACTION_RUNS, translateError } from './errors.js';

const INT8_OID = 20;

/**
 * Epoch-millisecond columns are `bigint`; pg returns int8 as a string by default because it can
 * exceed 2^53. Times and counts here stay far below that, so they are read as numbers.
 */
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Runs one statement on whatever connection it was given. */
export type Query = <R extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]) => Promise<R[]>;

/** Statements and transactions on the store's pool. */
export class Database {
  /** Statement text → prepared statement name; the schema is part of the text, so names never clash across stores sharing a pool. */
  readonly #names = new Map<string, string>();

  constructor(
    readonly pool: pg.Pool,
    private readonly schema: string,
  ) {}

  /** One statement in its own implicit transaction; retried on deadlock or serialization failure. */
  query: Query = (text, values = []) => this.#withRetry(() => this.#run(this.pool, text, values));

  /**
   * Runs `body` in a READ COMMITTED transaction on one connection, re-running it from the start
   * on deadlock or serialization failure. `body` must not have effects outside the database.
   * With `lock`, the transaction first takes the advisory lock of that key, in the same round
   * trip as BEGIN; statements in `body` then see everything committed by earlier holders.
   */
  async transaction<T>(body: (query: Query) => Promise<T>, { lock }: { lock?: string } = {}): Promise<T> {
    // The simple protocol runs several statements at once but takes no parameters, so the key
    // goes in as a number: no client text ever becomes SQL text.
    const begin = lock === undefined ? 'BEGIN' : `BEGIN; SELECT pg_advisory_xact_lock(${advisoryKey(lock)})`;
    return this.#withRetry(async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      // A connection cut while checked out (a server restart between two statements) emits
      // 'error' on the client, which the pool only listens for while the client is idle: unheard,
      // it would crash the process. The statement in flight, or the next one, fails on its own.
      const onLost = (error: Error) => (broken = error);
      client.on('error', onLost);
      try {
        await client.query(begin);
        const result = await body((text, values = []) => this.#run(client, text, values));
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

  async #withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    for (let run = 1; ; run++) {
      try {
        return await attempt();
      } catch (error) {
        if (expectedAction(error) === 'retry' && run < MAX_TRANSACTION_RUNS) continue;
        throw translateError(error, this.schema);
      }
    }
  }

  /**
   * Statements with parameters run as named prepared statements: each connection parses and
   * plans them once, which halves the server time of the short statements this store runs.
   * Parameterless text may hold several statements (migrations), which only the unnamed
   * simple protocol allows.
   */
  async #run<R extends object>(on: pg.Pool | pg.PoolClient, text: string, values: readonly unknown[]): Promise<R[]> {
    const name = values.length === 0 ? undefined : this.#nameOf(text);
    const result = await on.query<R>({ text, values: values as unknown[], types: TYPES, ...(name && { name }) });
    return result.rows;
  }

  #nameOf(text: string): string {
    let name = this.#names.get(text);
    if (name === undefined) {
      name = `carrel_${createHash('sha1').update(text).digest('base64url').slice(0, 27)}`;
      this.#names.set(text, name);
    }
    return name;
  }
}

/** A 64-bit advisory lock key for a string, the same in every process. */
function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}
