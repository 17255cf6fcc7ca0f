/**
 * Crawler-trap detection: a calendar, a search form or a session id in links makes an endless space
 * of URLs that all differ only in numbers, dates or query values.
 *
 * The rule: a URL's *pattern* is its path with every numeric segment (digits, optionally joined by
 * `-`, `.` or `_`: `2026`, `2026-12-01`, `1.2.3`) replaced by `#`, plus its sorted query keys
 * without their values. Once more than `limit` distinct URLs of one pattern have been admitted, the
 * pattern is a trap: its further URLs are not followed, and the crawl reports itself incomplete
 * (pages there may exist that it did not reach). Only URLs found in links count: a sitemap or the
 * library's own earlier pages are lists the site or the user gave, not a space to wander.
 *
 * @module
 */

const NUMERIC_SEGMENT = /^\d+(?:[-._]\d+)*$/;

/** The pattern `href` belongs to (see module comment). */
export function urlPattern(href: string): string {
  const url = new URL(href);
  const path = url.pathname
    .split('/')
    .map((segment) => (NUMERIC_SEGMENT.test(segment) ? '#' : segment))
    .join('/');
  const keys = [...new Set(url.searchParams.keys())].sort();
  return `${url.origin}${path}${keys.length > 0 ? `?${keys.join('&')}` : ''}`;
}

/** Counts admitted URLs per pattern and refuses those past the limit. */
export class TrapDetector {
  private readonly counts = new Map<string, number>();
  /** True once any URL was refused. */
  tripped = false;

  constructor(private readonly limit: number) {}

  /** Admits `href` unless its pattern already holds `limit` URLs. */
  admit(href: string): boolean {
    const pattern = urlPattern(href);
    const count = this.counts.get(pattern) ?? 0;
    if (count >= this.limit) {
      this.tripped = true;
      return false;
    }
    this.counts.set(pattern, count + 1);
    return true;
  }
}
