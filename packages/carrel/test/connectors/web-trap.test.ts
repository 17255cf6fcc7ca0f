import { describe, expect, it } from 'vitest';
import { TrapDetector, urlPattern } from '../../src/connectors/web-trap.js';

describe('urlPattern', () => {
  it('folds numeric, date and version segments and query values, keeping words and query keys', () => {
    expect(urlPattern('https://example.com/calendar/2026/12')).toBe('https://example.com/calendar/#/#');
    expect(urlPattern('https://example.com/day/2026-12-01/')).toBe('https://example.com/day/#/');
    expect(urlPattern('https://example.com/v/1.2.3/intro')).toBe('https://example.com/v/#/intro');
    expect(urlPattern('https://example.com/search?q=a&page=2')).toBe('https://example.com/search?page&q');
    expect(urlPattern('https://example.com/search?page=9&q=b')).toBe('https://example.com/search?page&q');
    expect(urlPattern('https://example.com/guide/install')).not.toBe(urlPattern('https://example.com/guide/usage'));
  });
});

describe('TrapDetector', () => {
  it('admits up to the limit per pattern, then refuses that pattern only', () => {
    const traps = new TrapDetector(3);
    for (let month = 1; month <= 3; month++) expect(traps.admit(`https://example.com/cal/2026/${month}`)).toBe(true);
    expect(traps.tripped).toBe(false);
    expect(traps.admit('https://example.com/cal/2026/4')).toBe(false);
    expect(traps.tripped).toBe(true);
    expect(traps.admit('https://example.com/guide')).toBe(true);
  });
});
