import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressBlockedError, ContentTooLargeError, FetchFailedError, KnowledgeBase, UnsupportedContentError } from 'carrel';
import { isPublicAddress } from '../../src/sources/address-guard.js';
import { DEFAULT_FETCH_LIMITS, fetchResponse, fetchUrl } from '../../src/sources/url-source.js';
import { makePdf } from '../support/pdf.js';
import { tempDir } from '../support/temp-dir.js';

let server: Server;
let base: string;
const article = `<html><head><title>Retry guide</title></head><body><nav>Site menu</nav><main><article><h1>Retries</h1><p>${'Jobs are retried with backoff. '.repeat(12)}</p></article></main></body></html>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const hops = Number(url.searchParams.get('n') ?? 0);
    switch (url.pathname) {
      case '/article':
        if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
        else
          res
            .writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' })
            .end(article);
        break;
      case '/readme.md':
        res.writeHead(200, { 'content-type': 'text/markdown' }).end('# Readme\n\nmarkdown body');
        break;
      case '/doc.pdf':
        res.writeHead(200, { 'content-type': 'application/pdf' }).end(makePdf(['pdf over http']));
        break;
      case '/image':
        res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50]));
        break;
      case '/redirect':
        res.writeHead(302, { location: hops > 0 ? `/redirect?n=${hops - 1}` : '/article' }).end();
        break;
      case '/big':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(200_000)); // no content-length check: chunked, so the cap applies while streaming
        break;
      case '/slow':
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        break; // never ends
      case '/missing':
        res.writeHead(404).end();
        break;
      default:
        res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const local = { ...DEFAULT_FETCH_LIMITS, allowPrivateAddresses: true };

describe('fetchUrl', () => {
  it('blocks loopback, private and link-local targets by default, by literal and by DNS name', async () => {
    await expect(fetchUrl(`${base}/article`, DEFAULT_FETCH_LIMITS)).rejects.toThrow(AddressBlockedError);
    const port = new URL(base).port;
    await expect(fetchUrl(`http://localhost:${port}/article`, DEFAULT_FETCH_LIMITS)).rejects.toThrow(/resolves to the non-public address/);
    await expect(fetchUrl('http://[::1]:1/', DEFAULT_FETCH_LIMITS)).rejects.toThrow(AddressBlockedError);
    await expect(fetchUrl('http://169.254.169.254/latest/meta-data', DEFAULT_FETCH_LIMITS)).rejects.toThrow(AddressBlockedError);
    await expect(fetchUrl('http://10.1.2.3/', DEFAULT_FETCH_LIMITS)).rejects.toThrow(AddressBlockedError);
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '192.168.1.1',
      '172.16.0.1',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fc00::1',
      '::ffff:127.0.0.1',
      '0.0.0.0',
    ]) {
      expect(isPublicAddress(a), a).toBe(false);
    }
    expect(isPublicAddress('93.184.216.34')).toBe(true);
    expect(isPublicAddress('2606:4700::1111')).toBe(true);
  });

  it('fetches HTML, markdown and PDF with their media types when local addresses are allowed', async () => {
    expect(await fetchUrl(`${base}/article`, local)).toMatchObject({ mediaType: 'html', url: `${base}/article` });
    expect(await fetchUrl(`${base}/readme.md`, local)).toMatchObject({ mediaType: 'markdown' });
    expect(await fetchUrl(`${base}/doc.pdf`, local)).toMatchObject({ mediaType: 'pdf' });
  });

  it('follows redirects up to the cap and reports the final URL', async () => {
    expect((await fetchUrl(`${base}/redirect?n=2`, { ...local, maxRedirects: 3 })).url).toBe(`${base}/article`);
    await expect(fetchUrl(`${base}/redirect?n=5`, { ...local, maxRedirects: 3 })).rejects.toThrow(/more than 3 redirects/);
  });

  it('enforces the size cap, the timeout, the status and the content type', async () => {
    await expect(fetchUrl(`${base}/big`, { ...local, maxBytes: 50_000 })).rejects.toThrow(ContentTooLargeError);
    await expect(fetchUrl(`${base}/slow`, { ...local, timeoutMs: 200 })).rejects.toThrow(/timed out after 200 ms/);
    await expect(fetchUrl(`${base}/missing`, local)).rejects.toThrow(/HTTP 404/);
    await expect(fetchUrl(`${base}/image`, local)).rejects.toThrow(UnsupportedContentError);
    await expect(fetchUrl('file:///etc/passwd', local)).rejects.toThrow(FetchFailedError);
  });
});

describe('fetchResponse', () => {
  it('sends conditional headers, returns the validators and a 304 as an answer rather than a redirect', async () => {
    const first = await fetchResponse(`${base}/article`, local);
    expect(first).toMatchObject({ status: 200, etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' });
    const again = await fetchResponse(`${base}/article`, local, { headers: { 'if-none-match': '"v1"' } });
    expect(again).toMatchObject({ status: 304, url: `${base}/article`, location: undefined });
    expect(again.bytes).toHaveLength(0);
  });

  it('returns other statuses without throwing, and a redirect it was told not to follow', async () => {
    expect(await fetchResponse(`${base}/missing`, local)).toMatchObject({ status: 404 });
    const stopped = await fetchResponse(`${base}/redirect?n=1`, local, { followRedirect: (to) => to.pathname !== '/redirect' });
    expect(stopped).toMatchObject({ status: 302, url: `${base}/redirect?n=1` });
    expect(stopped.location?.href).toBe(`${base}/redirect?n=0`);
    expect((await fetchResponse(`${base}/redirect?n=1`, local, { followRedirect: () => true })).url).toBe(`${base}/article`);
  });
});

describe('KnowledgeBase.ingestUrl', () => {
  it('ingests the main content of a page under its final URL', async () => {
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' }, fetch: { allowPrivateAddresses: true } });
    try {
      const result = await kb.ingestUrl(`${base}/redirect?n=1`, { library: 'web' });
      expect(result.documents[0]).toMatchObject({ source: `${base}/article`, status: 'created' });
      const hit = (await kb.search({ query: 'retried with backoff' })).results[0]!;
      expect(hit).toMatchObject({ kind: 'url', title: 'Retry guide', source: `${base}/article` });
      expect(hit.snippet).not.toContain('Site menu');
    } finally {
      await kb.close();
    }
  });

  it('refuses a loopback URL by default and stores nothing', async () => {
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' } });
    try {
      await expect(kb.ingestUrl(`${base}/article`, { library: 'web' })).rejects.toThrow(AddressBlockedError);
      expect(await kb.listLibraries()).toEqual([]);
    } finally {
      await kb.close();
    }
  });
});
