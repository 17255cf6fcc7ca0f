/**
 * What every statement module of this backend is handed: the connection, and the change feed's
 * recorder for changes made inside the store's write transaction. Each module in `sql/` prepares
 * its statements once from it and returns its store verbs, with the contract's signatures made
 * synchronous: better-sqlite3 runs them on the calling thread, inside `SqliteTaskStore`'s
 * transaction for writes.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { RecordChange } from './change-feed.js';

/** The per-store facts every statement module is handed. */
export interface StoreContext {
  db: Database;
  /** Records a change inside the current write transaction; listeners get it after the commit. */
  record: RecordChange;
}

/** Store verbs as this backend's statement modules implement them: the same arguments, results without the promise. */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};
