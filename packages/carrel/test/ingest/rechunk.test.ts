import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { renderStatus } from '../../src/app/render.js';
import { cliFix } from '../../src/cli/fix.js';
import { WORDPIECE_ESTIMATE } from '../../src/embedders/token-counter.js';
import type { ChunkSizes } from '../../src/ingest/chunking.js';
import { embeddingText } from '../../src/ingest/embedding-session.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function kbIn(dataDir: string, chunker: ChunkSizes = {}, batchChunks?: number): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, chunker, ...(batchChunks && { batchChunks }) });
  open.push(kb);
  return kb;
}

const section = (topic: string) =>
  `## ${topic}\n\n` + Array.from({ length: 40 }, (_, i) => `The ${topic} setting number ${i} changes how the server behaves.`).join(' ');
const manual = `# Manual\n\n${['Install', 'Configure', 'Replication', 'Backups'].map(section).join('\n\n')}\n`;

/** The live chunks of every document, as stored. */
function storedChunks(dataDir: string): { heading: string; text: string; embedded: number }[] {
  const db = new Database(`${dataDir}/carrel.db`, { readonly: true });
  try {
    return db
      .prepare(
        'SELECT c.heading, c.text, c.embedded FROM chunks c JOIN documents d ON d.id = c.document_id AND c.version = d.live_version ORDER BY c.id',
      )
      .all() as { heading: string; text: string; embedded: number }[];
  } finally {
    db.close();
  }
}

describe('recorded chunking plan', () => {
  it('records the plan with the library; another window makes status and ingest ask for a reindex, which rechunks', async () => {
    const dataDir = tempDir();
    const first = await kbIn(dataDir);
    await first.ingestContent({ library: 'pg', version: '15', content: manual, source: 'manual.md' });
    const before = await first.status();
    expect(before.libraries[0]!.chunking).toBe(before.chunking);
    expect(before.chunking).toMatch(/^254 tokens .* by estimate:wordpiece-v1$/);
    expect(renderStatus(before, cliFix)).not.toContain('rechunk');
    const wide = storedChunks(dataDir);
    await first.close();

    // The same library, opened with a smaller window.
    const narrow = await kbIn(dataDir, { maxTokens: 100 });
    const status = await narrow.status();
    expect(status.chunking).toMatch(/^100 tokens/);
    expect(renderStatus(status, cliFix)).toContain(
      `pg@15: chunked for ${before.chunking}, not ${status.chunking}; run carrel reindex pg@15`,
    );
    const added = await narrow.ingestContent({ library: 'pg', version: '15', content: '# Notes\n\nA short note.', source: 'notes.md' });
    expect(added.warnings).toContainEqual({
      message: expect.stringContaining(`Library pg@15 was chunked for ${before.chunking}, the embedder now takes ${status.chunking}`),
      fix: { action: 'reindex', library: 'pg', version: '15' },
    });

    const reindexed = await narrow.reindexLibrary('pg', '15');
    expect(reindexed.warnings).toContainEqual({ message: `Rechunked from ${before.chunking} to ${status.chunking}` });
    const after = storedChunks(dataDir);
    expect(after.length).toBeGreaterThan(wide.length);
    for (const c of after) {
      expect(WORDPIECE_ESTIMATE.count(embeddingText(c.heading, c.text))).toBeLessThanOrEqual(100);
      expect(c.embedded).toBe(1);
    }
    const done = await narrow.status();
    expect(done.libraries[0]!.chunking).toBe(status.chunking);
    expect(renderStatus(done, cliFix)).not.toContain('rechunk');
    const { results, mode } = await narrow.search({ query: 'replication setting number 7', library: 'pg@15' });
    expect(mode).toBe('hybrid');
    expect(results[0]!.heading).toBe('Manual > Replication');
    expect((await narrow.getDocument(results[0]!.documentId)).content).toBe(manual);
  });

  it('rechunks, and re-embeds, a document of more chunks than one batch in several stages, its text intact', async () => {
    const dataDir = tempDir();
    const first = await kbIn(dataDir, { maxTokens: 100 }, 2);
    await first.ingestContent({ library: 'pg', content: manual, source: 'manual.md' });
    const narrow = storedChunks(dataDir);
    expect(narrow.length).toBeGreaterThan(8); // a reindex reads back 4 × batchChunks at a time
    await first.close();

    // A wider window: the document's chunks are read back eight at a time and rechunked as they come.
    const wide = await kbIn(dataDir, { maxTokens: 200 }, 2);
    await wide.reindexLibrary('pg');
    const rechunked = storedChunks(dataDir);
    expect(rechunked.length).toBeLessThan(narrow.length);
    expect(rechunked.every((c) => c.embedded === 1)).toBe(true);
    const [doc] = (await wide.listDocuments({ library: 'pg' })).documents;
    expect((await wide.getDocument(doc!.id)).content).toBe(manual);
    await wide.close();

    // Another model, the same plan: the chunks are copied eight at a time with new vectors.
    const other = await KnowledgeBase.open({
      dataDir,
      embedder: { kind: 'offline', dims: 64 },
      chunker: { maxTokens: 200 },
      batchChunks: 2,
    });
    open.push(other);
    await other.reindexLibrary('pg');
    expect(storedChunks(dataDir).map(({ heading, text }) => ({ heading, text }))).toEqual(
      rechunked.map(({ heading, text }) => ({ heading, text })),
    );
    expect((await other.listLibraries())[0]).toMatchObject({ dims: 64 });
    expect((await other.getDocument(doc!.id)).content).toBe(manual);
  });

  it('leaves a library whose plan is unchanged alone: a reindex re-embeds nothing', async () => {
    const dataDir = tempDir();
    const kb = await kbIn(dataDir);
    await kb.ingestContent({ library: 'pg', content: manual, source: 'manual.md' });
    const result = await kb.reindexLibrary('pg');
    expect(result.chunks).toBe(0);
    expect(result.warnings).toEqual([]);
  });
});
