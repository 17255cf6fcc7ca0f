import { describe, expect, it } from 'vitest';
import { fuse, KEYWORD_WEIGHT, PRECISE_BONUS, type KeywordHit, type SemanticHit } from '../../src/search/fusion.js';

const order = (keyword: KeywordHit[], semantic: SemanticHit[], precise: number[] = [], depth = 50) =>
  [...fuse(keyword, semantic, depth, new Set(precise)).entries()]
    .sort(([a, fa], [b, fb]) => fb.score - fa.score || a - b)
    .map(([id]) => id);

describe('fuse', () => {
  it('keeps the keyword order when the vector list is flat (noise-like)', () => {
    const keyword = [
      { chunkId: 1, score: -10 },
      { chunkId: 2, score: -8 },
      { chunkId: 3, score: -6 },
    ];
    // Reversed but nearly equal similarities: rank fusion would put 3 (rank 1 in one list, 3 in the other) on a par with 1.
    const semantic = [
      { chunkId: 3, distance: 0.6 },
      { chunkId: 2, distance: 0.61 },
      { chunkId: 1, distance: 0.62 },
    ];
    expect(order(keyword, semantic)).toEqual([1, 2, 3]);
  });

  it('lets a confident vector list lift its hit over a slightly better keyword score', () => {
    const keyword = [
      { chunkId: 1, score: -10 },
      { chunkId: 2, score: -9.5 },
    ];
    const semantic = [
      { chunkId: 2, distance: 0.1 },
      { chunkId: 1, distance: 0.9 },
    ];
    expect(order(keyword, semantic)).toEqual([2, 1]);
  });

  it('lifts a chunk holding every query word over a partial match of about the same score', () => {
    const keyword = [
      { chunkId: 1, score: -10 },
      { chunkId: 2, score: -9.6 },
    ];
    const semantic = [
      { chunkId: 1, distance: 0.5 },
      { chunkId: 2, distance: 0.5 },
    ];
    expect(order(keyword, semantic)).toEqual([1, 2]);
    expect(order(keyword, semantic, [2])).toEqual([2, 1]);
    expect(fuse(keyword, semantic, 50, new Set([2])).get(2)).toMatchObject({ precise: true });
  });

  it('lets one list decide alone when the other is empty', () => {
    expect(
      order(
        [
          { chunkId: 5, score: -3 },
          { chunkId: 4, score: -2 },
        ],
        [],
      ),
    ).toEqual([5, 4]);
    expect(
      order(
        [],
        [
          { chunkId: 7, distance: 0.2 },
          { chunkId: 6, distance: 0.3 },
        ],
      ),
    ).toEqual([7, 6]);
  });

  it('scores a chunk missing from a list that was cut as that list’s last kept score, and as nothing when it was not cut', () => {
    const keyword = [
      { chunkId: 1, score: -10 },
      { chunkId: 2, score: -5 },
    ];
    const semantic = [
      { chunkId: 3, distance: 0.2 },
      { chunkId: 1, distance: 0.5 },
    ];
    const cut = fuse(keyword, semantic, 2, new Set());
    const uncut = fuse(keyword, semantic, 3, new Set());
    const w = KEYWORD_WEIGHT;
    // Depth 2: both lists are full, so chunk 3 gets BM25 0.5 (chunk 2's) and chunk 2 gets cosine 0.5 (chunk 1's).
    expect(cut.get(3)!.score).toBeCloseTo(w * 0.5 + (1 - w) * 0.8);
    expect(cut.get(2)!.score).toBeCloseTo(w * 0.5 + (1 - w) * 0.5);
    expect(uncut.get(3)!.score).toBeCloseTo((1 - w) * 0.8);
    expect(uncut.get(2)!.score).toBeCloseTo(w * 0.5);
    expect(fuse(keyword, semantic, 3, new Set([2])).get(2)!.score).toBeCloseTo(w * 0.5 + PRECISE_BONUS);
  });
});
