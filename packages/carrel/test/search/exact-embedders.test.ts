import { existsSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { databasePath, vectorIndexDir } from '../../src/data-dir.js';
import type { Embedder } from '../../src/embedders/embedder.js';
import { OfflineEmbedder } from '../../src/embedders/offline-embedder.js';
import { hybridSearch } from '../../src/search/search.js';
import { ApproximateIndex } from '../../src/store/approximate-index.js';
import { vectorIndexPolicy } from '../../src/store/approximate-search.js';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository.js';
import { tempDir } from '../support/temp-dir.js';
import { eventually } from '../../../tasks/test/contract/fixture.js';

const defaults = { ...vectorIndexPolicy };
afterEach(() => {
  Object.assign(vectorIndexPolicy, defaults);
  vi.restoreAllMocks();
});

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

  it("keeps an indexed library's index in the data dir, and a reopened knowledge base loads it instead of building one", async () => {
    const dataDir = tempDir();
    const offline = new OfflineEmbedder();
    // The offline embedder's vectors, from an application embedder (indexable, as every model is).
    const embedder = { name: 'hashed', dims: offline.dims, embed: async (texts: readonly string[]) => offline.embed([...texts]) };
    const first = await KnowledgeBase.open({ dataDir, embedder });
    await first.ingestContent({
      library: 'big',
      content: `# Big\n\n${Array.from({ length: 60 }, (_, i) => section(i)).join('')}`,
      source: 'big.md',
    });
    vectorIndexPolicy.minRows = 50;
    await first.search({ query: 'topic 3 item 10' });
    // Built and saved in the background: the digest is written last.
    await eventually(() => existsSync(vectorIndexDir(dataDir)) && readdirSync(vectorIndexDir(dataDir)).some((n) => n.endsWith('.digest')));
    expect(readdirSync(vectorIndexDir(dataDir))).toHaveLength(2);
    await first.close();

    const build = vi.spyOn(ApproximateIndex, 'create');
    const load = vi.spyOn(ApproximateIndex, 'load');
    const reopened = await KnowledgeBase.open({ dataDir, embedder });
    try {
      await reopened.search({ query: 'topic 3 item 10' });
      await eventually(() => load.mock.calls.length > 0);
      expect(load).toHaveBeenCalledTimes(1);
      expect(build).not.toHaveBeenCalled();
      const found = await reopened.search({ query: 'topic 3 item 10' });
      expect(found.results[0]?.vectorRank).not.toBeNull();
    } finally {
      await reopened.close();
    }
  });
});
