/**
 * Merges the BM25 and vector candidate lists into one score per chunk.
 *
 * Score-aware, not rank-based: each chunk scores `KEYWORD_WEIGHT · bm25 / best bm25 +
 * (1 − KEYWORD_WEIGHT) · cosine similarity`. Reciprocal-rank fusion, used before, gives every
 * list's rank 1 the same weight whatever the list's scores say; when the vector list is
 * noise-like (a weak model, or words it does not know), a chunk that is middling in both lists
 * outranks the exact keyword match, and hybrid fell below BM25 alone (on the retrieval benchmark's
 * generated corpus MRR@10 0.76 against 1.00, on real documentation sets by up to 0.18). With raw
 * scores a list only moves the order as much as its scores differ: a flat, noise-like cosine list
 * adds nearly the same amount to every chunk and leaves BM25's order standing, while a model that
 * clearly prefers one chunk still lifts it. Cosine similarity is used as it is (it already lies on
 * a fixed scale); BM25 has no fixed scale, so it is divided by the query's best score.
 *
 * A chunk found by one list only gets, for the other, the last score that list kept (it ranked
 * below everything the list returned), or nothing when the list was not cut (it did not match).
 *
 * Precise lexical matches get a small lift: a chunk that holds every query word (FTS5 AND, where
 * BM25 ranks an OR of the words) scores PRECISE_BONUS more. The OR list lets BM25 find a chunk
 * that lacks a word; the bonus keeps a chunk that has them all ahead of partial matches of about
 * the same score. A bonus rather than a hard "all words first" rule: where a page's own text lacks
 * a word of the query (a heading the converter dropped) and an index page has them all, a hard
 * rule put the index page first (the Sphinx set lost 0.04 MRR@10 with it; the bonus costs nothing
 * there and gains on Javadoc and DocBook).
 *
 * The weights were chosen on bench/retrieval, across every set (not one): with the offline embedder,
 * the lowest weight for BM25 that keeps hybrid within 0.01 MRR@10 of the better side on every
 * set; a model whose similarities clearly separate one chunk still reorders the list
 * (test/search/fusion-quality.test.ts). See bench/README.md.
 *
 * @module
 */

/** Share of the fused score given to BM25; the rest is cosine similarity. */
export const KEYWORD_WEIGHT = 0.8;
/** Added to the fused score of a chunk that holds every query word. */
export const PRECISE_BONUS = 0.05;

/** A BM25 hit: FTS5's bm25(), negative, lower is better. */
export interface KeywordHit {
  chunkId: number;
  score: number;
}

/** A vector hit: cosine distance, lower is better. */
export interface SemanticHit {
  chunkId: number;
  distance: number;
}

/** One chunk's place in each list and its fused score. */
export interface Fused {
  /** Whether the chunk holds every query word. */
  precise: boolean;
  score: number;
  bm25Rank: number | null;
  vectorRank: number | null;
  distance: number | null;
}

/**
 * Fuses `keyword` and `semantic` (each best first, each cut at `depth`); `precise` holds the
 * keyword hits that match every query term. When one list is empty the other decides alone.
 */
export function fuse(
  keyword: readonly KeywordHit[],
  semantic: readonly SemanticHit[],
  depth: number,
  precise: ReadonlySet<number>,
): Map<number, Fused> {
  const best = keyword[0]?.score ?? 0;
  const keywordScore = (score: number) => (best < 0 ? score / best : 0);
  const keywordFloor = keyword.length >= depth ? keywordScore(keyword.at(-1)!.score) : 0;
  const semanticFloor = semantic.length >= depth ? 1 - semantic.at(-1)!.distance : 0;
  const weight = semantic.length === 0 ? 1 : keyword.length === 0 ? 0 : KEYWORD_WEIGHT;

  const parts = new Map<number, { k: number; s: number; f: Omit<Fused, 'score' | 'precise'> }>();
  keyword.forEach((h, i) =>
    parts.set(h.chunkId, { k: keywordScore(h.score), s: semanticFloor, f: { bm25Rank: i + 1, vectorRank: null, distance: null } }),
  );
  semantic.forEach((h, i) => {
    const part = parts.get(h.chunkId) ?? { k: keywordFloor, s: 0, f: { bm25Rank: null, vectorRank: null, distance: null } };
    part.s = 1 - h.distance;
    part.f.vectorRank = i + 1;
    part.f.distance = h.distance;
    parts.set(h.chunkId, part);
  });
  const fused = new Map<number, Fused>();
  for (const [chunkId, { k, s, f }] of parts)
    fused.set(chunkId, {
      precise: precise.has(chunkId),
      score: weight * k + (1 - weight) * s + (precise.has(chunkId) ? PRECISE_BONUS : 0),
      ...f,
    });
  return fused;
}
