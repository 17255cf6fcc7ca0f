/**
 * robots.txt, read by robots-parser (Allow and Disallow with `*` and `$` wildcards, the longest
 * match winning, Crawl-delay and Sitemap lines) for the user agent `carrel`.
 *
 * What an answer means follows RFC 9309 §2.3.1: a 4xx (no robots.txt) allows everything; a 5xx or
 * a network failure means the site's rules are unknown, so the crawl stops with an error rather
 * than guess — a crawl that assumed "disallow all" would report every page of the library deleted.
 *
 * @module
 */
import robotsParserModule from 'robots-parser';
import { FetchFailedError, SourceUnavailableError } from '../errors.js';
import { retryAfterMs } from '../sources/retry-after.js';
import type { PoliteClient } from './web-client.js';

// robots-parser is CommonJS (`module.exports = function`) but its types declare an ES default
// export, so under NodeNext TypeScript sees the function one level down from where Node puts it.
const robotsParser = robotsParserModule as unknown as typeof robotsParserModule.default;

/** The product token robots.txt groups are matched against. */
export const USER_AGENT = 'carrel';

/** A site's rules for this crawler. */
export interface RobotsRules {
  allowed(href: string): boolean;
  /** Crawl-delay in milliseconds, if the site asks for one. */
  crawlDelayMs: number | undefined;
  /** Sitemap URLs the site lists. */
  sitemaps: string[];
}

/** Fetches and reads the robots.txt of `origin`. */
export async function loadRobots(origin: string, client: PoliteClient): Promise<RobotsRules> {
  const robotsUrl = `${origin}/robots.txt`;
  const response = await client.request(robotsUrl, { headers: { accept: 'text/plain' } });
  // A 5xx or 429 passes: the sync is tried again (after the Retry-After asked); a redirect that was not followed does not.
  if (response.status >= 500 || response.status === 429)
    throw new SourceUnavailableError(
      robotsUrl,
      `HTTP ${response.status}: the site's crawl rules cannot be read, so it is not crawled`,
      retryAfterMs(response.retryAfter),
    );
  if (response.status >= 300 && response.status < 400)
    throw new FetchFailedError(robotsUrl, `HTTP ${response.status}: the site's crawl rules cannot be read, so it is not crawled`);
  const text = response.status >= 200 && response.status < 300 ? new TextDecoder().decode(response.bytes) : '';
  const robots = robotsParser(robotsUrl, text);
  const crawlDelay = robots.getCrawlDelay(USER_AGENT);
  return {
    allowed: (href) => robots.isAllowed(href, USER_AGENT) ?? true,
    crawlDelayMs: crawlDelay === undefined ? undefined : crawlDelay * 1000,
    sitemaps: robots.getSitemaps(),
  };
}
