import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '@carrel/tasks';

describe('exponentialBackoff', () => {
  it('doubles per attempt, jitters within the upper half, and stops at the cap', () => {
    const low = exponentialBackoff({ baseMs: 1_000, maxMs: 10_000, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 1_000, maxMs: 10_000, random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map(low)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect([1, 2, 3, 4, 5, 6].map(high)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });
});
