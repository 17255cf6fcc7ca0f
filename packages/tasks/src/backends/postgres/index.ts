/**
 * The PostgreSQL backend (`@carrel/tasks/postgres`): `new PostgresTaskStore({ connectionString })`.
 * Needs the `pg` package (a peer dependency). Several processes on one database form a cluster.
 *
 * @module
 */
export { PostgresTaskStore } from './postgres-store.js';
export type { PostgresTaskStoreOptions } from './postgres-store.js';
