/**
 * The knowledge base through the dashboard over real HTTP, after a real ingest: libraries with
 * their counts and vector coverage, a library's documents, a document's chunks, search as the
 * `search` tool answers it, and connectors with their last sync and "sync now" (a sync task of
 * the session's owner) — never a connector's secret.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { Browser, indexTask, startServer, TOKENS } from './support/dashboard-server.js';

const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;

describe('dashboard libraries and connectors', { timeout: 60_000 }, () => {
  it('lists libraries and documents, shows a document’s chunks, and searches', async () => {
    const server = await startServer({ tokens: true });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.reader);
    const id = await indexTask(
      server.runtime,
      'alice',
      'Zebras',
      '# Zebras\n\nZebras have black and white stripes.\n\n## Diet\n\nGrass, mostly.\n',
    );
    expect((await server.runtime.engine.waitForTerminal(id, 'alice')).status).toBe('completed');

    const { libraries } = await json<{ libraries: Record<string, unknown>[] }>(await browser.get('/dashboard/api/libraries'));
    expect(libraries).toEqual([
      {
        name: 'notes',
        version: '',
        documents: 1,
        chunks: expect.any(Number),
        embedder: expect.any(String),
        dims: expect.any(Number),
        vectorCoverage: 1,
        pending: 0,
      },
    ]);
    const { documents } = await json<{ documents: { id: number; title: string; chunks: number }[] }>(
      await browser.get('/dashboard/api/libraries/notes/documents'),
    );
    expect(documents).toEqual([
      { id: expect.any(Number), title: 'Zebras', source: expect.any(String), kind: 'raw', chunks: libraries[0]!.chunks },
    ]);
    const { document } = await json<{ document: { chunks: { ord: number; heading: string; text: string }[] } }>(
      await browser.get(`/dashboard/api/documents/${documents[0]!.id}`),
    );
    expect(document).toMatchObject({ id: documents[0]!.id, library: 'notes', title: 'Zebras', kind: 'raw' });
    expect(document.chunks.map((c) => c.ord)).toEqual(document.chunks.map((_, i) => i));
    expect(document.chunks.map((c) => c.text).join('\n')).toContain('black and white stripes');

    const search = await json<{ results: { title: string; snippet: string; documentId: number }[]; mode: string }>(
      await browser.get('/dashboard/api/search?q=stripes&library=notes'),
    );
    expect(search.results[0]).toMatchObject({ title: 'Zebras', documentId: documents[0]!.id, snippet: expect.stringContaining('stripes') });
    expect(search.mode).toEqual(expect.any(String));

    expect((await browser.get('/dashboard/api/libraries/nope/documents')).status).toBe(404);
    expect((await browser.get('/dashboard/api/documents/999999')).status).toBe(404);
    expect((await browser.get('/dashboard/api/documents/abc')).status).toBe(400);
    expect((await browser.get('/dashboard/api/search?q=')).status).toBe(400);
  });

  it('lists connectors with their last sync, and "sync now" starts a sync task of the session owner', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'guide'));
    writeFileSync(join(root, 'guide', 'a.md'), '# A\n\nAlpha.\n');
    writeFileSync(join(root, 'guide', 'b.md'), '# B\n\nBeta.\n');
    const server = await startServer({ tokens: true, allow: [root] });
    const kb = await server.runtime.kb.get();
    await kb.addConnector({ name: 'docs', kind: 'directory', library: 'guide@1', options: { path: root }, schedule: '0 3 * * *' });
    const browser = new Browser(server.origin);
    await browser.login(TOKENS.alice);

    const before = await json<{ connectors: Record<string, unknown>[] }>(await browser.get('/dashboard/api/connectors'));
    expect(before.connectors).toEqual([
      {
        name: 'docs',
        kind: 'directory',
        library: 'guide',
        version: '1',
        schedule: '0 3 * * *',
        nextRun: expect.any(Number),
        lastSync: null,
      },
    ]);
    const started = await browser.post('/dashboard/api/connectors/docs/sync', {});
    expect(started.status).toBe(202);
    const { task } = await json<{ task: { id: string; owner: string; tool: string } }>(started);
    expect(task).toMatchObject({ owner: 'alice', tool: 'sync_connector' });
    expect((await server.runtime.engine.waitForTerminal(task.id, 'alice')).status).toBe('completed');
    const after = await json<{ connectors: { lastSync: Record<string, unknown> }[] }>(await browser.get('/dashboard/api/connectors'));
    expect(after.connectors[0]!.lastSync).toMatchObject({ at: expect.any(Number), status: 'synced', added: 2, updated: 0, deleted: 0 });
    expect((await browser.post('/dashboard/api/connectors/missing/sync', {})).status).toBe(404);
  });
});
