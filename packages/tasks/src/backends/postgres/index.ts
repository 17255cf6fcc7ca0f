/**
 * The PostgreSQL backend (`@carrel/tasks/postgres`): `new PostgresTaskStore({ connectionString })`.
 * Needs the `pg` package (a peer dependency). Several processes on one database form a cluster.
 * `completeInTransaction` commits a task's completion in the application's own transaction;
 * `isServerUnavailable` tells a restart or failover from other errors.
 *
 * @module
 */
export { PostgresTaskStore } from './postgres-store.js';
export type { PostgresTaskStoreOptions } from './postgres-store.js';
export { completeInTransaction } from './complete-in-transaction.js';
export { isServerUnavailable } from './errors.js';
