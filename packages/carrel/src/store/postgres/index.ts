/**
 * The knowledge base on PostgreSQL: `await PostgresRepository.open({ connectionString, schema })`
 * (migrates on open), and `migrateKnowledgeBase` for an operator command. Needs the `pg` package
 * (an optional peer dependency of carrel).
 *
 * @module
 */
export { migrateKnowledgeBase, PostgresRepository } from './postgres-repository.js';
export type { PostgresRepositoryOptions } from './postgres-repository.js';
