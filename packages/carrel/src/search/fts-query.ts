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

/** Quotes a term for FTS5 (quotes inside are doubled). */
export const quoteTerm = (term: string): string => `"${term.replace(/"/g, '""')}"`;

/** The FTS5 MATCH expression for `query`, or undefined when it has no words. */
export function ftsMatch(query: string): string | undefined {
  const terms = queryTerms(query);
  return terms.length > 0 ? terms.map(quoteTerm).join(' OR ') : undefined;
}

/**
 * Like {@link ftsMatch}, but leaves out the most common terms once the rarer ones already match
 * `budget` chunks (see {@link selectiveTerms}).
 */
export function selectiveFtsMatch(query: string, chunkCount: (quoted: string, cap: number) => number, budget: number): string | undefined {
  return selectiveTerms(query, (term, cap) => chunkCount(quoteTerm(term), cap), budget)
    ?.map(quoteTerm)
    .join(' OR ');
}

/**
 * The words of `query` worth ranking, rarest first: the most common ones are left out once the
 * rarer ones already match `budget` chunks. A keyword ranking scores every chunk that matches, so
 * a term found in most chunks would cost a full scan while adding almost nothing to the ranking
 * (its IDF is near zero); the vector side still sees those chunks. The rarest term is always kept;
 * undefined when no term matches any chunk.
 *
 * `chunkCount(term, cap)` may stop counting at `cap`: counting a common term's chunks is itself
 * a walk of its whole posting list, so terms are first counted only up to `budget + 1` (any term
 * past that is dropped unless it is the rarest); only when every term is past it are they counted
 * in full, to find the rarest.
 */
export function selectiveTerms(query: string, chunkCount: (term: string, cap: number) => number, budget: number): string[] | undefined {
  const cap = budget + 1;
  let counted = queryTerms(query)
    .map((term) => ({ term, n: chunkCount(term, cap) }))
    .filter((t) => t.n > 0)
    .sort((a, b) => a.n - b.n);
  if (counted.length > 0 && counted[0]!.n >= cap) {
    counted = counted.map((t) => ({ term: t.term, n: chunkCount(t.term, Infinity) })).sort((a, b) => a.n - b.n);
  }
  const kept: string[] = [];
  let rows = 0;
  for (const t of counted) {
    if (kept.length > 0 && rows + t.n > budget) break;
    kept.push(t.term);
    rows += t.n;
  }
  return kept.length > 0 ? kept : undefined;
}

/**
 * The FTS5 expression matching chunks that hold every word of `query` (undefined when it has
 * none). Every word, including any {@link selectiveFtsMatch} left out: a word no chunk holds means
 * no chunk matches the whole query.
 */
export function allTermsMatch(query: string): string | undefined {
  const terms = queryTerms(query);
  return terms.length > 0 ? terms.map(quoteTerm).join(' AND ') : undefined;
}
