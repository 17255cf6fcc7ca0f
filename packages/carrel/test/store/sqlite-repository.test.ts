/**
 * The knowledge-base repository contract (test/store/contract/) run against the SQLite
 * implementation: a real SQLite file per test, each `open` a connection of its own.
 */
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import type { KnowledgeRepository } from '../../src/store/repository.js';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository.js';
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

const sqlite: RepositoryFixture = {
  name: 'sqlite',
  async store() {
    const path = join(tempDir(), 'kb.db');
    return {
      async open() {
        const repo = SqliteRepository.open(path);
        opened.push(repo);
        return repo;
      },
      async tasks() {
        return new SqliteTaskStore({ path });
      },
    };
  },
};

documentsContract(sqlite);
searchContract(sqlite);
connectorsContract(sqlite);
publishWithTaskContract(sqlite);
