import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseSitemap } from '../../src/connectors/web-sitemap.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseSitemap', () => {
  it('reads the pages of a urlset and the sitemaps of an index, namespaced or not, entities decoded', () => {
    const urlset = `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <url><loc> https://example.com/a?x=1&amp;y=2 </loc><lastmod>2026-01-01</lastmod></url>
      <url><loc>https://example.com/b</loc></url></urlset>`;
    expect(parseSitemap(encode(urlset), 1e6)).toEqual({ pages: ['https://example.com/a?x=1&y=2', 'https://example.com/b'], sitemaps: [] });
    const index = `<sm:sitemapindex xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:sitemap><sm:loc>https://example.com/s1.xml</sm:loc></sm:sitemap></sm:sitemapindex>`;
    expect(parseSitemap(encode(index), 1e6)).toEqual({ pages: [], sitemaps: ['https://example.com/s1.xml'] });
  });

  it('reads a gzipped sitemap, and refuses one that unzips past the size cap', () => {
    const urlset = `<urlset><url><loc>https://example.com/z</loc></url>${' '.repeat(100_000)}</urlset>`;
    expect(parseSitemap(gzipSync(urlset), 1e6).pages).toEqual(['https://example.com/z']);
    expect(() => parseSitemap(gzipSync(urlset), 50_000)).toThrow(RangeError);
  });
});
