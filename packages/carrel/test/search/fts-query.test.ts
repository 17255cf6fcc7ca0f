import { describe, expect, it } from 'vitest';
import { allTermsMatch, ftsMatch, queryTerms, selectiveTerms } from '../../src/search/fts-query.js';

describe('FTS query building', () => {
  it('quotes every word so user punctuation cannot become FTS5 syntax', () => {
    expect(queryTerms('Foo* AND "bar" NEAR(baz) foo')).toEqual(['foo', 'and', 'bar', 'near', 'baz']);
    expect(ftsMatch('a-b (c)')).toBe('"a" OR "b" OR "c"');
    expect(ftsMatch('  ... ')).toBeUndefined();
  });

  it('requires every word, quoted, for the precise matches', () => {
    expect(allTermsMatch('Foo-bar "baz"')).toBe('"foo" AND "bar" AND "baz"');
    expect(allTermsMatch('  ... ')).toBeUndefined();
  });

  /** A store holding `counts` chunks per term, counting no further than the cap; records each cap asked. */
  const store = (counts: Record<string, number>) => {
    const caps: number[] = [];
    const countTerms = async (terms: readonly string[], cap: number) => {
      caps.push(cap);
      return terms.map((t) => Math.min(counts[t] ?? 0, cap));
    };
    return { caps, countTerms };
  };

  it('drops the most common terms once the rarer ones fill the row budget, always keeping the rarest', async () => {
    const { countTerms } = store({ rare: 10, medium: 900, common: 50_000 });
    expect(await selectiveTerms('common medium rare missing', countTerms, 5000)).toEqual(['rare', 'medium']);
    expect(await selectiveTerms('common', countTerms, 5000)).toEqual(['common']);
    expect(await selectiveTerms('common medium rare', countTerms, 100_000)).toEqual(['rare', 'medium', 'common']);
    expect(await selectiveTerms('missing', countTerms, 5000)).toBeUndefined();
    expect(await selectiveTerms('  ... ', countTerms, 5000)).toBeUndefined();
  });

  it('counts terms up to the budget, and past it, when every term is, only as far as it takes to find the rarest', async () => {
    const { caps, countTerms } = store({ rare: 10, common: 50_000, commoner: 80_000, everywhere: 1_000_000 });
    expect(await selectiveTerms('commoner rare common', countTerms, 5000)).toEqual(['rare']);
    expect(caps).toEqual([5001]);
    caps.length = 0;
    expect(await selectiveTerms('everywhere commoner common', countTerms, 5000)).toEqual(['common']);
    // 50,000 chunks hold the rarest: the cap grows ×4 until it passes that, never to the million.
    expect(caps).toEqual([5001, 20_004, 80_016]);
  });
});
