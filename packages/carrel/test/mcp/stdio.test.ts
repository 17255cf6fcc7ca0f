/**
 * `carrel mcp` as a real stdio child process, spoken to by the SDK client (2025-11-25 era): every
 * tool's happy path, bad input answered as tool errors with nothing stored, `async: true` with
 * get_task polling, a task-mode index with progress notifications, and cancel between batches.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ProgressNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { GUIDE, mcpStdio, writeCorpus } from './support/carrel-process.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(dataDir: string, allow: string[] = []): Promise<Client> {
  const { client } = await mcpStdio(dataDir, { allow });
  clients.push(client);
  return client;
}

type Structured = Record<string, unknown>;
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
    structuredContent?: Structured;
    isError?: boolean;
  };

async function pollUntilDone(client: Client, taskId: string): Promise<Structured> {
  for (;;) {
    const result = await call(client, 'get_task', { taskId });
    const task = result.structuredContent!.task as Structured;
    if (['completed', 'failed', 'cancelled'].includes(task.status as string)) return task;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('carrel mcp over stdio', () => {
  it('lists every carrel tool plus the task tools, with async on the slow ones', async () => {
    const client = await connect(tempDir());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        'add_connector',
        'cancel_task',
        'get_document',
        'get_task',
        'index_document',
        'install_pack',
        'list_connectors',
        'list_documents',
        'list_libraries',
        'list_packs',
        'list_tasks',
        'rate_chunk',
        'reindex_library',
        'remove_pack',
        'remove_connector',
        'search',
        'show_connector',
        'schedule_connector',
        'status',
        'sync_connector',
      ].sort(),
    );
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('index_document')!.inputSchema.properties).toHaveProperty('async');
    expect(byName.get('reindex_library')!.inputSchema.properties).toHaveProperty('async');
    expect(byName.get('sync_connector')!.inputSchema.properties).toHaveProperty('async');
    expect(byName.get('add_connector')!.inputSchema.properties).not.toHaveProperty('async');
    expect(byName.get('search')!.inputSchema.properties).not.toHaveProperty('async');
    expect((byName.get('index_document') as { execution?: unknown }).execution).toEqual({ taskSupport: 'optional' });
  });

  it('indexes content, then finds, lists, rates and reports it', async () => {
    const client = await connect(tempDir());
    const indexed = await call(client, 'index_document', { library: 'carrel', version: '1.0', title: 'Guide', content: GUIDE });
    expect(indexed.isError).toBeFalsy();
    expect(indexed.structuredContent).toMatchObject({ created: 1, chunks: 2, chunksWithoutVectors: 0 });
    expect(indexed.content[0]!.text).toBe('carrel@1.0: 1 created; 2 chunks');

    const found = await call(client, 'search', { query: 'install the package', library: 'carrel' });
    const results = found.structuredContent!.results as { documentId: number; chunkId: number; heading: string }[];
    expect(found.structuredContent!.mode).toBe('hybrid');
    expect(results[0]).toMatchObject({ heading: 'Guide > Install' });
    expect(found.content[0]!.text).toContain('npm install carrel');

    const rated = await call(client, 'rate_chunk', {
      documentId: results[0]!.documentId,
      chunkId: results[0]!.chunkId,
      rating: 5,
      feedback: 'exactly right',
    });
    expect(rated.isError).toBeFalsy();
    expect(rated.structuredContent).toMatchObject({ rating: 5, ratingId: expect.any(Number) });

    const libraries = await call(client, 'list_libraries', {});
    expect(libraries.structuredContent!.libraries).toEqual([
      expect.objectContaining({ name: 'carrel', version: '1.0', documents: 1, chunks: 2, embedder: 'offline:hash-v2' }),
    ]);
    const status = await call(client, 'status', {});
    expect(status.structuredContent).toMatchObject({
      embedder: { available: true },
      vectorSearch: { path: 'node-scan', approximateFrom: 100_000 },
    });
    expect(status.content[0]!.text).toContain('Search: hybrid');
    expect(status.content[0]!.text).toContain('Vectors: in-node scan (exact; approximate index for libraries of 100,000+ vectors)');

    const reindexed = await call(client, 'reindex_library', { library: 'carrel', version: '1.0' });
    expect(reindexed.isError).toBeFalsy();
    expect(reindexed.structuredContent).toMatchObject({ library: 'carrel', chunksWithoutVectors: 0 });
  });

  it('lists documents by library and reads a long one page by page', async () => {
    const client = await connect(tempDir());
    await call(client, 'index_document', { library: 'carrel', title: 'Guide', content: GUIDE });
    await call(client, 'index_document', { library: 'other', title: 'Zebras', content: '# Zebras\n\nZebras have stripes.\n' });
    const listed = await call(client, 'list_documents', { library: 'carrel' });
    expect(listed.structuredContent).toMatchObject({
      documents: [{ title: 'Guide', library: 'carrel', source: 'raw:Guide', chunkCount: 2 }],
      hasMore: false,
    });
    const id = (listed.structuredContent!.documents as { id: number }[])[0]!.id;
    expect(((await call(client, 'list_documents', { limit: 1 })).structuredContent as { hasMore: boolean }).hasMore).toBe(true);

    let text = '';
    let offset: number | null = 0;
    let pages = 0;
    while (offset !== null) {
      const page = await call(client, 'get_document', { documentId: id, offset, maxChars: 200 });
      const data = page.structuredContent as { content: string; nextOffset: number | null; totalChars: number };
      expect(data.content.length).toBeLessThanOrEqual(200);
      if (data.nextOffset !== null) expect(page.content[0]!.text).toContain(`call get_document with offset ${data.nextOffset}`);
      text += data.content;
      offset = data.nextOffset;
      pages++;
    }
    expect(pages).toBeGreaterThan(2);
    expect(text).toContain('Run npm install carrel to install the package.');
    expect(text).toContain('Call search with a query string and filters.');

    const missing = await call(client, 'get_document', { documentId: 999 });
    expect(missing).toMatchObject({ isError: true, structuredContent: { error: { kind: 'not_found' } } });
  });

  it("reads an HTML document's link targets apart from its text, on request", async () => {
    const client = await connect(tempDir());
    const html =
      '<html><body><h1>Retries</h1><p>Jobs wait, as <a href="https://example.org/backoff.html">the backoff guide</a> says.</p></body></html>';
    await call(client, 'index_document', { library: 'carrel', title: 'Retries', content: html, format: 'html' });
    const id = ((await call(client, 'list_documents', { library: 'carrel' })).structuredContent!.documents as { id: number }[])[0]!.id;
    const plain = await call(client, 'get_document', { documentId: id });
    expect(plain.content[0]!.text).toContain('Jobs wait, as the backoff guide says.');
    expect(plain.content[0]!.text).not.toContain('example.org');
    const withLinks = await call(client, 'get_document', { documentId: id, links: true });
    expect(withLinks.content[0]!.text).toContain('## Links\n\n- the backoff guide → https://example.org/backoff.html');
    expect(withLinks.structuredContent).toMatchObject({ links: [{ text: 'the backoff guide', href: 'https://example.org/backoff.html' }] });
  });

  it('answers bad input with tool errors a model can read, and stores nothing', async () => {
    const docs = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.md'), '# Secret\n\nDo not index me.\n');
    const client = await connect(tempDir(), [docs]);
    await call(client, 'index_document', { library: 'lib', title: 'Guide', content: GUIDE });
    const before = await call(client, 'status', {});
    const hits = (await call(client, 'search', { query: 'install' })).structuredContent!.results as {
      documentId: number;
      chunkId: number;
    }[];

    const rating = await call(client, 'rate_chunk', { documentId: hits[0]!.documentId, chunkId: hits[0]!.chunkId, rating: 7 });
    expect(rating).toMatchObject({ isError: true });
    expect(rating.content[0]!.text).toMatch(/Invalid arguments for tool rate_chunk: rating/);

    const missing = await call(client, 'index_document', { library: 'lib', path: join(docs, 'nope.md') });
    expect(missing).toMatchObject({ isError: true, structuredContent: { error: { kind: 'not_found' } } });
    expect(missing.content[0]!.text).toContain('nope.md');

    const refused = await call(client, 'index_document', { library: 'lib', path: join(outside, 'secret.md') });
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: { kind: 'path_not_allowed' } } });
    expect(refused.content[0]!.text).toMatch(/outside the allowed roots.*; .*pass the text as content to index_document/);
    expect(refused.content[0]!.text).not.toContain('allowedRoots');

    const nul = await call(client, 'index_document', { library: 'lib', path: join(docs, 'a\u0000b.md') });
    expect(nul).toMatchObject({ isError: true });
    expect(nul.content[0]!.text).toBe('Invalid arguments for tool index_document: path: contains a NUL character (U+0000)');

    const twoSources = await call(client, 'index_document', { library: 'lib', url: 'https://example.com', content: 'x', title: 'x' });
    expect(twoSources.isError).toBe(true);
    expect(twoSources.content[0]!.text).toContain('exactly one of url, path or content');

    const unknownDoc = await call(client, 'rate_chunk', { documentId: 999, chunkId: 1, rating: 3 });
    expect(unknownDoc).toMatchObject({ isError: true, structuredContent: { error: { kind: 'not_found' } } });

    const unknownLibrary = await call(client, 'search', { query: 'install', library: 'nope' });
    expect(unknownLibrary).toMatchObject({ isError: true, structuredContent: { error: { kind: 'not_found' } } });
    expect(unknownLibrary.content[0]!.text).toBe('Library not found: nope; list_libraries lists them');

    const emptyQuery = await call(client, 'search', { query: '   ' });
    expect(emptyQuery.isError).toBe(true);

    expect((await call(client, 'status', {})).structuredContent).toEqual(before.structuredContent);
    const afterHits = (await call(client, 'search', { query: 'secret' })).structuredContent!.results as { source: string }[];
    expect(afterHits.filter((r) => r.source.includes('secret'))).toEqual([]);
  });

  it('takes library@version in every library argument, as list_libraries prints it', async () => {
    const client = await connect(tempDir());
    const indexed = await call(client, 'index_document', { library: 'carrel@1.0', title: 'Guide', content: GUIDE });
    expect(indexed.structuredContent).toMatchObject({ library: 'carrel', version: '1.0', created: 1 });
    const found = await call(client, 'search', { query: 'install the package', library: 'carrel@1.0' });
    expect(found.structuredContent!.results).toEqual([expect.objectContaining({ heading: 'Guide > Install' }), expect.anything()]);
    const listed = await call(client, 'list_documents', { library: 'carrel@1.0' });
    expect(listed.structuredContent!.documents).toEqual([expect.objectContaining({ library: 'carrel', version: '1.0' })]);
    const reindexed = await call(client, 'reindex_library', { library: 'carrel@1.0' });
    expect(reindexed).toMatchObject({ structuredContent: { library: 'carrel', version: '1.0' } });
    expect(reindexed.isError).toBeFalsy();
    const unknown = await call(client, 'reindex_library', { library: 'carrel@2.0' });
    expect(unknown).toMatchObject({ isError: true, structuredContent: { error: { kind: 'not_found' } } });
    expect(unknown.content[0]!.text).toBe('Library not found: carrel@2.0; list_libraries lists them');
  });

  it('answers an unknown tool with JSON-RPC -32602', async () => {
    const client = await connect(tempDir());
    await expect(
      client.request({ method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } }, CallToolResultSchema),
    ).rejects.toMatchObject({ code: -32602 });
  });

  it('starts an index in the background with async: true and reports it through get_task', async () => {
    const docs = writeCorpus(join(tempDir(), 'docs'), 5, 4);
    const client = await connect(tempDir(), [docs]);
    const started = await call(client, 'index_document', { library: 'corpus', path: docs, async: true });
    const taskId = started.structuredContent!.taskId as string;
    expect(taskId).toMatch(/^[\w-]{20,}$/);
    const task = await pollUntilDone(client, taskId);
    expect(task.status).toBe('completed');
    // A finished task carries the tool's structured result, as the synchronous call would have.
    const finished = await call(client, 'get_task', { taskId });
    expect(finished.structuredContent).toMatchObject({ task: { status: 'completed' }, result: { library: 'corpus', created: 5 } });
    // Both say what the task is for: which tool, which library, which source.
    expect(finished.content[0]!.text).toBe(`Task ${taskId} (index_document: corpus: ${docs}) is completed.`);
    const listed = await call(client, 'list_tasks', {});
    expect(listed.structuredContent!.tasks).toEqual([
      expect.objectContaining({ taskId, tool: 'index_document', about: `corpus: ${docs}` }),
    ]);
    expect(JSON.stringify(listed.structuredContent)).toContain(taskId);
    const found = await call(client, 'search', { query: 'topic 2 of file 3', library: 'corpus' });
    expect((found.structuredContent!.results as unknown[]).length).toBeGreaterThan(0);
  });

  it('runs index_document as a 2025-11-25 task, with progress notifications on the progress token', async () => {
    const docs = writeCorpus(join(tempDir(), 'docs'), 12, 4);
    const client = await connect(tempDir(), [docs]);
    const progress: { progress: number; total?: number }[] = [];
    client.setNotificationHandler(ProgressNotificationSchema, (n) => void progress.push(n.params));
    const { task } = await client.request(
      {
        method: 'tools/call',
        params: { name: 'index_document', arguments: { library: 'corpus', path: docs }, task: {}, _meta: { progressToken: 'p1' } },
      },
      CreateTaskResultSchema,
    );
    const result = await client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ created: 12 });
    const final = await client.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema);
    expect(final.status).toBe('completed');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ total: expect.any(Number) });
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
  });

  it('cancels a running index between batches, keeping only whole documents', async () => {
    const docs = writeCorpus(join(tempDir(), 'docs'), 400, 30);
    const client = await connect(tempDir(), [docs]);
    let cancelled: Promise<unknown> | undefined;
    let taskId = '';
    client.setNotificationHandler(ProgressNotificationSchema, () => {
      cancelled ??= client.request({ method: 'tasks/cancel', params: { taskId } }, GetTaskResultSchema);
    });
    ({
      task: { taskId },
    } = await client.request(
      {
        method: 'tools/call',
        params: { name: 'index_document', arguments: { library: 'big', path: docs }, task: {}, _meta: { progressToken: 'p' } },
      },
      CreateTaskResultSchema,
    ));
    const final = await (async () => {
      for (;;) {
        const t = await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
        if (['completed', 'failed', 'cancelled'].includes(t.status)) return t;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    expect(cancelled).toBeDefined();
    expect(final.status).toBe('cancelled');
    const libraries = (await call(client, 'list_libraries', {})).structuredContent!.libraries as {
      name: string;
      documents: number;
      chunks: number;
    }[];
    const stored = libraries.find((l) => l.name === 'big') ?? { documents: 0, chunks: 0 };
    expect(stored.documents).toBeLessThan(400);
    // Whole documents only: every stored file has all its chunks (all corpus files chunk alike).
    const one = await call(client, 'index_document', { library: 'one', path: join(docs, 'file-0000.md') });
    expect(stored.chunks).toBe(stored.documents * (one.structuredContent!.chunks as number));
  });
});
