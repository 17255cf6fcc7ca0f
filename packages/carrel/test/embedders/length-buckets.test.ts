import { describe, expect, it } from 'vitest';
import { lengthBuckets } from '../../src/embedders/length-buckets.js';

describe('lengthBuckets', () => {
  const texts = ['x'.repeat(50), 'x'.repeat(5), 'x'.repeat(400), 'x'.repeat(10), 'x'.repeat(45), 'x'.repeat(6)];

  it('batches texts of similar length, shortest first, every index once', () => {
    expect(lengthBuckets(texts, 2, Infinity)).toEqual([
      [1, 5],
      [3, 4],
      [0, 2],
    ]);
  });

  it('closes a batch before its padded size passes the budget; a text over it alone is its own batch', () => {
    // Padded sizes: [5, 6, 10] → 3 × 10 = 30 ≤ 100; adding 45 would make 4 × 45 = 180.
    expect(lengthBuckets(texts, 32, 100)).toEqual([[1, 5, 3], [4, 0], [2]]);
  });
});
