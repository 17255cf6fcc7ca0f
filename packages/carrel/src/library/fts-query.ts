/**
 * Turns free text into a safe FTS5 query: each word quoted (so operators and punctuation in user
 * input cannot break the syntax), joined with OR so BM25 ranks chunks by how many terms they share.
 *
 * @module
 */

/** The words of a query, lowercased and de-duplicated (at most 32). */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  return [...new Set(words)].slice(0, 32);
}

/** The FTS5 MATCH expression for `query`, or undefined when it has no words. */
export function ftsMatch(query: string): string | undefined {
  const terms = queryTerms(query);
  return terms.length > 0 ? terms.map((t) => `"${t}"`).join(' OR ') : undefined;
}
