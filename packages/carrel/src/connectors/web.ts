/**
 * The web-site connector: crawls one site and reports its pages as changes.
 *
 * - **Discovery**: the start URL, the pages the sitemaps list (`/sitemap.xml` and robots.txt's
 *   `Sitemap:` lines, indexes followed, gzip read), the pages `/llms.txt` lists, and the pages the
 *   library already holds are the roots; links in HTML pages are followed breadth first up to
 *   `maxDepth` hops from a root. A page unchanged since the last sync answers 304 without its
 *   links, so the library's pages are roots for the pages below them to be reached.
 * - **Rules**: robots.txt for the user agent `carrel` (see web-robots.ts), the scope and globs
 *   (web-scope.ts), one request at a time at least `delayMs` (or Crawl-delay, when larger) apart,
 *   every request through the guarded fetch (web-client.ts).
 * - **Identity**: a page is known by its normalised URL; a redirect or a `<link rel=canonical>`
 *   within scope makes the URL an alias (not a document) and queues its target; a page whose bytes
 *   equal an earlier page's is a duplicate (not a document).
 * - **Re-sync**: each page is requested with the validators of its version marker (web-version.ts):
 *   304 → unchanged; 404, 410 and other 4xx, a redirect (the URL is an alias now), a refused body
 *   → delete; a timeout, a network error, 408, 429 or 5xx keep the stored page (unchanged) — a site
 *   that is down for a moment must not empty the library.
 * - **Completeness**: a crawl cut by `maxPages` or by a trap (web-trap.ts) is incomplete.
 *
 * @module
 */
import { DEFAULT_FETCH_LIMITS, type FetchedResponse, type FetchLimits } from '../sources/url-source.js';
import { FetchFailedError, KnowledgeBaseError } from '../errors.js';
import { mediaTypeOfContentType } from '../sources/media-type.js';
import type { Change, Connector, ConnectorKind, SyncContext } from './connector.js';
import { PoliteClient, sleep, type Sleep } from './web-client.js';
import { Frontier, type FrontierEntry } from './web-frontier.js';
import { pageLinks } from './web-links.js';
import { readLlmsTxt } from './web-llms-txt.js';
import { parseWebOptions, type WebConnectorOptions } from './web-options.js';
import { loadRobots } from './web-robots.js';
import { normaliseUrl, Scope } from './web-scope.js';
import { readSitemaps } from './web-sitemap.js';
import { conditionalHeaders, contentHash, decodeVersion, encodeVersion } from './web-version.js';

export { webOptionsSchema, type WebConnectorInput, type WebConnectorOptions } from './web-options.js';

/** Sitemap files read per sync, indexes included: enough for any real site, not for a generated maze. */
const MAX_SITEMAP_FILES = 100;

/** Answers that say "try again later" rather than "gone". */
const TRANSIENT_STATUSES = new Set([408, 429]);

/** What the host lends the connector. */
export interface WebConnectorDeps {
  /**
   * The server's fetch limits (timeout, size cap, redirect cap). Private addresses are reached only
   * when both these limits and the connector's `allowPrivateAddresses` option allow them: a
   * connector's configuration, which an MCP client may write, cannot lift the server's guard.
   */
  fetchLimits?: Partial<FetchLimits>;
  /** Waits out the politeness delay (tests record it instead). */
  sleep?: Sleep;
}

/** The `web` kind: a site crawled from its start URL (see the module comment). */
export const webKind: ConnectorKind<WebConnectorOptions> = {
  kind: 'web',
  checkOptions: async (options) => parseWebOptions(options),
  open: (options, env) => webConnector(options, { fetchLimits: env.fetchLimits }),
};

/** A web connector for `options` (see {@link webOptionsSchema}); throws InvalidInputError naming a bad option. */
export function webConnector(options: unknown, deps: WebConnectorDeps = {}): Connector {
  const parsed = parseWebOptions(options);
  const scope = new Scope({ start: parsed.url, pathPrefix: parsed.pathPrefix, include: parsed.include, exclude: parsed.exclude });
  return { kind: 'web', changes: (context) => crawl(parsed, scope, deps, context) };
}

async function* crawl(options: WebConnectorOptions, scope: Scope, deps: WebConnectorDeps, context: SyncContext): AsyncGenerator<Change> {
  const server: FetchLimits = { ...DEFAULT_FETCH_LIMITS, ...deps.fetchLimits };
  const limits: FetchLimits = { ...server, allowPrivateAddresses: server.allowPrivateAddresses && options.allowPrivateAddresses };
  const client = new PoliteClient(limits, context.signal, deps.sleep ?? sleep);
  client.delayMs = options.delayMs;
  const start = normaliseUrl(options.url)!;
  const origin = new URL(start).origin;
  const robots = await loadRobots(origin, client);
  client.delayMs = Math.max(options.delayMs, robots.crawlDelayMs ?? 0);
  const wanted = (url: string): boolean => scope.contains(url) && robots.allowed(url);

  // Roots. The start URL is requested even when the globs leave it out (it is where the links
  // are), and reported only when they take it in.
  const frontier = new Frontier(options.maxUrlsPerPattern);
  if (robots.allowed(start)) frontier.add({ url: start, depth: 0, listed: true });
  const listed = [
    ...(await readSitemaps([...robots.sitemaps, `${origin}/sitemap.xml`], client, limits.maxBytes, MAX_SITEMAP_FILES)),
    ...(await readLlmsTxt(origin, client)),
  ];
  for (const url of listed) {
    const normal = normaliseUrl(url);
    if (normal !== undefined && wanted(normal)) frontier.add({ url: normal, depth: 0, listed: true });
  }
  for (const source of context.knownSources()) {
    if (frontier.has(source)) continue;
    if (wanted(source)) frontier.add({ url: source, depth: 0, listed: true });
    else yield { type: 'delete', source };
  }

  const contentSeen = new Set<string>();
  /** URLs requested, and those of them that are documents (reported as upserts or unchanged). */
  const visited = new Set<string>();
  const documents = new Set<string>();
  let requested = 0;
  let cut = false;
  for (let entry = frontier.take(); entry !== undefined; entry = frontier.take()) {
    if (requested === options.maxPages) {
      cut = true;
      break;
    }
    requested++;
    context.progress(requested, undefined, entry.url);
    yield* visit(entry);
  }
  yield { type: 'done', cursor: null, complete: !cut && !frontier.trapped };

  /** Requests one page and reports what it is now; queues the URLs it leads to. */
  async function* visit({ url, depth, listed }: FrontierEntry): AsyncGenerator<Change> {
    visited.add(url);
    const marker = context.known(url);
    const known = decodeVersion(marker);
    const held = marker !== undefined;
    const gone: Change[] = held ? [{ type: 'delete', source: url }] : [];
    const kept: Change[] = held ? [{ type: 'unchanged', source: url }] : [];
    // Only the start URL can be outside the scope here; it is requested for its links, so in full.
    const selected = scope.contains(url);
    let response: FetchedResponse;
    try {
      // Redirects are not followed in place: the target is queued like a link, so it is checked
      // against the scope, robots.txt and the address guard, and a redirect loop ends at the queue's
      // seen set.
      response = await client.request(url, { headers: selected ? conditionalHeaders(known) : {}, followRedirect: () => false });
    } catch (err) {
      if (client.cancelled || !(err instanceof KnowledgeBaseError)) throw err;
      // A failed request says nothing about the page; a refused one (too large, a blocked address) is no document.
      return yield* err instanceof FetchFailedError ? kept : gone;
    }
    const { status } = response;
    if (response.location !== undefined) {
      const target = normaliseUrl(response.location.href);
      if (target !== undefined && wanted(target)) frontier.add({ url: target, depth, listed });
      // A site that moved (http to https, a new host) would otherwise look empty, and a complete
      // crawl of nothing deletes the library.
      else if (url === start)
        throw new FetchFailedError(url, `it redirects to ${response.location.href}, outside the crawl's scope; start at that URL instead`);
      return yield* gone;
    }
    if (status === 304) {
      if (known !== undefined) contentSeen.add(known.sha256);
      documents.add(url);
      return yield* kept;
    }
    if (status >= 500 || TRANSIENT_STATUSES.has(status)) return yield* kept;
    const mediaType = mediaTypeOfContentType(response.contentType, url);
    if (status < 200 || status >= 300 || mediaType === undefined) return yield* gone;

    const page = mediaType === 'html' ? pageLinks(new TextDecoder().decode(response.bytes), url) : undefined;
    if (page !== undefined && depth < options.maxDepth)
      for (const link of page.links) {
        const normal = normaliseUrl(link);
        // Most links lead to pages already queued: the queue's set answers before robots.txt's rules.
        if (normal !== undefined && !frontier.has(normal) && wanted(normal)) frontier.add({ url: normal, depth: depth + 1, listed: false });
      }
    // A page naming another as canonical is an alias of it, unless that page was requested and
    // turned out no document (a 404, or a canonical naming this page back): then this one stands.
    const canonical = page?.canonical === undefined ? undefined : normaliseUrl(page.canonical);
    if (canonical !== undefined && canonical !== url && wanted(canonical) && (!visited.has(canonical) || documents.has(canonical))) {
      frontier.add({ url: canonical, depth, listed: true });
      return yield* gone;
    }
    if (page?.noindex === true || !selected) return yield* gone;
    const sha256 = contentHash(response.bytes);
    if (contentSeen.has(sha256)) return yield* gone;
    contentSeen.add(sha256);
    documents.add(url);
    // Equal bytes are unchanged even when the validators moved (a server that makes a new ETag per
    // response): the sync then has nothing to ingest.
    if (known?.sha256 === sha256) return yield* kept;
    const { bytes } = response;
    const version = encodeVersion({ etag: response.etag, lastModified: response.lastModified, sha256 });
    yield { type: 'upsert', source: url, version, fetch: () => Promise.resolve({ bytes, mediaType }) };
  }
}
