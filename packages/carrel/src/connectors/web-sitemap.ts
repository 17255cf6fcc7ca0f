/**
 * Sitemaps (sitemaps.org): a `<urlset>` lists pages, a `<sitemapindex>` lists more sitemaps; either
 * may be gzipped. Read with htmlparser2 in XML mode, which never fetches entities or DTDs.
 *
 * @module
 */
import { gunzipSync } from 'node:zlib';
import { Parser } from 'htmlparser2';
import type { PoliteClient } from './web-client.js';

/** What one sitemap file lists. */
export interface SitemapEntries {
  /** Page URLs (`<urlset>`). */
  pages: string[];
  /** Further sitemaps (`<sitemapindex>`). */
  sitemaps: string[];
}

/** Reads one sitemap file; `maxBytes` caps the unzipped size as the fetch caps the zipped one. */
export function parseSitemap(bytes: Uint8Array, maxBytes: number): SitemapEntries {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  const xml = gzipped ? gunzipSync(bytes, { maxOutputLength: maxBytes }) : bytes;
  const entries: SitemapEntries = { pages: [], sitemaps: [] };
  const open: string[] = [];
  let text = '';
  const parser = new Parser(
    {
      onopentag: (name) => {
        open.push(localName(name));
        text = '';
      },
      ontext: (data) => {
        text += data;
      },
      onclosetag: () => {
        const [parent, element] = [open.at(-2), open.pop()];
        if (element !== 'loc') return;
        if (parent === 'url') entries.pages.push(text.trim());
        else if (parent === 'sitemap') entries.sitemaps.push(text.trim());
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength).toString('utf8'));
  return entries;
}

/** `<sm:loc>` and `<loc>` alike. */
function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1).toLowerCase();
}

/**
 * The page URLs of the sitemaps at `roots` and the indexes below them, reading at most `maxFiles`
 * files. A sitemap that is missing or unreadable is skipped: sitemaps are hints, the links are the site.
 */
export async function readSitemaps(roots: readonly string[], client: PoliteClient, maxBytes: number, maxFiles: number): Promise<string[]> {
  const queue = [...new Set(roots)];
  const seen = new Set(queue);
  const pages: string[] = [];
  for (let read = 0; read < queue.length && read < maxFiles; read++) {
    const url = queue[read]!;
    let entries: SitemapEntries;
    try {
      const response = await client.request(url, { headers: { accept: 'application/xml, text/xml, */*;q=0.1' } });
      if (response.status < 200 || response.status >= 300) continue;
      entries = parseSitemap(response.bytes, maxBytes);
    } catch (err) {
      if (client.cancelled) throw err;
      continue;
    }
    pages.push(...entries.pages);
    for (const sitemap of entries.sitemaps) {
      if (seen.has(sitemap)) continue;
      seen.add(sitemap);
      queue.push(sitemap);
    }
  }
  return pages;
}
