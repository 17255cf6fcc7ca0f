/**
 * The knowledge-base repository contract (test/store/contract/) run against the SQLite
 * implementation: a real SQLite file per test, each `open` a connection of its own. The search
 * contract runs twice: keyword searches on the repository's connection (the store is small), and
 * on the keyword reader thread's.
 */
import { join } from 'node:path';
import { afterEach, describe } from 'vitest';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import type { KnowledgeRepository } from '../../src/store/repository.js';
import { SqliteRepository, type SqliteRepositoryOptions } from '../../src/store/sqlite/sqlite-repository.js';
import { tempDir } from '../support/temp-dir.js';
import { connectorsContract } from './contract/connectors.js';
import { documentsContract } from './contract/documents.js';
import type { RepositoryFixture } from './contract/fixture.js';
import { searchContract } from './contract/search.js';
import { publishWithTaskContract } from './contract/tasks.js';

const opened: KnowledgeRepository[] = [];
afterEach(async () => {
  for (const repo of opened.splice(0)) await repo.close();
});

/** The SQLite fixture; `keywordThreadFrom: 0` sends every keyword search to the keyword reader thread. */
const sqliteFixture = (options: SqliteRepositoryOptions = {}): RepositoryFixture => ({
  name: 'sqlite',
  async store() {
    const path = join(tempDir(), 'kb.db');
    return {
      async open() {
        const repo = SqliteRepository.open(path, options);
        opened.push(repo);
        return repo;
      },
      async tasks() {
        return new SqliteTaskStore({ path });
      },
    };
  },
});

const sqlite = sqliteFixture();
documentsContract(sqlite);
searchContract(sqlite);
connectorsContract(sqlite);
publishWithTaskContract(sqlite);
describe('keyword searches on the keyword reader thread', () => searchContract(sqliteFixture({ keywordThreadFrom: 0 })));
