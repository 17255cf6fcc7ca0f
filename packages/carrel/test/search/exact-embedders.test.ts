import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { databasePath } from '../../src/data-dir.js';
import type { Embedder } from '../../src/embedders/embedder.js';
import { OfflineEmbedder } from '../../src/embedders/offline-embedder.js';
import { hybridSearch } from '../../src/search/search.js';
import { vectorIndexPolicy } from '../../src/store/approximate-search.js';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository.js';
import { tempDir } from '../support/temp-dir.js';

const defaults = { ...vectorIndexPolicy };
afterEach(() => Object.assign(vectorIndexPolicy, defaults));

const section = (n: number) =>
  `## Part ${n}\n\n${`Part ${n} explains topic ${n % 7} and item ${n} in some words of its own. `.repeat(6)}\n\n`;

describe("search's vector half and the embedder's indexability", () => {
  it('never builds an approximate index for an embedder that is not indexable, and does for one that is', async () => {
    const dataDir = tempDir();
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' } });
    await kb.ingestContent({
      library: 'big',
      content: `# Big\n\n${Array.from({ length: 60 }, (_, i) => section(i)).join('')}`,
      source: 'big.md',
    });
    await kb.close();
    // The library holds 60+ chunks: past a threshold of 50, a library gets an index when its embedder allows one.
    vectorIndexPolicy.minRows = 50;
    const repository = SqliteRepository.open(databasePath(dataDir));
    try {
      const offline = new OfflineEmbedder();
      const [vector] = await offline.embed(['topic 3 item 10']);
      const search = (embedder: Embedder) => hybridSearch(repository, { query: 'topic 3 item 10' }, { vector: vector!, embedder });

      const exact = await search(offline);
      await repository.vectorIndexesBuilt();
      expect(exact.results.some((r) => r.vectorRank !== null)).toBe(true);
      expect(repository.vectorIndexStatus()).toEqual([]);

      // The same vectors from an embedder declaring itself indexable: the library's index is built.
      const indexable: Embedder = Object.assign(Object.create(offline) as OfflineEmbedder, { indexable: true });
      await search(indexable);
      await repository.vectorIndexesBuilt();
      expect(repository.vectorIndexStatus()).toEqual([expect.objectContaining({ vectors: expect.any(Number), updating: false })]);
      expect(repository.vectorIndexStatus()[0]!.vectors).toBeGreaterThan(50);
    } finally {
      repository.close();
    }
  });
});
