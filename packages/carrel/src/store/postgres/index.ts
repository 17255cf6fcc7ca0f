/**
 * The knowledge base on PostgreSQL: `await PostgresRepository.open({ connectionString, schema })`
 * (migrates on open, as `carrel migrate` does by opening it). Needs the `pg` package (an optional
 * peer dependency of carrel).
 *
 * @module
 */
export { PostgresRepository } from './postgres-repository.js';
export type { PostgresRepositoryOptions } from './postgres-repository.js';
