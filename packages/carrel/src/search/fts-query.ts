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
 * How many chunks hold each of `terms`, in order, each counted no further than `cap`: counting a
 * common term's chunks is itself a walk of its posting list, so a store stops at the cap.
 */
export type TermCounter = (terms: readonly string[], cap: number) => Promise<number[]>;

/** How much higher the cap goes each time every term reached it (see {@link selectiveTerms}). */
const CAP_GROWTH = 4;

/**
 * The words of `query` worth ranking, rarest first: the most common ones are left out once the
 * rarer ones already match `budget` chunks. A keyword ranking scores every chunk that matches, so
 * a term found in most chunks would cost a full scan while adding almost nothing to the ranking
 * (its IDF is near zero); the vector side still sees those chunks. The rarest term is always kept;
 * undefined when no term matches any chunk.
 *
 * Terms are first counted only up to `budget + 1`: any term past that is dropped unless it is the
 * rarest. When every term is past it, only which one is rarest still matters, so they are counted
 * again with a cap {@link CAP_GROWTH} times higher until one falls below it: the common terms'
 * posting lists are walked a few times as far as the rarest one's, not to their end.
 */
export async function selectiveTerms(query: string, countTerms: TermCounter, budget: number): Promise<string[] | undefined> {
  const terms = queryTerms(query);
  let cap = budget + 1;
  let counts = await countTerms(terms, cap);
  while (counts.length > 0 && counts.every((n) => n >= cap)) {
    cap *= CAP_GROWTH;
    counts = await countTerms(terms, cap);
  }
  const counted = terms
    .map((term, i) => ({ term, n: counts[i]! }))
    .filter((t) => t.n > 0)
    .sort((a, b) => a.n - b.n);
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
 * none). Every word, including any {@link selectiveTerms} left out: a word no chunk holds means
 * no chunk matches the whole query.
 */
export function allTermsMatch(query: string): string | undefined {
  const terms = queryTerms(query);
  return terms.length > 0 ? terms.map(quoteTerm).join(' AND ') : undefined;
}
