/**
 * Installing packs over HTTP from a real server on 127.0.0.1: from a URL and from a registry index
 * (latest or a named version, relative URLs, its sha256 enforced); transient failures (503 and 429
 * with Retry-After, a cut connection) are tried again, a 404 and an unreachable host are not, and
 * every refusal leaves the library as it was.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchFailedError, InvalidPackError, KnowledgeBase, NotFoundError } from 'carrel';
import { makePack, packDocuments } from '../support/packs.js';
import { tempDir } from '../support/temp-dir.js';

const v1 = gzipSync(JSON.stringify(makePack('guide', '1.0.0', packDocuments(3))));
const v2 = Buffer.from(JSON.stringify(makePack('guide', '1.10.0', packDocuments(4))));
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** Requests by path, and how many times each path fails before it answers. */
const hits = new Map<string, number>();
const failFirst = new Map<string, (res: http.ServerResponse) => void>();
let server: http.Server;
let base = '';
let kb: KnowledgeBase;

const routes: Record<string, Buffer> = {
  '/packs/guide-1.0.0.json.gz': v1,
  '/packs/guide-1.10.0.json': v2,
  '/flaky.json.gz': v1,
  '/throttled.json.gz': v1,
  '/reset.json.gz': v1,
  '/index.json': Buffer.from(
    JSON.stringify({
      packs: [
        { name: 'guide', version: '1.0.0', url: 'packs/guide-1.0.0.json.gz', sha256: sha(v1) },
        { name: 'guide', version: '1.10.0', url: '/packs/guide-1.10.0.json', sha256: sha(v2) },
        { name: 'tampered', version: '1', url: 'packs/guide-1.0.0.json.gz', sha256: '0'.repeat(64) },
      ],
    }),
  ),
};

beforeAll(async () => {
  failFirst.set('/flaky.json.gz', (res) => res.writeHead(503, { 'retry-after': '0' }).end());
  failFirst.set('/throttled.json.gz', (res) => res.writeHead(429, { 'retry-after': '0' }).end());
  failFirst.set('/reset.json.gz', (res) => res.socket?.destroy());
  server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const fail = failFirst.get(path);
    if (fail && hits.get(path) === 1) return fail(res);
    const body = routes[path];
    if (!body) return res.writeHead(404).end('not here');
    res.writeHead(200, { 'content-type': path.endsWith('.gz') ? 'application/gzip' : 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  kb = await KnowledgeBase.open({
    dataDir: tempDir(),
    embedder: { kind: 'offline' },
    allowedRoots: [],
    fetch: { allowPrivateAddresses: true },
  });
});
afterAll(async () => {
  await kb?.close();
  server?.close();
});

const packs = async () => (await kb.listPacks()).map((p) => `${p.library}:${p.name}@${p.version}`);

describe('pack install over HTTP', () => {
  it('installs from a URL, and upgrades through a registry index to its latest version', async () => {
    expect(await kb.installPack({ url: `${base}/packs/guide-1.0.0.json.gz` }, { library: 'web', sha256: sha(v1) })).toMatchObject({
      created: 3,
    });
    // 1.10.0 sorts after 1.0.0 as a version, not as text.
    const upgraded = await kb.installPack({ registry: `${base}/index.json`, name: 'guide' }, { library: 'web' });
    expect(upgraded).toMatchObject({ created: 1, unchanged: 3, pack: { version: '1.10.0', sha256: sha(v2) } });
    const pinned = await kb.installPack({ registry: `${base}/index.json`, name: 'guide', version: '1.0.0' }, { library: 'pinned' });
    expect(pinned).toMatchObject({ created: 3, pack: { version: '1.0.0' } });
    expect(await packs()).toEqual(['pinned:guide@1.0.0', 'web:guide@1.10.0']);
  });

  it('tries again after a 503 or a 429 with Retry-After and after a cut connection', async () => {
    for (const path of ['/flaky.json.gz', '/throttled.json.gz', '/reset.json.gz']) {
      expect(await kb.installPack({ url: `${base}${path}` }, { library: `retried${path}` })).toMatchObject({ created: 3 });
      expect(hits.get(path)).toBe(2);
    }
  });

  it('does not try again after a 404 or an unreachable host, and refuses a checksum the registry does not match', async () => {
    const before = await packs();
    const missing = await kb.installPack({ url: `${base}/missing.json` }, { library: 'x' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(FetchFailedError);
    expect((missing as FetchFailedError).message).toBe(`Fetching ${base}/missing.json failed: HTTP 404`);
    expect(hits.get('/missing.json')).toBe(1);
    const closed = http.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => closed.once('listening', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(kb.installPack({ url: `http://127.0.0.1:${port}/p.json` }, { library: 'x' })).rejects.toThrow(
      /^Fetching http:\/\/127\.0\.0\.1:\d+\/p\.json failed: connect ECONNREFUSED/,
    );
    await expect(kb.installPack({ registry: `${base}/index.json`, name: 'tampered' }, { library: 'x' })).rejects.toThrow(InvalidPackError);
    await expect(kb.installPack({ registry: `${base}/index.json`, name: 'nope' }, { library: 'x' })).rejects.toThrow(NotFoundError);
    expect(await packs()).toEqual(before);
    expect((await kb.listLibraries()).map((l) => l.name)).not.toContain('x');
  });
});
