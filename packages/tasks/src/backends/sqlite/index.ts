/**
 * The SQLite backend, `@carrel/tasks/sqlite`: `new SqliteTaskStore({ path })`. Needs the
 * `better-sqlite3` peer dependency; several processes may share one database file.
 *
 * @module
 */
export { SqliteTaskStore } from './sqlite-store.js';
export type { SqliteTaskStoreOptions } from './sqlite-store.js';
export { SqliteBusyError } from './errors.js';
