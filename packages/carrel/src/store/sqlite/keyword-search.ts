/**
 * The SQLite keyword retriever: BM25 over FTS5 with the query's common words left out past a row
 * budget (`selectiveTerms`), and which hits hold every word. Run on the repository's connection
 * or, for a large store, on the keyword reader thread's own (`keyword-reader.ts`).
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { allTermsMatch, quoteTerm, selectiveTerms } from '../../search/fts-query.js';
import type { KeywordResult, SearchFilters } from '../repository.js';
import { bm25Search, filterClause, matchingChunks, termChunkCount } from './search-queries.js';

/** Most chunks BM25 scores per query before common terms are dropped (see selectiveTerms). */
const BM25_ROW_BUDGET = 5000;

/** The best `limit` chunks for `query` passing `filters` (see the repository contract). */
export async function keywordSearch(db: Database, query: string, filters: SearchFilters, limit: number): Promise<KeywordResult> {
  const kept = await selectiveTerms(
    query,
    async (terms, cap) => terms.map((term) => termChunkCount(db, quoteTerm(term), cap)),
    BM25_ROW_BUDGET,
  );
  const match = kept?.map(quoteTerm).join(' OR ');
  const hits = match ? bm25Search(db, match, filterClause(filters), limit) : [];
  const all = allTermsMatch(query);
  const allWords = all
    ? matchingChunks(
        db,
        all,
        hits.map((h) => h.chunkId),
      )
    : new Set<number>();
  return { hits, allWords, searched: match !== undefined };
}
