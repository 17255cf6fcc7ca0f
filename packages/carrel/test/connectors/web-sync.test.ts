/**
 * The `web` connector through the knowledge base, against a real site on 127.0.0.1: a first sync
 * indexes the pages it reaches; after one page changes and another answers 410, a re-sync updates
 * and deletes exactly those (the others answer 304 and keep their version). The server's fetch
 * limits must allow private addresses as well as the connector's option.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { liveVersions } from '../support/live-versions.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const filler = 'Each page holds a paragraph long enough to be a chunk of its own, about the queue. '.repeat(4);
const html = (title: string, body: string) =>
  `<html><head><title>${title}</title></head><body><main><h1>${title}</h1><p>${body} ${filler}</p></main></body></html>`;

/** A site of three pages whose bodies and statuses the test changes between syncs. */
async function site(): Promise<{ base: string; pages: Map<string, { status: number; body: string }> }> {
  const pages = new Map<string, { status: number; body: string }>([
    ['/', { status: 200, body: html('Home', 'See <a href="/retries">retries</a> and <a href="/limits">limits</a>.') }],
    ['/retries', { status: 200, body: html('Retries', 'Retries wait with backoff.') }],
    ['/limits', { status: 200, body: html('Limits', 'Limits are set per queue.') }],
  ]);
  const server = createServer((req, res) => {
    const page = pages.get(req.url ?? '');
    if (!page) return void res.writeHead(404).end();
    const etag = `"${Buffer.from(page.body).length}-${page.body.length % 97}-${[...page.body].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7)}"`;
    if (page.status !== 200) return void res.writeHead(page.status).end();
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'text/html', etag }).end(page.body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pages };
}

/** A knowledge base with connector `site` on the test site, which asks for private addresses; the server allows them or not. */
async function siteConnector(base: string, { serverAllowsPrivate }: { serverAllowsPrivate: boolean }): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({
    dataDir: tempDir(),
    embedder: { kind: 'offline' },
    ...(serverAllowsPrivate && { fetch: { allowPrivateAddresses: true } }),
  });
  open.push(kb);
  await kb.addConnector({
    name: 'site',
    kind: 'web',
    library: 'site',
    options: { url: `${base}/`, delayMs: 0, allowPrivateAddresses: true },
  });
  return kb;
}

describe('web connector, synced', { timeout: 60_000 }, () => {
  it('indexes a site, then updates a changed page, deletes a gone one and leaves the rest untouched', async () => {
    const { base, pages } = await site();
    const kb = await siteConnector(base, { serverAllowsPrivate: true });

    const first = await kb.syncConnector('site');
    expect(first).toMatchObject({ created: 3, sync: { connector: 'site', deleted: 0, complete: true } });
    const before = liveVersions(kb);
    expect([...before.keys()].sort()).toEqual([`${base}/`, `${base}/limits`, `${base}/retries`]);

    pages.set('/retries', { status: 200, body: html('Retries', 'Retries now wait with jittered backoff.') });
    pages.set('/limits', { status: 410, body: '' });
    const second = await kb.syncConnector('site');
    expect(second).toMatchObject({ created: 0, updated: 1, sync: { deleted: 1, complete: true } });
    const after = liveVersions(kb);
    expect(after.get(`${base}/`)).toBe(before.get(`${base}/`));
    expect(after.get(`${base}/retries`)).toBeGreaterThan(before.get(`${base}/retries`)!);
    expect(after.has(`${base}/limits`)).toBe(false);
    expect((await kb.search({ query: 'jittered backoff' })).results[0]?.source).toBe(`${base}/retries`);
  });

  it('refuses a site on a private address unless the server allows it, whatever the connector says', async () => {
    const { base } = await site();
    const kb = await siteConnector(base, { serverAllowsPrivate: false });
    await expect(kb.syncConnector('site')).rejects.toThrow(/private|blocked|not allowed/i);
    expect(liveVersions(kb).size).toBe(0);
  });

  it('names a bad web option when the connector is added', async () => {
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' } });
    open.push(kb);
    await expect(
      kb.addConnector({ name: 'site', kind: 'web', library: 'site', options: { url: 'https://example.org/', maxPages: 0 } }),
    ).rejects.toThrow(/maxPages/);
  });
});
