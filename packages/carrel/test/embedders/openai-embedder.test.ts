import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { EmbedderUnavailableError, IngestCancelledError, KnowledgeBase } from 'carrel';
import { OpenAiEmbedder } from '../../src/embedders/openai-embedder.js';
import { WorkerClient } from '../../src/ingest/worker-client.js';
import { tempDir } from '../support/temp-dir.js';

type Handler = (body: { model: string; input: string[]; dimensions?: number }, req: IncomingMessage, res: ServerResponse) => void;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function endpoint(handler: Handler): Promise<string> {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => handler(JSON.parse(raw), req, res));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

const vectorFor = (text: string, dims: number) => Array.from({ length: dims }, (_, i) => ((text.length + i) % 7) - 3);
const reply = (res: ServerResponse, input: string[], dims: number) =>
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ data: input.map((t, index) => ({ index, embedding: vectorFor(t, dims) })).reverse() }));

describe('OpenAiEmbedder', () => {
  it('batches inputs, sends the model and key, learns dims from the response and keeps input order', async () => {
    const batches: number[] = [];
    let auth = '';
    const url = await endpoint((body, req, res) => {
      batches.push(body.input.length);
      auth = req.headers.authorization ?? '';
      expect(body.model).toBe('nomic-embed-text');
      reply(res, body.input, 12);
    });
    const e = new OpenAiEmbedder({ kind: 'openai', baseUrl: `${url}/`, model: 'nomic-embed-text', apiKey: 'sk-secret', batchSize: 4 });
    const texts = Array.from({ length: 10 }, (_, i) => 'x'.repeat(i + 1));
    const vectors = await e.embed(texts);
    expect(batches).toEqual([4, 4, 2]);
    expect(auth).toBe('Bearer sk-secret');
    expect(e.dims).toBe(12);
    expect(e.id).toBe('openai:nomic-embed-text');
    const expected = vectorFor(texts[3]!, 12);
    const norm = Math.hypot(...expected);
    expect(Array.from(vectors[3]!).map((v) => +v.toFixed(5))).toEqual(expected.map((v) => +(v / norm).toFixed(5)));
  });

  it('retries 429 and 5xx responses, then succeeds', async () => {
    let calls = 0;
    const url = await endpoint((body, _req, res) => {
      calls++;
      if (calls === 1) return res.writeHead(429, { 'retry-after': '0' }).end();
      if (calls === 2) return res.writeHead(503).end();
      reply(res, body.input, 8);
    });
    const e = new OpenAiEmbedder({ kind: 'openai', baseUrl: url, model: 'm', maxRetries: 3 });
    expect(await e.embed(['a'])).toHaveLength(1);
    expect(calls).toBe(3);
  });

  it('fails with a clear error that never contains the API key', async () => {
    const url = await endpoint((_body, _req, res) => res.writeHead(401).end('{"error":"invalid key"}'));
    const e = new OpenAiEmbedder({ kind: 'openai', baseUrl: url, model: 'm', apiKey: 'sk-very-secret', maxRetries: 1 });
    const err = (await e.embed(['a']).catch((x: unknown) => x)) as Error;
    expect(err).toBeInstanceOf(EmbedderUnavailableError);
    expect(err.message).toMatch(/HTTP 401/);
    expect(JSON.stringify({ message: err.message, stack: err.stack, data: (err as EmbedderUnavailableError).data })).not.toContain(
      'sk-very-secret',
    );

    const down = new OpenAiEmbedder({
      kind: 'openai',
      baseUrl: 'http://127.0.0.1:1/v1',
      model: 'm',
      apiKey: 'sk-very-secret',
      maxRetries: 1,
    });
    const err2 = (await down.embed(['a']).catch((x: unknown) => x)) as Error;
    expect(err2.message).toMatch(/failed after 2 attempts/);
    expect(err2.message).not.toContain('sk-very-secret');
  });

  it('rejects a response whose dimension changes', async () => {
    let dims = 8;
    const url = await endpoint((body, _req, res) => reply(res, body.input, dims));
    const e = new OpenAiEmbedder({ kind: 'openai', baseUrl: url, model: 'm' });
    await e.embed(['a']);
    dims = 9;
    await expect(e.embed(['a'])).rejects.toThrow(/returned 9 dimensions, expected 8/);
  });

  it('drives ingest and search end to end, and no stored row holds the key', async () => {
    const url = await endpoint((body, _req, res) => reply(res, body.input, 16));
    const kb = await KnowledgeBase.open({
      dataDir: tempDir(),
      embedder: { kind: 'openai', baseUrl: url, model: 'tiny', apiKey: 'sk-store-check' },
    });
    try {
      const result = await kb.ingestContent({ library: 'l', content: '# A\n\nsome text about keys', source: 'a' });
      expect(result.chunksWithoutVectors).toBe(0);
      expect((await kb.listLibraries())[0]).toMatchObject({ embedder: 'openai:tiny', dims: 16 });
      expect((await kb.search({ query: 'keys' })).mode).toBe('hybrid');
      const { readFileSync, readdirSync } = await import('node:fs');
      for (const f of readdirSync(kb.dataDir)) expect(readFileSync(`${kb.dataDir}/${f}`).includes('sk-store-check'), f).toBe(false);
    } finally {
      await kb.close();
    }
  });

  it('stops its dimension probe on a cancel, so the job ends in its worker instead of the worker being terminated', async () => {
    let probed!: () => void;
    const probing = new Promise<void>((resolve) => (probed = resolve));
    // An endpoint that takes the probe and never answers it.
    const url = await endpoint(() => probed());
    const abandoned: number[] = [];
    const client = new WorkerClient(
      {
        store: { kind: 'sqlite', path: join(tempDir(), 'kb.sqlite') },
        embedder: { kind: 'openai', baseUrl: url, model: 'slow', maxRetries: 0 },
        settings: { chunker: {}, maxFileBytes: 1 << 20, streamThresholdBytes: 1 << 20, batchChunks: 16, converterThreadPages: 100 },
      },
      // Called only when a cancelled job's worker had to be terminated (see CANCEL_GRACE_MS).
      (runId) => abandoned.push(runId),
    );
    try {
      const controller = new AbortController();
      const job = client.run(
        {
          kind: 'content',
          target: { library: 'l', version: '', tags: [] },
          source: 'a',
          sourceKind: 'raw',
          title: undefined,
          bytes: new TextEncoder().encode('# A\n\nsome text'),
          mediaType: 'markdown',
          keepAllPages: false,
        },
        { signal: controller.signal },
      );
      await probing;
      controller.abort();
      await expect(job).rejects.toThrow(IngestCancelledError);
      expect(abandoned).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
