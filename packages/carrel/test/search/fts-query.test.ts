import { describe, expect, it } from 'vitest';
import { allTermsMatch, ftsMatch, queryTerms, selectiveFtsMatch } from '../../src/search/fts-query.js';

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

  it('drops the most common terms once the rarer ones fill the row budget, always keeping the rarest', () => {
    const counts: Record<string, number> = { '"rare"': 10, '"medium"': 900, '"common"': 50_000 };
    const count = (q: string) => counts[q] ?? 0;
    expect(selectiveFtsMatch('common medium rare missing', count, 5000)).toBe('"rare" OR "medium"');
    expect(selectiveFtsMatch('common', count, 5000)).toBe('"common"');
    expect(selectiveFtsMatch('common medium rare', count, 100_000)).toBe('"rare" OR "medium" OR "common"');
    expect(selectiveFtsMatch('missing', count, 5000)).toBeUndefined();
  });

  it('counts terms only up to the budget, and in full only when every term is past it', () => {
    const counts: Record<string, number> = { '"rare"': 10, '"common"': 50_000, '"commoner"': 80_000 };
    const caps: string[] = [];
    const count = (q: string, cap: number) => {
      caps.push(`${q}:${cap}`);
      return Math.min(counts[q] ?? 0, cap);
    };
    expect(selectiveFtsMatch('commoner rare common', count, 5000)).toBe('"rare"');
    expect(caps).toEqual(['"commoner":5001', '"rare":5001', '"common":5001']);
    caps.length = 0;
    expect(selectiveFtsMatch('commoner common', count, 5000)).toBe('"common"');
    expect(caps).toEqual(['"commoner":5001', '"common":5001', '"commoner":Infinity', '"common":Infinity']);
  });
});
