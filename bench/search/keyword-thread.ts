/**
 * SQLite hybrid search with the keyword half on the keyword reader thread
 * (packages/carrel/src/store/sqlite/keyword-reader.ts) against the same search on one thread:
 * two repositories on `scale.ts`'s cached store of `--chunks` (build it first with
 * `scale.ts --chunks <n> --stores sqlite`), one sending every keyword search to its thread
 * (`keywordThreadFrom: 0`), one never, the same queries on both, alternately, in several rounds:
 * hybrid, keyword only and hybrid with a 10% tag filter (p50 and p95, medians of the rounds).
 * Both answer every query with the same results, checked first.
 *
 *   node --conditions=carrel-source --import tsx bench/search/keyword-thread.ts [--chunks 1000000] [--rounds 3] [--queries 200]
 *
 * @module
 */
import type { SearchRequest } from 'carrel';
import { OfflineEmbedder } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { hybridSearch, type QueryVector } from '../../packages/carrel/src/search/search.js';
import { SqliteRepository } from '../../packages/carrel/src/store/sqlite/sqlite-repository.js';
import { rng, zipfWord } from '../ingest/corpus.js';
import { cachedStorePath, option } from './cached-store.js';
import { interleavedRounds, load, median, quantile } from './interleaved.js';

const CHUNKS = Number(option('chunks') ?? 1_000_000);
const ROUNDS = Number(option('rounds') ?? 3);
const QUERIES = Number(option('queries') ?? 200);

const path = cachedStorePath(CHUNKS);
const sides = {
  'one thread': SqliteRepository.open(path, { keywordThreadFrom: Infinity }),
  'keyword thread': SqliteRepository.open(path, { keywordThreadFrom: 0 }),
};
type Side = keyof typeof sides;
try {
  const r = rng(99);
  const embedder = new OfflineEmbedder();
  const queries = Array.from({ length: QUERIES }, () => {
    const text = Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' ');
    return { text, vector: { vector: embedder.embedOne(text), embedder } as QueryVector };
  });
  const keywordOnly: QueryVector = { vector: null, reason: 'keyword only' };
  const modes: [string, (store: SqliteRepository, q: (typeof queries)[number]) => Promise<{ results: { chunkId: number }[] }>][] = [
    ['hybrid', (store, q) => hybridSearch(store, { query: q.text, limit: 10 }, q.vector)],
    ['keyword only', (store, q) => hybridSearch(store, { query: q.text, limit: 10 }, keywordOnly, { noteKeywordOnly: false })],
    ['hybrid, tag 10%', (store, q) => hybridSearch(store, { query: q.text, limit: 10, tags: ['rare'] } as SearchRequest, q.vector)],
  ];

  // Outside the timing: each repository's vector copies load, the thread starts; and both must agree.
  for (const q of queries) {
    const [a, b] = await Promise.all(Object.values(sides).map((store) => modes[0]![1](store, q)));
    if (JSON.stringify(a!.results.map((x) => x.chunkId)) !== JSON.stringify(b!.results.map((x) => x.chunkId)))
      throw new Error(`the two sides answered "${q.text}" differently`);
  }
  console.log(`${CHUNKS} chunks (cached store), ${QUERIES} queries, median of ${ROUNDS} rounds; load ${load()}`);
  console.log('| mode | one thread p50 / p95 ms | keyword thread p50 / p95 ms | p50 ratio |');
  console.log('|---|---:|---:|---:|');
  for (const [label, search] of modes) {
    const times = await interleavedRounds(
      Object.fromEntries(Object.entries(sides).map(([side, store]) => [side, (q: (typeof queries)[number]) => search(store, q)])) as Record<
        Side,
        (q: (typeof queries)[number]) => Promise<unknown>
      >,
      queries,
      ROUNDS,
    );
    const cell = (side: Side) =>
      `${median(times[side].map(median)).toFixed(2)} / ${median(times[side].map((round) => quantile(round, 0.95))).toFixed(2)}`;
    const ratio = median(times['keyword thread'].map(median)) / median(times['one thread'].map(median));
    console.log(`| ${label} | ${cell('one thread')} | ${cell('keyword thread')} | ×${ratio.toFixed(2)} |`);
  }
  console.log(`load after ${load()}`);
} finally {
  for (const store of Object.values(sides)) await store.close();
}
