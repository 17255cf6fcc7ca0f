/**
 * `/llms.txt` (llmstxt.org): a markdown file in which a site lists the pages it offers to language
 * models, as `[title](url)` links. The crawler reads it for discovery only.
 *
 * @module
 */
import type { PoliteClient } from './web-client.js';

// Each part stops at a character the next one needs, so a hostile file is matched in linear time.
const MARKDOWN_LINK = /\[[^[\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s[^)\n]*)?\)/g;

/** The link targets in an llms.txt, resolved against its URL; unreadable targets are left out. */
export function llmsTxtLinks(text: string, base: string): string[] {
  const links: string[] = [];
  for (const match of text.matchAll(MARKDOWN_LINK)) {
    try {
      links.push(new URL(match[1]!, base).href);
    } catch {
      // not a URL: skipped, like any broken link
    }
  }
  return links;
}

/** The pages `${origin}/llms.txt` lists; none when the site has no llms.txt or it cannot be read. */
export async function readLlmsTxt(origin: string, client: PoliteClient): Promise<string[]> {
  const url = `${origin}/llms.txt`;
  try {
    const response = await client.request(url, { headers: { accept: 'text/markdown, text/plain;q=0.9' } });
    return response.status >= 200 && response.status < 300 ? llmsTxtLinks(new TextDecoder().decode(response.bytes), url) : [];
  } catch (err) {
    if (client.cancelled) throw err;
    return [];
  }
}
