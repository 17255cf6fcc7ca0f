/**
 * `carrel serve`'s /healthz, /readyz and /metrics, over real HTTP against real child processes:
 * open health and readiness, metrics scraped after a task and an ingest and a search ran (counts,
 * histograms, the database size), metrics open to loopback without a token and behind the bearer
 * token with one, and the Host check in front of all of them.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { indexOverHttp, mcpHttp, startServe } from '../mcp/support/carrel-process.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TOKEN = 'a-real-token-0123456789abcdef';
type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean };

/** The samples of a Prometheus text exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    values.set(match[1]!, Number(match[2]));
  }
  return values;
}

/** A GET with a chosen Host header (fetch always sends the URL's). */
function getWithHost(url: string, host: string): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: pathname, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('carrel serve observability endpoints', { timeout: 120_000 }, () => {
  it('answers health and readiness, and metrics after a task, an ingest and a search, open to loopback without a token', async () => {
    const server = await startServe(tempDir());
    cleanups.push(server.stop);
    const origin = new URL(server.url).origin;
    const health = await fetch(`${origin}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${origin}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    expect((await fetch(`${origin}/healthz`, { method: 'POST' })).status).toBe(405);
    expect(await getWithHost(`${origin}/healthz`, 'evil.example')).toBe(403);

    await indexOverHttp(server.url);
    const client = await mcpHttp(server.url);
    let mode: string;
    try {
      const found = (await client.callTool({ name: 'search', arguments: { query: 'stripes' } })) as ToolResult;
      expect(found.isError).toBeFalsy();
      mode = found.structuredContent!.mode as string;
    } finally {
      await client.close();
    }

    const scrape = await fetch(`${origin}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = samples(await scrape.text());
    expect(metrics.get('carrel_ingest_documents_total')).toBe(1);
    expect(metrics.get('carrel_ingest_chunks_total')).toBeGreaterThanOrEqual(1);
    expect(metrics.get(`carrel_searches_total{mode="${mode}"}`)).toBe(1);
    expect(metrics.get('carrel_tasks{tool="index_document",status="completed"}')).toBe(1);
    expect(metrics.get('carrel_task_run_seconds_count{tool="index_document",status="completed"}')).toBe(1);
    expect(metrics.get('carrel_task_wait_seconds_count{tool="index_document",status="completed"}')).toBe(1);
    expect(metrics.get('carrel_task_run_seconds_bucket{le="+Inf",tool="index_document",status="completed"}')).toBe(1);
    expect(metrics.get('carrel_database_size_bytes')).toBeGreaterThan(0);
  });

  it('serves metrics only to a bearer token when the server has one; health and readiness stay open', async () => {
    const server = await startServe(tempDir(), ['--token', TOKEN]);
    cleanups.push(server.stop);
    const origin = new URL(server.url).origin;
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    const anonymous = await fetch(`${origin}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const wrong = await fetch(`${origin}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_token' } });
    const scrape = await fetch(`${origin}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(scrape.status).toBe(200);
    expect(samples(await scrape.text()).get('carrel_ingest_documents_total')).toBe(0);
  });
});
