/**
 * The keyword retriever and the reads around both retrievers: searchable libraries, KNN
 * allowlists, hydration of hits.
 *
 * Keyword ranking is `ts_rank` over the chunk's tsvector (heading weight A = 1.0, text B = 0.5,
 * as FTS5's bm25 weights 2 and 1), normalised by 1 + log(document length) (flag 1), negated so
 * that lower is better like FTS5's bm25. It differs from BM25 in two ways a reader of scores
 * should know: ts_rank has no IDF (a rare word counts no more than a common one; BM25 ranks a
 * chunk holding the rarest query word higher), and its length normalisation is logarithmic, not
 * BM25's saturating k1/b. The 'english' configuration stems like FTS5's porter tokenizer but also
 * drops stop words ("the", "is"), which FTS5 keeps. Scores compare only within one query, which is
 * all fusion asks (it divides by the query's best). Chosen by measurement (bench/README.md § The
 * PostgreSQL store's keyword ranking): `ts_rank_cd` ranked far lower on real documentation, and
 * BM25's IDF added by hand bought nothing.
 *
 * As on SQLite, a word found in more chunks than the rarer words already match past a budget is
 * left out of the ranked query (`selectiveTerms`): `ts_rank` would read and score every chunk it
 * matches, for a word that ranks nothing; `allWords` still asks for every word.
 *
 * The query is built from the words of the input only (`queryTerms`: letters, digits, `_`), each
 * quoted as one lexeme, so tsquery syntax in the input (`&`, `!`, `<->`, quotes) is never parsed.
 *
 * @module
 */
import pg from 'pg';
import { queryTerms, selectiveTerms, type TermCounter } from '../../../search/fts-query.js';
import type { ChunkDetail, KeywordResult, SearchableLibrary, SearchFilters, TextHit } from '../../repository.js';
import type { Query } from '../client.js';
import { RUM_CANDIDATES } from '../rum.js';
import type { TermStatistics } from '../term-statistics.js';
import { filterClause } from './filters.js';

/** The tsquery text matching any (`|`) or every (`&`) term. Terms hold no quote, so quoting each is safe. */
const tsquery = (terms: readonly string[], operator: '|' | '&') => terms.map((t) => `'${t}'`).join(` ${operator} `);

/** Most chunks `ts_rank` scores per query before common terms are left out (see selectiveTerms). */
const ROW_BUDGET = 5000;

/**
 * The keyword retriever over live chunks passing `filters`, best `limit` first. With `rumSchema`
 * (the schema of the `rum` extension, see ../rum.ts) an unfiltered search ranks only the best
 * {@link RUM_CANDIDATES} (or `limit`, if more) matches in the RUM index's order.
 */
export async function keywordSearch(
  query: Query,
  text: string,
  filters: SearchFilters,
  limit: number,
  rumSchema: string | null,
  statistics: TermStatistics,
): Promise<KeywordResult> {
  const terms = queryTerms(text);
  if (terms.length === 0) return { hits: [], allWords: new Set(), searched: false };
  const { kept, estimated } = await rankedTerms(query, statistics, text, terms);
  if (!kept) return { hits: [], allWords: new Set(), searched: false };
  const where = filterClause(filters, 4);
  const rows = await query<TextHit & { every: boolean }>(
    where.params.length === 0 ? unfilteredRanking(rumSchema) : filteredRanking(where.sql),
    [tsquery(kept, '|'), tsquery(terms, '&'), limit, ...where.params],
  );
  return {
    hits: rows.map(({ chunkId, score }) => ({ chunkId, score })),
    allWords: new Set(rows.filter((r) => r.every).map((r) => r.chunkId)),
    // Words kept from estimates alone may match nothing at all; counted ones matched something.
    searched: rows.length > 0 || !estimated || (await anyChunkHolds(query, kept)),
  };
}

/** The ranking's query words: `$1` any of the ranked words, `$2` every word of the query. */
const QUERY = `(SELECT to_tsquery('english', $1) AS any, to_tsquery('english', $2) AS every) q`;
/** Match `m`'s score (lower is better, as FTS5's bm25) and whether it holds every word. */
const RANK = `-ts_rank('{0.1, 0.2, 0.5, 1.0}', m.search, q.any, 1)::float8 AS score, m.search @@ q.every AS every`;

/**
 * The best `$3` live chunks of an unfiltered search: the matches of any version are ranked first
 * and the live ones kept afterwards, reading down the ranking only as far as `$3` live ones. The
 * live check is a lookup of the chunk's document; made for every match before ranking it cost
 * ~8 ms per 1,000 matches at 1M chunks, half the statement (bench/README.md § Stop 25). With
 * `rumSchema`, the matches are the best {@link RUM_CANDIDATES} (or `$3`, if more) in the RUM
 * index's order, so a version being staged or awaiting garbage collection can take a live
 * chunk's place among them while it exists. The planner takes that ordered scan by itself: it
 * estimates the chunks matching the words from their statistics, not through a join.
 */
function unfilteredRanking(rumSchema: string | null): string {
  const matches = `SELECT c.id, c.search, c.document_id, c.version FROM chunks c WHERE c.search @@ q.any`;
  const candidates =
    rumSchema === null
      ? matches
      : `${matches} ORDER BY c.search OPERATOR(${pg.escapeIdentifier(rumSchema)}.<=>) q.any LIMIT greatest($3, ${RUM_CANDIDATES})`;
  // The live check stays above the sort: a condition holding a subquery is never pushed below it.
  return `SELECT r.id AS "chunkId", r.score, r.every
     FROM (SELECT m.id, m.document_id, m.version, ${RANK} FROM ${QUERY}, LATERAL (${candidates}) m ORDER BY score, m.id) r
     WHERE r.version = (SELECT d.live_version FROM documents d WHERE d.id = r.document_id)
     ORDER BY r.score, r.id LIMIT $3`;
}

/**
 * The best `$3` live chunks passing `where` (parameters from `$4`), every match passing it ranked,
 * with or without RUM: walking RUM's order, a filter rejects candidates the walk has already paid
 * a table read for (a 10% tag filter at 1M chunks: 2.2 s p50 against 0.4 s for ranking every
 * match, bench/README.md § Stop 23).
 */
function filteredRanking(where: string): string {
  return `SELECT m.id AS "chunkId", ${RANK}
     FROM ${QUERY}, LATERAL (
       SELECT c.id, c.search FROM chunks c JOIN documents d ON d.id = c.document_id AND c.version = d.live_version JOIN libraries l ON l.id = d.library_id
       WHERE c.search @@ q.any AND ${where}) m
     ORDER BY score, m.id LIMIT $3`;
}

/**
 * The words of `text` (its `terms`) to rank (`selectiveTerms`), and whether they were chosen from
 * estimates alone. Which words are common comes from the planner's statistics of `chunks.search`
 * (ANALYZE, which autovacuum runs, keeps the most common lexemes with the share of rows holding
 * each; 3,000 of them since migration 0004), which the node keeps between ANALYZEs
 * (../term-statistics.ts). Counting a common word is what costs: a GIN scan builds its whole
 * bitmap before the first row, ~0.4 s per word at 1M chunks (bench/README.md § Issue 9 — search
 * at ~1M chunks). A word the statistics leave out holds at
 * most about as many chunks as the least common listed one; it is counted only when that
 * uncertainty could change the choice (the words chosen assuming it holds one chunk differ from
 * those chosen assuming it holds that bound), which at 1M generated chunks is 3% of queries
 * (bench/README.md § Stop 24). The statistics are a sample, so a rare estimate may be off; it only
 * decides which words are ranked, the ranking itself reads the index. Without statistics (a table
 * never analysed, or emptied since: its size is then unknown) every word is counted.
 */
async function rankedTerms(
  query: Query,
  statistics: TermStatistics,
  text: string,
  terms: readonly string[],
): Promise<{ kept: string[] | undefined; estimated: boolean }> {
  const { estimates, unlistedBound } = await statistics.estimate(terms);
  if (unlistedBound !== null) {
    const assuming = (unlisted: number) =>
      selectiveTerms(text, async (_terms, cap) => estimates.map((estimate) => Math.min(estimate ?? unlisted, cap)), ROW_BUDGET);
    const [fewest, most] = [await assuming(1), await assuming(unlistedBound)];
    if (sameWords(fewest, most)) return { kept: most, estimated: true };
  }
  return { kept: await selectiveTerms(text, termCounter(query, estimates), ROW_BUDGET), estimated: false };
}

const sameWords = (a: string[] | undefined, b: string[] | undefined) => [...(a ?? [])].sort().join(' ') === [...(b ?? [])].sort().join(' ');

/** A {@link TermCounter} that counts only the words `estimates` has no figure for. */
function termCounter(query: Query, estimates: readonly (number | null)[]): TermCounter {
  return async (terms, cap) => {
    const unknown = terms.filter((_, i) => estimates[i] === null);
    const counted = unknown.length > 0 ? await termChunkCounts(query, unknown, cap) : [];
    return estimates.map((estimate) => (estimate === null ? counted.shift()! : Math.min(estimate, cap)));
  };
}

/** Whether any chunk (of any version, as the counts see them) holds one of `terms`. */
async function anyChunkHolds(query: Query, terms: readonly string[]): Promise<boolean> {
  const [row] = await query<{ found: boolean }>(`SELECT EXISTS (SELECT 1 FROM chunks WHERE search @@ to_tsquery('english', $1)) AS found`, [
    tsquery(terms, '|'),
  ]);
  return row!.found;
}

/**
 * How many chunks (of any version: the index holds them all, as FTS5's does) hold each term, in
 * order, counting no further than `cap` — a common term's posting list is long.
 */
async function termChunkCounts(query: Query, terms: readonly string[], cap: number): Promise<number[]> {
  const rows = await query<{ n: number }>(
    `SELECT (SELECT count(*) FROM (SELECT 1 FROM chunks WHERE search @@ to_tsquery('english', quote_literal(t)) LIMIT $2) m)::int AS n
     FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i`,
    [[...terms], cap],
  );
  return rows.map((r) => r.n);
}

/**
 * The listed libraries matching the library/version part of `filters`, with binding and count of
 * live chunks lacking a vector, and the vector generation the search's KNNs answer at (see
 * `../vector-cache.ts`). The counts start from the chunks lacking a vector (the partial index
 * `chunks_unembedded`, empty once everything is embedded): counted per library from its documents,
 * they read every chunk row of every library, ~110 ms per library of 3,500 chunks.
 */
export function searchableLibraries(query: Query, filters: SearchFilters): Promise<(SearchableLibrary & { generation: number })[]> {
  const where = filterClause({ library: filters.library, version: filters.version }, 1);
  return query<SearchableLibrary & { generation: number }>(
    `SELECT l.id, l.name, l.version, l.embedder, l.dims, l.vector_generation AS generation, coalesce(p.n, 0)::int AS pending
     FROM libraries l LEFT JOIN (
       SELECT d.library_id, count(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id AND c.version = d.live_version
       WHERE NOT c.embedded GROUP BY d.library_id
     ) p ON p.library_id = l.id
     WHERE l.pending_run IS NULL AND ${where.sql} ORDER BY l.name, l.version`,
    where.params,
  );
}

/** The live chunks passing `filters`, per library of `libraryIds`; undefined when the filters restrict no more than the library. */
export async function allowedChunks(
  query: Query,
  libraryIds: readonly number[],
  filters: SearchFilters,
): Promise<Map<number, number[]> | undefined> {
  const where = filterClause(filters, 2);
  if (!where.beyondLibrary) return undefined;
  const rows = await query<{ library: number; ids: number[] }>(
    `SELECT d.library_id AS library, array_agg(c.id) AS ids
     FROM chunks c JOIN documents d ON d.id = c.document_id AND c.version = d.live_version JOIN libraries l ON l.id = d.library_id
     WHERE d.library_id = ANY($1::bigint[]) AND ${where.sql} GROUP BY d.library_id`,
    [[...libraryIds], ...where.params],
  );
  return new Map(rows.map((r) => [r.library, r.ids]));
}

/** The live chunks among `chunkIds` with their document, library and rating summary. */
export async function chunkDetails(query: Query, chunkIds: readonly number[]): Promise<Map<number, ChunkDetail>> {
  const rows = await query<ChunkDetail>(
    `SELECT c.id AS "chunkId", c.document_id AS "documentId", c.ord, c.heading, c.text, d.title, d.source, d.kind, d.page_kind AS "pageKind",
            l.name AS library, l.version, r.avg::float8 AS "ratingAvg", coalesce(r.n, 0)::int AS "ratingCount"
     FROM chunks c JOIN documents d ON d.id = c.document_id AND c.version = d.live_version JOIN libraries l ON l.id = d.library_id
     LEFT JOIN LATERAL (SELECT avg(rating) AS avg, count(*) AS n FROM ratings WHERE document_id = d.id) r ON true
     WHERE c.id = ANY($1::bigint[])`,
    [[...chunkIds]],
  );
  return new Map(rows.map((r) => [r.chunkId, r]));
}
