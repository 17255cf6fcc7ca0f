/**
 * The keyword search's term counting on a large SQLite store, before and after counts were capped
 * (issue 9): for each of bench/search's queries, which words to rank (`selectiveTerms`) found with
 * the counts capped — counted up to the row budget, then ×4 higher until one word falls below
 * the cap — next to the previous way — up to the budget, then every word in full when all were
 * past it — alternating which goes first. Both must keep the same words; the time is the counting.
 * Runs on the store `scale.ts` built and cached for `--chunks` (run that first).
 *
 *   node --conditions=carrel-source --import tsx bench/search/term-counts.ts [--chunks 1000000] [--queries 200] [--rounds 3]
 *
 * @module
 */
import { loadavg } from 'node:os';
import { queryTerms, quoteTerm, selectiveTerms } from '../../packages/carrel/src/search/fts-query.js';
import { openDatabase } from '../../packages/carrel/src/store/sqlite/database.js';
import { termChunkCount } from '../../packages/carrel/src/store/sqlite/search-queries.js';
import { rng, zipfWord } from '../ingest/corpus.js';
import { cachedStorePath, option } from './cached-store.js';
import { interleavedRounds } from './interleaved.js';

const CHUNKS = Number(option('chunks') ?? 1_000_000);
const QUERIES = Number(option('queries') ?? 200);
const ROUNDS = Number(option('rounds') ?? 3);
/** The SQLite store's row budget (sqlite-repository.ts). */
const BUDGET = 5000;

const db = openDatabase(cachedStorePath(CHUNKS), {
  readonly: true,
});
const count = (term: string, cap: number) =>
  cap === Infinity
    ? (db.prepare('SELECT count(*) AS n FROM chunks_fts WHERE chunks_fts MATCH ?').get(quoteTerm(term)) as { n: number }).n
    : termChunkCount(db, quoteTerm(term), cap);

/** The selection as it was: capped at the budget, then every word counted in full when all were past it. */
function fullCountSelection(query: string): string[] | undefined {
  const cap = BUDGET + 1;
  let counted = queryTerms(query)
    .map((term) => ({ term, n: count(term, cap) }))
    .filter((t) => t.n > 0)
    .sort((a, b) => a.n - b.n);
  if (counted.length > 0 && counted[0]!.n >= cap)
    counted = counted.map((t) => ({ term: t.term, n: count(t.term, Infinity) })).sort((a, b) => a.n - b.n);
  const kept: string[] = [];
  let rows = 0;
  for (const t of counted) {
    if (kept.length > 0 && rows + t.n > BUDGET) break;
    kept.push(t.term);
    rows += t.n;
  }
  return kept.length > 0 ? kept : undefined;
}
const cappedSelection = (query: string) => selectiveTerms(query, async (terms, cap) => terms.map((term) => count(term, cap)), BUDGET);

const r = rng(99);
const queries = Array.from({ length: QUERIES }, () => Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' '));
let differ = 0;
for (const q of queries) if (JSON.stringify(fullCountSelection(q)) !== JSON.stringify(await cappedSelection(q))) differ++;
const times = await interleavedRounds(
  { full: async (q: string) => fullCountSelection(q), capped: (q: string) => cappedSelection(q) },
  queries,
  ROUNDS,
);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const median = (xs: number[]) => quantile(xs, 0.5);
const cell = (rounds: number[][]) =>
  `${median(rounds.map(median)).toFixed(2)} / ${median(rounds.map((x) => quantile(x, 0.95))).toFixed(2)}`;
console.log(
  `${CHUNKS} chunks, ${QUERIES} queries, median of ${ROUNDS} rounds; load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log('| counting | p50 / p95 ms |\n|---|---:|');
console.log(`| every word in full once all are past the budget (before) | ${cell(times.full)} |`);
console.log(`| capped, ×4 until one word falls below (after) | ${cell(times.capped)} |`);
console.log(`queries whose kept words differ: ${differ}`);
db.close();
