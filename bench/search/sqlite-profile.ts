/**
 * Where a SQLite search's time goes on a large store (issue 9): bench/search's queries run
 * through the statements of `SqliteRepository`'s hybrid search one by one, each timed — the term
 * counts of the row budget (`selectiveTerms`), the BM25 ranking, the all-words check, the KNN of
 * every library (`--knn`: through the approximate indexes, built first), hydration. Runs on the
 * store `scale.ts` built and cached for `--chunks` (run that first); the last round is reported,
 * the earlier ones warm the page cache.
 *
 *   node --conditions=carrel-source --import tsx bench/search/sqlite-profile.ts [--chunks 1000000] [--queries 200] [--rounds 2] [--knn]
 *
 * @module
 */
import { loadavg } from 'node:os';
import { quantize } from '../../packages/carrel/src/embedders/embedder.js';
import { OfflineEmbedder } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { allTermsMatch, quoteTerm, selectiveTerms } from '../../packages/carrel/src/search/fts-query.js';
import { vectorIndexesBuilt } from '../../packages/carrel/src/store/approximate-search.js';
import { openDatabase } from '../../packages/carrel/src/store/sqlite/database.js';
import {
  bm25Search,
  chunkDetails,
  filterClause,
  matchingChunks,
  termChunkCount,
} from '../../packages/carrel/src/store/sqlite/search-queries.js';
import { knn } from '../../packages/carrel/src/store/sqlite/vectors.js';
import { rng, zipfWord } from '../ingest/corpus.js';
import { cachedStorePath, option } from './cached-store.js';

const CHUNKS = Number(option('chunks') ?? 1_000_000);
const QUERIES = Number(option('queries') ?? 200);
const ROUNDS = Number(option('rounds') ?? 2);
const KNN = process.argv.includes('--knn');
/** The SQLite store's row budget and the search's candidate depth for a page of 10. */
const BUDGET = 5000;
const DEPTH = 50;

const db = openDatabase(cachedStorePath(CHUNKS), {
  readonly: true,
});
const r = rng(99);
const embedder = new OfflineEmbedder();
const queries = Array.from({ length: QUERIES }, () => {
  const text = Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' ');
  return { text, vector: quantize(embedder.embedOne(text)) };
});
const libraries = db.prepare('SELECT id, dims FROM libraries').all() as { id: number; dims: number }[];
if (KNN) {
  for (const l of libraries) knn(db, l.dims, l.id, queries[0]!.vector, DEPTH);
  await vectorIndexesBuilt(db);
}

let times: Record<string, number[]> = {};
const timed = <T>(step: string, run: () => T): T => {
  const start = performance.now();
  const result = run();
  (times[step] ??= []).push(performance.now() - start);
  return result;
};
for (let round = 0; round < ROUNDS; round++) {
  times = {};
  for (const q of queries) {
    const start = performance.now();
    const kept = await selectiveTerms(
      q.text,
      async (terms, cap) => timed('term counts', () => terms.map((term) => termChunkCount(db, quoteTerm(term), cap))),
      BUDGET,
    );
    const hits = kept ? timed('BM25 ranking', () => bm25Search(db, kept.map(quoteTerm).join(' OR '), filterClause({}), DEPTH)) : [];
    timed('all-words check', () =>
      matchingChunks(
        db,
        allTermsMatch(q.text)!,
        hits.map((h) => h.chunkId),
      ),
    );
    const nearest = KNN ? timed('KNN, every library', () => libraries.flatMap((l) => knn(db, l.dims, l.id, q.vector, DEPTH))) : [];
    timed('hydration', () => chunkDetails(db, [...new Set([...hits, ...nearest].map((h) => h.chunkId))]));
    (times['whole search'] ??= []).push(performance.now() - start);
  }
}
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const whole = times['whole search']!.reduce((a, b) => a + b, 0);
console.log(
  `${CHUNKS} chunks, ${QUERIES} queries, round ${ROUNDS} of ${ROUNDS}; load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log('| step | calls | p50 / p95 ms | share of search time |\n|---|---:|---:|---:|');
for (const [step, xs] of Object.entries(times)) {
  const share = xs.reduce((a, b) => a + b, 0) / whole;
  console.log(
    `| ${step} | ${xs.length} | ${quantile(xs, 0.5).toFixed(2)} / ${quantile(xs, 0.95).toFixed(2)} | ${(share * 100).toFixed(0)}% |`,
  );
}
db.close();
