/**
 * The SQLite backend, `@carrel/tasks/sqlite`: `new SqliteTaskStore({ path })`. Needs the
 * `better-sqlite3` peer dependency; several processes may share one database file, and the file
 * may be the application's own database (every table of the store is `carrel_`-prefixed).
 * `completeInTransaction` commits a task's completion in the application's own transaction.
 *
 * @module
 */
export { SqliteTaskStore } from './sqlite-store.js';
export type { SqliteTaskStoreOptions } from './sqlite-store.js';
export { completeInTransaction } from './complete-in-transaction.js';
export { SqliteBusyError } from './errors.js';
