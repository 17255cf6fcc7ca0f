/**
 * {@link SqlClient} over PGlite (PostgreSQL compiled to WebAssembly, in this process), so the
 * statements of the PostgreSQL knowledge base, the pgvector ones included, run where no
 * PostgreSQL server with the `vector` extension can be installed: the tests' pgvector fixture.
 * It takes an open `PGlite` (the caller loads `@electric-sql/pglite`, and its pgvector extension,
 * itself): this module imports only its types, so a real server never needs the package.
 *
 * PGlite is one connection. Its transactions run one at a time (PGlite queues them, and a
 * statement outside a transaction waits for the open one), so:
 * - the store's write lock needs no advisory lock: a transaction is alone by construction, shared
 *   or exclusive alike, and never waits long enough for StoreBusyError (the advisory lock would
 *   succeed at once anyway, the session holding every lock it takes);
 * - nothing deadlocks and no transaction is retried;
 * - a transaction body must make its statements through its `Transaction`: a statement through
 *   the client would wait for the transaction it is part of.
 * The knowledge base uses no LISTEN (vector-cache.ts); PGlite has it, single-process only.
 *
 * The task store is a `pg.Pool` of its own on a server URL, so it cannot share this database:
 * {@link Transaction.completeTask} is refused, and a publish that completes a task needs a server.
 *
 * @module
 */
import type { PGliteInterface, Transaction as PgliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';
import type { Query, SqlClient, Transaction } from './client.js';

const BYTEA_OID = 17;

/** bytea as a Buffer, as node-postgres returns it (PGlite's default is a Uint8Array). */
const PARSERS = { [BYTEA_OID]: (value: string) => Buffer.from(value.slice(2), 'hex') };

/** {@link SqlClient} on one PGlite database, holding the knowledge base in `schema`. */
export class PgliteClient implements SqlClient {
  #closed = false;

  private constructor(private readonly db: PGliteInterface) {}

  /** A client on `db` whose statements name the tables of `schema` (one knowledge base per PGlite database). */
  static async open(db: PGliteInterface, schema: string): Promise<PgliteClient> {
    await db.exec(`SET search_path = ${pg.escapeIdentifier(schema)}`);
    return new PgliteClient(db);
  }

  query: Query = (text, values = []) => run(this.#open(), text, values);

  transaction<T>(body: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.#open().transaction((tx) =>
      body({
        query: (text, values = []) => run(tx, text, values),
        completeTask: () =>
          Promise.reject(new Error('A PGlite knowledge base cannot complete tasks: the task store needs a PostgreSQL server')),
      }),
    );
  }

  /** Stops this client; the PGlite database stays open for its owner (other repositories may share it). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #open(): PGliteInterface {
    if (this.#closed) throw new Error('The PGlite knowledge-base client is closed');
    return this.db;
  }
}

/**
 * One statement; without values, through PGlite's simple protocol (as node-postgres sends a query
 * without values), where one text may hold several statements: the rows are the last one's.
 */
async function run<R extends object>(on: PGliteInterface | PgliteTransaction, text: string, values: readonly unknown[]): Promise<R[]> {
  if (values.length === 0) return ((await on.exec(text, { parsers: PARSERS })).at(-1)?.rows ?? []) as R[];
  return (await on.query<R>(text, [...values], { parsers: PARSERS })).rows;
}
