/**
 * The one place that picks the knowledge-base repository implementation for a store location.
 *
 * @module
 */
import type { StoreLocation } from './location.js';
import type { KnowledgeRepository } from './repository.js';
import { SqliteIngestRepository } from './sqlite/ingest-repository.js';
import { SqliteRepository } from './sqlite/sqlite-repository.js';

/** How the repository will be used. */
export interface RepositoryUse {
  /**
   * Opened by the ingest worker, which writes large batches while it prepares the next: a store
   * whose writes hold the thread (SQLite's) makes them on a thread of their own.
   */
  ingestWorker?: boolean;
  /** Where the repository keeps its libraries' approximate vector indexes between processes (approximate-search.ts); none are kept without it. */
  vectorIndexDir?: string;
}

/**
 * Opens (creating and migrating if needed) the store at `location`. The PostgreSQL store is
 * imported only when asked for: `pg` is an optional peer dependency.
 */
export async function openRepository(location: StoreLocation, use: RepositoryUse = {}): Promise<KnowledgeRepository> {
  switch (location.kind) {
    case 'sqlite':
      return use.ingestWorker
        ? SqliteIngestRepository.open(location.path)
        : SqliteRepository.open(location.path, { vectorIndexDir: use.vectorIndexDir });
    case 'postgres': {
      const { PostgresRepository } = await import('./postgres/index.js');
      return PostgresRepository.open({ connectionString: location.url, vectorIndexDir: use.vectorIndexDir });
    }
  }
}
