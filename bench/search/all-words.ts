/**
 * The keyword search's all-words check on a large SQLite store, before and after (issue 9): for
 * each of bench/search's queries, the 50 best BM25 hits are computed once, then which of them hold
 * every query word is asked of the main FTS5 index (`rowid IN (…)`, the previous way: a seek into
 * every word's posting list in every segment per hit) and of `matchingChunks` (a temporary FTS5
 * index of just those hits), alternating which goes first; both must answer the same. Runs on the
 * store `scale.ts` built and cached for `--chunks` (run that first); the first round warms the
 * page cache and checks the answers, the last is reported.
 *
 *   node --conditions=carrel-source --import tsx bench/search/all-words.ts [--chunks 1000000] [--queries 200] [--rounds 2]
 *
 * @module
 */
import { loadavg } from 'node:os';
import { allTermsMatch, quoteTerm, selectiveTerms } from '../../packages/carrel/src/search/fts-query.js';
import { openDatabase } from '../../packages/carrel/src/store/sqlite/database.js';
import { bm25Search, filterClause, matchingChunks, termChunkCount } from '../../packages/carrel/src/store/sqlite/search-queries.js';
import { rng, zipfWord } from '../ingest/corpus.js';
import { cachedStorePath, option } from './cached-store.js';
import { interleavedRounds } from './interleaved.js';

const CHUNKS = Number(option('chunks') ?? 1_000_000);
const QUERIES = Number(option('queries') ?? 200);
const ROUNDS = Number(option('rounds') ?? 2);

const db = openDatabase(cachedStorePath(CHUNKS), {
  readonly: true,
});
const r = rng(99);
const cases: { all: string; ids: number[] }[] = [];
for (let i = 0; i < QUERIES; i++) {
  const text = Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' ');
  const kept = await selectiveTerms(text, async (terms, cap) => terms.map((t) => termChunkCount(db, quoteTerm(t), cap)), 5000);
  const hits = kept ? bm25Search(db, kept.map(quoteTerm).join(' OR '), filterClause({}), 50) : [];
  cases.push({ all: allTermsMatch(text)!, ids: hits.map((h) => h.chunkId) });
}
const askIndex = (c: (typeof cases)[number]) =>
  new Set(
    db
      .prepare<[string, string], { id: number }>(
        'SELECT rowid AS id FROM chunks_fts WHERE chunks_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))',
      )
      .all(c.all, JSON.stringify(c.ids))
      .map((x) => x.id),
  );
const sorted = (s: Set<number>) => JSON.stringify([...s].sort((a, b) => a - b));
const differ = cases.filter((c) => sorted(askIndex(c)) !== sorted(matchingChunks(db, c.all, c.ids))).length;
const times = await interleavedRounds(
  {
    index: async (c: (typeof cases)[number]) => askIndex(c),
    temporary: async (c: (typeof cases)[number]) => matchingChunks(db, c.all, c.ids),
  },
  cases,
  ROUNDS,
);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const cell = (rounds: number[][]) => `${quantile(rounds.at(-1)!, 0.5).toFixed(2)} / ${quantile(rounds.at(-1)!, 0.95).toFixed(2)}`;
console.log(
  `${CHUNKS} chunks, ${QUERIES} queries, round ${ROUNDS} of ${ROUNDS}; load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log('| all-words check of the 50 best hits | p50 / p95 ms |\n|---|---:|');
console.log(`| main FTS5 index, \`rowid IN (…)\` (before) | ${cell(times.index)} |`);
console.log(`| temporary FTS5 index of the hits (after) | ${cell(times.temporary)} |`);
console.log(`queries whose answers differ: ${differ}`);
db.close();
