import { describe, expect, it } from 'vitest';
import { snippet } from '../../src/search/snippet.js';
import { fastestOf } from '../support/timing.js';

/** The excerpt as defined before: collapse all white space, then cut around the first term. */
function reference(text: string, terms: readonly string[], width = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return flat;
  const lower = flat.toLowerCase();
  let at = -1;
  for (const t of terms) {
    const i = lower.indexOf(t);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  const start = Math.max(0, at < 0 ? 0 : at - Math.floor(width / 3));
  const end = Math.min(flat.length, start + width);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end).trim()}${end < flat.length ? '…' : ''}`;
}

describe('snippet', () => {
  it('gives the excerpt the whole-text definition gives, on texts with white space runs everywhere', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const pieces = ['word', 'Needle', 'needle', ' ', '  ', '\n\n', '\t', '\u00a0 ', 'x', '.'];
    for (let k = 0; k < 400; k++) {
      const text = Array.from({ length: Math.floor(random() * 200) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      for (const width of [5, 24, 240])
        expect([text, width, snippet(text, ['needle'], width)]).toEqual([text, width, reference(text, ['needle'], width)]);
    }
    expect(snippet('  short  text ', ['x'])).toBe('short text');
  });

  it('cuts an excerpt from a 4 MB chunk in far less time than collapsing all of it', () => {
    const text = `${'Plain words make a sentence here, and another one follows it. '.repeat(65_000)} needle`;
    const [excerpt, collapseAll] = fastestOf([() => snippet(text, ['needle']), () => text.replace(/\s+/g, ' ')]);
    expect(snippet(text, ['needle'])).toMatch(/^….*needle$/);
    expect(excerpt).toBeLessThan(collapseAll! / 4);
  });
});
