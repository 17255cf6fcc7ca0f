import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AddressBlockedError, InvalidInputError } from 'carrel';
import { SourceUnavailableError } from '../../src/errors.js';
import type { Change, Connector, SyncContext } from '../../src/connectors/connector.js';
import { webConnector, type WebConnectorInput } from '../../src/connectors/web.js';

// ---------------------------------------------------------------------------------------------
// A small site on 127.0.0.1. Pages answer with an ETag made from their body and honour
// If-None-Match, as a static file server does. `site` holds what a test may change between syncs.

interface SiteState {
  guide: string;
  goneStatus: number;
  movingTo: string | undefined;
  calendar: boolean;
  robotsStatus: number;
}
let site: SiteState;
let requests: { path: string; ifNoneMatch: string | undefined; status: number }[];
let server: Server;
let base: string;

const html = (body: string, head = ''): string => `<!doctype html><html><head><title>t</title>${head}</head><body>${body}</body></html>`;
const link = (href: string): string => `<a href="${href}">${href}</a>`;
const HUGE = 2 * 1024 * 1024;

function route(path: string): { status: number; type?: string; body?: string | Buffer; location?: string } {
  const page = (body: string, head?: string) => ({ status: 200, type: 'text/html; charset=utf-8', body: html(body, head) });
  const xml = (body: string) => ({ status: 200, type: 'application/xml', body: `<?xml version="1.0" encoding="UTF-8"?>${body}` });
  switch (path) {
    case '/robots.txt':
      if (site.robotsStatus !== 200) return { status: site.robotsStatus };
      return {
        status: 200,
        type: 'text/plain',
        body: [
          'User-agent: *',
          'Disallow: /',
          '',
          'User-agent: carrel',
          'Disallow: /private/',
          'Allow: /private/open-*.html$',
          'Disallow: /*.zip$',
          'Crawl-delay: 2',
          `Sitemap: ${base}/sitemaps/index.xml`,
        ].join('\n'),
      };
    case '/sitemaps/index.xml':
      return xml(
        `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${base}/sitemaps/a.xml</loc></sitemap><sitemap><loc>${base}/sitemaps/b.xml.gz</loc></sitemap></sitemapindex>`,
      );
    case '/sitemaps/a.xml':
      return xml(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${base}/orphan-a</loc></url></urlset>`);
    case '/sitemaps/b.xml.gz':
      return {
        status: 200,
        type: 'application/gzip',
        body: gzipSync(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${base}/orphan-b</loc></url></urlset>`),
      };
    case '/llms.txt':
      return { status: 200, type: 'text/markdown', body: '# Site\n\n- [From llms.txt](/from-llms): a page only llms.txt names\n' };
    case '/':
      return page(
        [
          '/guide',
          '/old',
          '/private/secret.html',
          '/private/open-1.html',
          '/files/archive.zip',
          '/loop-1',
          '/missing',
          '/gone',
          '/moving',
          '/huge',
          '/dup-a',
          '/dup-b',
          '/alias?ref=nav#top',
          '/cycle-a',
          '/cycle-b',
          'mailto:someone@example.com',
          `http://localhost:${new URL(base).port}/other-origin`,
          ...(site.calendar ? ['/calendar/2026/01'] : []),
        ]
          .map(link)
          .join(''),
      );
    case '/guide':
      return page(`<h1>Guide</h1><p>${site.guide}</p>${link('/guide/new')}`);
    case '/guide/new':
      return page('<h1>Moved here</h1>');
    case '/old':
      return { status: 301, location: '/redirected-here' };
    case '/redirected-here':
      return page('<p>reached through a redirect only</p>');
    case '/loop-1':
      return { status: 302, location: '/loop-2' };
    case '/loop-2':
      return { status: 302, location: '/loop-1' };
    case '/private/open-1.html':
      return page('<p>allowed by an Allow line</p>');
    case '/private/secret.html':
    case '/files/archive.zip':
      return page('<p>must never be requested</p>');
    case '/gone':
      return site.goneStatus === 200 ? page('<p>here for now</p>') : { status: site.goneStatus };
    case '/moving':
      return site.movingTo ? { status: 301, location: site.movingTo } : page('<p>about to move away</p>');
    case '/huge':
      return { status: 200, type: 'text/html', body: 'x'.repeat(HUGE) };
    case '/dup-a':
    case '/dup-b':
      return page('<p>the same bytes under two URLs</p>');
    case '/alias':
      return page(`<h1>Guide</h1><p>${site.guide}</p>`, `<link rel="canonical" href="${base}/guide">`);
    case '/cycle-a':
      return page('<p>a</p>', `<link rel="canonical" href="/cycle-b">`);
    case '/cycle-b':
      return page('<p>b</p>', `<link rel="canonical" href="/cycle-a">`);
    case '/orphan-a':
    case '/orphan-b':
    case '/from-llms':
      return page(`<p>${path}</p>`);
  }
  const month = /^\/calendar\/(\d{4})\/(\d{2})$/.exec(path);
  if (month) {
    // Every month links to the next one, for ever.
    const next = Number(month[1]) * 12 + Number(month[2]);
    return page(`<p>${path}</p>${link(`/calendar/${Math.floor(next / 12)}/${String((next % 12) + 1).padStart(2, '0')}`)}`);
  }
  return { status: 404 };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url!, base).pathname;
  const answer = route(path);
  const ifNoneMatch = req.headers['if-none-match'];
  const etag = answer.body === undefined ? undefined : `"${createHash('sha1').update(answer.body).digest('hex')}"`;
  const status = answer.status === 200 && etag !== undefined && ifNoneMatch === etag ? 304 : answer.status;
  requests.push({ path: new URL(req.url!, base).pathname + new URL(req.url!, base).search, ifNoneMatch, status });
  const headers: Record<string, string> = {};
  if (answer.type) headers['content-type'] = answer.type;
  if (answer.location) headers.location = answer.location;
  if (etag && answer.status === 200) headers.etag = etag;
  res.writeHead(status, headers);
  res.end(status === 200 ? answer.body : undefined);
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  site = { guide: 'first edition', goneStatus: 200, movingTo: undefined, calendar: false, robotsStatus: 200 };
  requests = [];
});

// ---------------------------------------------------------------------------------------------
// A library's memory of the connector, kept as a sync would: version markers by source.

interface Sync {
  changes: Change[];
  done: Extract<Change, { type: 'done' }>;
  sleeps: number[];
  progress: [number, string][];
}

const sleeps: number[] = [];
function connector(options: Partial<WebConnectorInput> = {}): Connector {
  return webConnector(
    { url: `${base}/`, delayMs: 0, allowPrivateAddresses: true, ...options },
    {
      fetchLimits: { maxBytes: HUGE / 2, allowPrivateAddresses: true },
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    },
  );
}

async function sync(web: Connector, library: Map<string, string>, signal = new AbortController().signal): Promise<Sync> {
  sleeps.length = 0;
  const context: SyncContext = {
    cursor: null,
    known: (source) => library.get(source),
    knownSources: () => [...library.keys()],
    signal,
    progress: (seen, _total, message) => progress.push([seen, message]),
  };
  const changes: Change[] = [];
  const progress: [number, string][] = [];
  const reported = new Set<string>();
  for await (const change of web.changes(context)) {
    changes.push(change);
    if (change.type === 'upsert') {
      expect(await change.fetch!()).toMatchObject({ mediaType: 'html' });
      library.set(change.source, change.version);
    }
    if (change.type === 'delete') library.delete(change.source);
    if (change.type !== 'done') reported.add(change.source);
    else if (change.complete) for (const source of [...library.keys()]) if (!reported.has(source)) library.delete(source);
  }
  const done = changes.at(-1);
  if (done?.type !== 'done') throw new Error('the changes did not end with done');
  return { changes: changes.slice(0, -1), done, sleeps: [...sleeps], progress };
}

/** The requests for pages, not for robots.txt, sitemaps or llms.txt. */
const pageRequests = () => requests.filter((r) => !/^\/(robots\.txt|llms\.txt|sitemap\.xml$|sitemaps\/)/.test(r.path));

const sources = (changes: Change[], type: Change['type']): string[] =>
  changes.flatMap((c) => (c.type === type && 'source' in c ? [new URL(c.source).pathname + new URL(c.source).search] : [])).sort();

const FIRST_SYNC_PAGES = [
  '/',
  '/from-llms',
  '/gone',
  '/guide',
  '/guide/new',
  '/moving',
  '/orphan-a',
  '/orphan-b',
  '/private/open-1.html',
  '/redirected-here',
].sort();

describe('webConnector', () => {
  it('crawls the site through its sitemaps, llms.txt and links, by robots.txt, and reports each page once', async () => {
    const library = new Map<string, string>();
    const first = await sync(connector(), library);

    // The dup-b page is a duplicate of dup-a (one of them is the document); /alias names /guide
    // canonical; /old and the loop redirect; /missing is a 404; /huge is over the size cap.
    // Two pages naming each other canonical: one of them is the document.
    const upserts = sources(first.changes, 'upsert');
    expect(upserts.filter((s) => !/^\/(dup|cycle)-/.test(s))).toEqual(FIRST_SYNC_PAGES);
    expect(upserts.filter((s) => s.startsWith('/dup-'))).toHaveLength(1);
    expect(upserts.filter((s) => s.startsWith('/cycle-'))).toHaveLength(1);
    expect(first.changes.every((c) => c.type === 'upsert')).toBe(true);
    expect(first.done).toEqual({ type: 'done', cursor: null, complete: true });

    const requested = requests.map((r) => r.path);
    expect(requested).not.toContain('/private/secret.html');
    expect(requested).not.toContain('/files/archive.zip');
    expect(requested).not.toContain('/other-origin');
    expect(requested.filter((p) => p.startsWith('/loop-'))).toEqual(['/loop-1', '/loop-2']);
    expect(requested).toContain('/huge');
    expect(requested.filter((p) => p === '/guide')).toHaveLength(1);
    expect(requested.filter((p) => p.startsWith('/alias'))).toEqual(['/alias?ref=nav']);
    // Progress counts page requests and names each page.
    expect(first.progress).toEqual(pageRequests().map((r, i) => [i + 1, `${base}${r.path}`]));
    // Crawl-delay: 2 is larger than the politeness delay, so every wait after robots.txt is 2 s.
    expect(first.sleeps.length).toBe(requests.length - 1);
    expect(new Set(first.sleeps)).toEqual(new Set([2000]));
  });

  it('re-syncs with ETags: 304s are unchanged, a changed page is an upsert, a 410 and a redirect out of scope are deletions', async () => {
    const library = new Map<string, string>();
    await sync(connector(), library);
    const firstLibrary = new Map(library);
    requests = [];
    site.guide = 'second edition';
    site.goneStatus = 410;
    site.movingTo = `http://localhost:${new URL(base).port}/moved`;

    const second = await sync(connector(), library);
    // "/" links to /guide but its own bytes are the same, so it answers 304.
    expect(sources(second.changes, 'upsert')).toEqual(['/guide']);
    expect(sources(second.changes, 'delete')).toEqual(['/gone', '/moving']);
    expect(sources(second.changes, 'unchanged')).toEqual(
      [...firstLibrary.keys()]
        .map((s) => new URL(s).pathname)
        .filter((p) => !['/guide', '/gone', '/moving'].includes(p))
        .sort(),
    );
    expect(second.done.complete).toBe(true);
    expect(library.get(`${base}/guide`)).not.toBe(firstLibrary.get(`${base}/guide`));
    const conditional = requests.filter((r) => r.ifNoneMatch !== undefined);
    expect(conditional.filter((r) => r.status === 304).length).toBeGreaterThanOrEqual(firstLibrary.size - 3);
    expect(requests.some((r) => r.path === '/moved')).toBe(false);
  });

  it('keeps a page the server cannot serve for now (503), and deletes held pages the options now leave out', async () => {
    const library = new Map<string, string>();
    await sync(connector(), library);
    site.goneStatus = 503;
    const second = await sync(connector({ exclude: ['orphan-*'] }), library);
    expect(sources(second.changes, 'unchanged')).toContain('/gone');
    expect(sources(second.changes, 'delete')).toEqual(['/orphan-a', '/orphan-b']);
    expect(library.has(`${base}/gone`)).toBe(true);
    expect(second.done.complete).toBe(true);
  });

  it('stops following an infinite calendar and says the crawl is incomplete', async () => {
    site.calendar = true;
    // maxDepth would end the calendar too; set out of the way, the trap rule is what stops it.
    const result = await sync(connector({ maxUrlsPerPattern: 12, maxDepth: 100 }), new Map());
    const months = sources(result.changes, 'upsert').filter((s) => s.startsWith('/calendar/'));
    expect(months).toHaveLength(12);
    expect(result.done).toEqual({ type: 'done', cursor: null, complete: false });
  });

  it('calls a crawl cut by maxPages incomplete, and a crawl within maxDepth complete', async () => {
    const cut = await sync(connector({ maxPages: 3 }), new Map());
    expect(cut.done.complete).toBe(false);
    expect(pageRequests()).toHaveLength(3);

    const shallow = await sync(connector({ maxDepth: 0 }), new Map());
    expect(sources(shallow.changes, 'upsert')).toEqual(['/', '/from-llms', '/orphan-a', '/orphan-b']);
    expect(shallow.done.complete).toBe(true);
  });

  it('keeps to the path prefix and the globs', async () => {
    const library = new Map<string, string>();
    await sync(connector(), library);
    const result = await sync(connector({ pathPrefix: '/guide', exclude: ['guide/new'] }), library);
    // The start URL is outside both, so it is requested for its links but is no document (deleted once).
    expect(sources(result.changes, 'unchanged')).toEqual(['/guide']);
    expect(sources(result.changes, 'upsert')).toEqual([]);
    expect(sources(result.changes, 'delete')).toEqual(
      FIRST_SYNC_PAGES.filter((p) => p !== '/guide')
        .concat(['/cycle-b', '/dup-a'])
        .sort(),
    );
    expect([...library.keys()]).toEqual([`${base}/guide`]);
  });

  it('refuses the same site without allowPrivateAddresses, before any request reaches it', async () => {
    await expect(sync(connector({ allowPrivateAddresses: false }), new Map())).rejects.toThrow(AddressBlockedError);
    expect(requests).toEqual([]);
  });

  it('refuses it too when the option is on but the server fetch limits keep the guard', async () => {
    const web = webConnector(
      { url: `${base}/`, delayMs: 0, allowPrivateAddresses: true },
      { fetchLimits: { allowPrivateAddresses: false } },
    );
    await expect(sync(web, new Map())).rejects.toThrow(AddressBlockedError);
    await expect(sync(webConnector({ url: `${base}/`, allowPrivateAddresses: true }), new Map())).rejects.toThrow(AddressBlockedError);
    expect(requests).toEqual([]);
  });

  it('stops at the next request when the sync is cancelled', async () => {
    const controller = new AbortController();
    const web = connector();
    const seen: Change[] = [];
    const run = (async () => {
      const context: SyncContext = {
        cursor: null,
        known: () => undefined,
        knownSources: () => [],
        signal: controller.signal,
        progress: () => {},
      };
      for await (const change of web.changes(context)) {
        seen.push(change);
        if (seen.length === 2) controller.abort(new Error('cancelled by the test'));
      }
    })();
    await expect(run).rejects.toThrow('cancelled by the test');
    expect(seen).toHaveLength(2);
    expect(pageRequests()).toHaveLength(2);
  });

  it('fails when the start URL redirects out of the scope, rather than report an empty site', async () => {
    const moved = connector({ url: `${base}/moving` });
    site.movingTo = `http://localhost:${new URL(base).port}/`;
    await expect(sync(moved, new Map())).rejects.toThrow(
      /redirects to http:\/\/localhost:\d+\/, outside the crawl's scope; start at that URL instead/,
    );
  });

  it('fails when robots.txt cannot be read, rather than guess the rules: a 5xx as a source unavailable for now (the sync is retried)', async () => {
    site.robotsStatus = 503;
    await expect(sync(connector(), new Map())).rejects.toThrow(SourceUnavailableError);
    expect(requests.map((r) => r.path)).toEqual(['/robots.txt']);
  });

  it('refuses bad options, naming the option', () => {
    expect(() => webConnector({ url: 'ftp://example.com/' })).toThrow(/web connector option url: expected an http\(s\) URL/);
    expect(() => webConnector({ url: 'https://example.com/', maxPages: 0 })).toThrow(/option maxPages: expected an integer from 1/);
    expect(() => webConnector({ url: 'https://example.com/', pathPrefix: 'docs' })).toThrow(/option pathPrefix/);
    expect(() => webConnector({ url: 'https://example.com/', depth: 3 })).toThrow(/option depth: expected one of url, pathPrefix/);
    expect(() => webConnector({ url: 'https://example.com/', include: ['+(a|b)'] })).toThrow(InvalidInputError);
    expect(() => webConnector(undefined)).toThrow(InvalidInputError);
  });
});
