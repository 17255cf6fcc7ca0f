import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ContentTooLargeError,
  EmbedderMismatchError,
  IngestCancelledError,
  InvalidInputError,
  KnowledgeBase,
  NotFoundError,
  PathNotAllowedError,
  UnsupportedContentError,
} from 'carrel';
import { tempDir } from './support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function kbIn(dataDir = tempDir(), options: Parameters<typeof KnowledgeBase.open>[0] = {}): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, ...options });
  open.push(kb);
  return kb;
}

function snapshot(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return {
      documents: db.prepare('SELECT library_id, source, content_hash, chunk_count FROM documents ORDER BY id').all(),
      chunks: db.prepare('SELECT count(*) AS n FROM chunks').get(),
      ratings: db.prepare('SELECT count(*) AS n FROM ratings').get(),
      libraries: db.prepare('SELECT name, version, embedder, dims FROM libraries ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

// Sections longer than the chunker's minChars, so each becomes its own chunk.
const filler = (topic: string) => `This paragraph talks about ${topic} at some length so that the section is a real one. `.repeat(8);
const guide = `# Guide\n\n## Install\n\nRun npm install carrel to install the package.\n\n${filler('setup')}\n\n## Search\n\nCall search with a query string and filters.\n\n${filler('queries')}\n`;

describe('KnowledgeBase', () => {
  it('ingests raw markdown into its library, with the embedder and dims recorded', async () => {
    const kb = await kbIn();
    const result = await kb.ingestContent({ library: 'carrel', version: '1.0', content: guide, source: 'guide.md', tags: ['docs'] });
    expect(result).toMatchObject({ created: 1, chunks: 2, chunksWithoutVectors: 0 });
    expect(await kb.listLibraries()).toEqual([
      expect.objectContaining({ name: 'carrel', version: '1.0', embedder: 'offline:hash-v2', dims: 64 }),
    ]);
    const { results, mode } = await kb.search({ query: 'install the package' });
    expect(mode).toBe('hybrid');
    expect(results[0]).toMatchObject({ title: 'Guide', heading: 'Guide > Install', library: 'carrel', version: '1.0', bm25Rank: 1 });
    expect(results[0]!.snippet).toContain('npm install carrel');
    expect(results[0]!.explanation).toMatch(/keyword rank 1 \(all query words\); semantic rank \d/);
  });

  it('treats an unchanged re-ingest as a no-op and replaces the chunks of a changed document', async () => {
    const kb = await kbIn();
    await kb.ingestContent({ library: 'lib', content: guide, source: 'guide.md' });
    const before = snapshot(kb.databasePath!);
    expect(await kb.ingestContent({ library: 'lib', content: guide, source: 'guide.md' })).toMatchObject({
      unchanged: 1,
      created: 0,
      chunks: 0,
    });
    expect(snapshot(kb.databasePath!)).toEqual(before);

    const changed = await kb.ingestContent({ library: 'lib', content: '# Guide\n\nEverything about zebras now.\n', source: 'guide.md' });
    expect(changed).toMatchObject({ updated: 1, chunks: 1 });
    const old = (await kb.search({ query: 'install' })).results;
    expect(old.filter((r) => r.bm25Rank !== null || r.snippet.includes('install'))).toEqual([]);
    expect((await kb.search({ query: 'zebras' })).results).toMatchObject([{ bm25Rank: 1, snippet: 'Everything about zebras now.' }]);
    const db = new Database(kb.databasePath!, { readonly: true });
    sqliteVec.load(db);
    expect(db.prepare('SELECT count(*) AS n FROM chunks').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM vec_chunks_64').get()).toEqual({ n: 1 });
    db.close();
  });

  it('applies library, version, tag, source and rating filters before cutting candidates', async () => {
    const kb = await kbIn();
    // Many strong matches in one library, a single weak one in the filtered library.
    for (let i = 0; i < 60; i++)
      await kb.ingestContent({ library: 'noise', content: `# Queue ${i}\n\nqueue queue queue worker ${i}`, source: `n${i}` });
    const rare = await kb.ingestContent({
      library: 'target',
      version: '2',
      content: '# Rare\n\nA queue mentioned once among other words.',
      source: 'https://docs.example/rare',
      tags: ['a', 'b'],
    });
    await kb.ingestContent({ library: 'target', version: '2', content: '# Other\n\nqueue again', source: 'local/other.md', tags: ['a'] });
    const id = rare.documents[0]!.documentId!;

    const byLibrary = await kb.search({ query: 'queue', library: 'target', limit: 5 });
    expect(byLibrary.results.map((r) => r.library)).toEqual(['target', 'target']);
    // A version that does not exist is not an empty result: it is not found, and says how to list them.
    await expect(kb.search({ query: 'queue', library: 'target', version: '3' })).rejects.toThrow(NotFoundError);
    expect((await kb.search({ query: 'queue', tags: ['a', 'b'] })).results.map((r) => r.documentId)).toEqual([id]);
    const bySource = await kb.search({ query: 'queue', source: 'https://docs.example/' });
    expect(bySource.results.map((r) => r.documentId)).toEqual([id]);
    expect(bySource.results[0]!.vectorRank).toBe(1);
    expect((await kb.search({ query: 'queue', minRating: 4 })).results).toEqual([]);
    await kb.rate(id, 5);
    expect((await kb.search({ query: 'queue', minRating: 4 })).results.map((r) => r.documentId)).toEqual([id]);
  });

  it('lets ratings move a document up the ranking and explains it', async () => {
    const kb = await kbIn();
    const a = await kb.ingestContent({ library: 'l', content: '# A\n\nretry backoff policy', source: 'a' });
    const b = await kb.ingestContent({ library: 'l', content: '# B\n\nretry backoff policy', source: 'b' });
    const first = (await kb.search({ query: 'retry backoff policy' })).results[0]!.documentId;
    const other = first === a.documents[0]!.documentId ? b.documents[0]!.documentId! : a.documents[0]!.documentId!;
    for (let i = 0; i < 5; i++) await kb.rate(other, 5);
    const top = (await kb.search({ query: 'retry backoff policy' })).results[0]!;
    expect(top.documentId).toBe(other);
    expect(top.explanation).toContain('rated 5.0/5 by 5 → ×1.20');
  });

  it('lists documents under a source prefix or by words in the title, and says an unknown library is not found', async () => {
    const kb = await kbIn();
    await kb.ingestContent({ library: 'l', version: '1', content: guide, title: 'Install Guide', source: 'docs/install.md' });
    await kb.ingestContent({ library: 'l', version: '1', content: '# API\n\ncalls', title: 'API 100%_done', source: 'ref/api.md' });
    const titles = async (filter: Parameters<KnowledgeBase['listDocuments']>[0]) =>
      (await kb.listDocuments(filter)).documents.map((d) => d.title);
    expect(await titles({ source: 'docs/' })).toEqual(['Install Guide']);
    expect(await titles({ title: 'guide' })).toEqual(['Install Guide']);
    expect(await titles({ title: '100%_' })).toEqual(['API 100%_done']);
    expect(await titles({ title: '0%d' })).toEqual([]);
    expect(await titles({ library: 'l@1', title: 'api' })).toEqual(['API 100%_done']);
    for (const unknown of ['nope', 'l@2']) await expect(kb.listDocuments({ library: unknown })).rejects.toThrow(NotFoundError);
    await expect(kb.search({ query: 'install', library: 'nope' })).rejects.toMatchObject({
      kind: 'not_found',
      problem: 'Library not found: nope',
      fix: { action: 'list_libraries' },
    });
  });

  it('paginates with offset and limit', async () => {
    const kb = await kbIn();
    for (let i = 0; i < 7; i++)
      await kb.ingestContent({ library: 'l', content: `# Doc ${i}\n\nshared term ${'x'.repeat(i)}`, source: `d${i}` });
    const first = await kb.search({ query: 'shared term', limit: 3 });
    const second = await kb.search({ query: 'shared term', limit: 3, offset: 3 });
    const third = await kb.search({ query: 'shared term', limit: 3, offset: 6 });
    expect(first.hasMore).toBe(true);
    expect(third.hasMore).toBe(false);
    const ids = [...first.results, ...second.results, ...third.results].map((r) => r.chunkId);
    expect(new Set(ids).size).toBe(7);
  });

  it('rejects bad input with clear errors and changes nothing stored', async () => {
    const root = tempDir();
    const outside = tempDir();
    writeFileSync(join(outside, 'secret.md'), '# secret');
    writeFileSync(join(root, 'big.md'), 'x'.repeat(5000));
    writeFileSync(join(root, 'blob.md'), Buffer.from([1, 2, 0, 3, 4, 0]));
    const kb = await kbIn(tempDir(), { allowedRoots: [root], maxFileBytes: 4096 });
    const doc = await kb.ingestContent({ library: 'l', content: guide, source: 'g' });
    const before = snapshot(kb.databasePath!);

    await expect(kb.ingestFile(join(root, 'missing.md'), { library: 'l' })).rejects.toThrow(NotFoundError);
    await expect(kb.ingestFile(join(root, 'a\u0000b.md'), { library: 'l' })).rejects.toThrow(
      'Invalid path: expected a path without NUL characters',
    );
    await expect(kb.ingestDirectory(`${root}\u0000`, { library: 'l' })).rejects.toThrow(InvalidInputError);
    await expect(kb.ingestFile(join(outside, 'secret.md'), { library: 'l' })).rejects.toThrow(PathNotAllowedError);
    await expect(kb.ingestFile(join(root, '..', outside.split('/').pop()!, 'secret.md'), { library: 'l' })).rejects.toThrow(
      PathNotAllowedError,
    );
    await expect(kb.ingestFile(join(root, 'big.md'), { library: 'l' })).rejects.toThrow(ContentTooLargeError);
    await expect(kb.ingestFile(join(root, 'blob.md'), { library: 'l' })).rejects.toThrow(UnsupportedContentError);
    await expect(kb.ingestContent({ library: '', content: 'x' })).rejects.toThrow(InvalidInputError);
    await expect(kb.rate(doc.documents[0]!.documentId!, 7)).rejects.toThrow(/rating: expected an integer from 1 to 5/);
    await expect(kb.rate(999, 3)).rejects.toThrow(NotFoundError);
    await expect(kb.search({ query: '  ' })).rejects.toThrow(InvalidInputError);
    expect(snapshot(kb.databasePath!)).toEqual(before);
  });

  it('refuses to mix embedders in a library until it is reindexed', async () => {
    const dataDir = tempDir();
    const first = await kbIn(dataDir);
    await first.ingestContent({ library: 'l', content: guide, source: 'g' });
    await first.close();
    open.splice(open.indexOf(first), 1);

    const wider = await kbIn(dataDir, { embedder: { kind: 'offline', dims: 32 } });
    await expect(wider.ingestContent({ library: 'l', content: '# New\n\nnew text', source: 'n' })).rejects.toThrow(EmbedderMismatchError);
    const search = await wider.search({ query: 'install' });
    expect(search.notes.map((n) => n.message).join()).toMatch(/BM25 only for it/);
    expect(search.results[0]!.bm25Rank).toBe(1);

    const reindexed = await wider.reindexLibrary('l');
    expect(reindexed.chunks).toBe(2);
    expect(reindexed.warnings[0]!.message).toMatch(/Switched from offline:hash-v2 \(64 dims\)/);
    expect((await wider.listLibraries())[0]).toMatchObject({ dims: 32 });
    expect((await wider.search({ query: 'install' })).results[0]!.vectorRank).toBe(1);
    await wider.ingestContent({ library: 'l', content: '# New\n\nnew text', source: 'n' });
  });

  it('says search is keyword-only with the first search that is, not on every search after', async () => {
    const kb = await kbIn(tempDir(), { embedder: { kind: 'none' } });
    await kb.ingestContent({ library: 'l', content: guide, source: 'g' });
    const notes = async () => (await kb.search({ query: 'install' })).notes.map((n) => n.message);
    expect(await notes()).toEqual(['BM25 only: no embedder is configured']);
    expect(await notes()).toEqual([]);
    expect(await notes()).toEqual([]);
    expect((await kb.status()).embedder).toMatchObject({ available: false, reason: 'no embedder is configured' });
  });

  it('stores BM25-only when no model can be loaded, says so in status, and reindex fills the vectors later', async () => {
    const dataDir = tempDir();
    const noModel = await kbIn(dataDir, { embedder: { kind: 'local', allowDownload: false } });
    const result = await noModel.ingestContent({ library: 'l', content: guide, source: 'g' });
    expect(result).toMatchObject({ created: 1, chunks: 2, chunksWithoutVectors: 2 });
    expect(result.warnings[0]!.message).toMatch(/No vectors: Embedder local:Xenova\/all-MiniLM-L6-v2 is unavailable.*downloads are off/);
    const status = await noModel.status();
    expect(status.embedder).toMatchObject({ available: false });
    expect(status.libraries[0]).toMatchObject({ chunks: 2, chunksWithoutVectors: 2, embedder: null });
    const search = await noModel.search({ query: 'install' });
    expect(search.mode).toBe('bm25');
    expect(search.results[0]!.heading).toBe('Guide > Install');
    await noModel.close();
    open.splice(open.indexOf(noModel), 1);

    const withModel = await kbIn(dataDir);
    const filled = await withModel.reindexLibrary('l');
    expect(filled.chunks).toBe(2);
    expect((await withModel.status()).libraries[0]).toMatchObject({ chunksWithoutVectors: 0, embedder: 'offline:hash-v2' });
  }, 60_000);

  it('does nothing when the signal is already aborted', async () => {
    const kb = await kbIn();
    const controller = new AbortController();
    controller.abort();
    await expect(kb.ingestContent({ library: 'l', content: guide, source: 'g' }, { signal: controller.signal })).rejects.toThrow(
      IngestCancelledError,
    );
    expect(await kb.listLibraries()).toEqual([]);
  });

  it('a cancelled folder ingest leaves the library as it was, even after batches were staged', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'docs'));
    for (let i = 0; i < 200; i++)
      writeFileSync(
        join(root, 'docs', `d${String(i).padStart(3, '0')}.md`),
        `# Doc ${i}\n\n${'word '.repeat(300)}\n\n## Part\n\n${'more '.repeat(300)}`,
      );
    const dataDir = tempDir();
    const controller = new AbortController();
    const cancelled = new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
    // The ingest worker waits for each embedding, so holding one back until the cancel keeps the
    // run from publishing before it (it did, one run in many, when progress reports lagged).
    let calls = 0;
    const embedder = {
      name: 'held-until-cancelled',
      dims: 4,
      embed: async (texts: readonly string[]) => {
        if (++calls > 40 && !controller.signal.aborted) await cancelled;
        return texts.map(() => [1, 0, 0, 0]);
      },
    };
    const kb = await KnowledgeBase.open({ dataDir, embedder, allowedRoots: [root], batchChunks: 8 });
    await kb.ingestContent({ library: 'l', content: '# Kept\n\nwritten before', source: 'kept' });
    const before = await kb.search({ query: 'word more', library: 'l' });
    let abortedAt = 0;
    const onProgress = (current: number) => {
      if (current >= 40 && !controller.signal.aborted) {
        abortedAt = current;
        controller.abort();
      }
    };
    const run = kb.ingestDirectory(root, { library: 'l' }, { signal: controller.signal, onProgress });
    await expect(run).rejects.toThrow(IngestCancelledError);
    // At least 40 files were staged (progress counts staged files), and none of them is visible.
    expect(abortedAt).toBeGreaterThanOrEqual(40);
    expect((await kb.listDocuments({ library: 'l' })).documents.map((d) => d.source)).toEqual(['kept']);
    expect(await kb.search({ query: 'word more', library: 'l' })).toEqual(before);
    expect((await kb.status()).libraries).toEqual([expect.objectContaining({ name: 'l', documents: 1 })]);
    // The staged rows are collected: after close, nothing of the cancelled run is left in the file.
    await kb.close();
    const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
    expect(db.prepare('SELECT source FROM documents').all()).toEqual([{ source: 'kept' }]);
    expect(db.prepare('SELECT count(*) AS n FROM chunks').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM document_stages').get()).toEqual({ n: 0 });
    db.close();
    const again = await kbIn(dataDir, { allowedRoots: [root], batchChunks: 8, embedder });
    expect(await again.ingestDirectory(root, { library: 'l' })).toMatchObject({ created: 200, unchanged: 0, failed: 0 });
  });

  it('shows a folder only once all of it is written', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'docs'));
    for (let i = 0; i < 60; i++) writeFileSync(join(root, 'docs', `d${i}.md`), `# Doc ${i}\n\n${'visible '.repeat(400)}`);
    const kb = await kbIn(tempDir(), { allowedRoots: [root], batchChunks: 8 });
    const seen: number[] = [];
    // Each progress report follows a staged batch: what do readers see at that moment? (Read at
    // once, synchronously: the publish may follow the last report within milliseconds.)
    // Unfiltered: the library itself is not listed yet, so naming it would be a NotFoundError.
    const onProgress = () =>
      void Promise.all([kb.listDocuments(), kb.listLibraries()]).then(([listed, libraries]) =>
        seen.push(listed.documents.length + libraries.length),
      );
    expect(await kb.ingestDirectory(root, { library: 'l' }, { onProgress })).toMatchObject({ created: 60 });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((n) => n === 0)).toBe(true);
    expect((await kb.listDocuments({ library: 'l', limit: 100 })).documents).toHaveLength(60);
  });

  it('keeps the result of a folder with thousands of failing files small, listing failures first', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'docs'));
    for (let i = 0; i < 3000; i++)
      writeFileSync(join(root, 'docs', `bad-${String(i).padStart(4, '0')}-${'x'.repeat(100)}.md`), Buffer.from([0, 1, 2, 0]));
    for (let i = 0; i < 5; i++) writeFileSync(join(root, 'docs', `good-${i}.md`), `# Good ${i}\n\nfine`);
    const kb = await kbIn(tempDir(), { allowedRoots: [root] });
    const result = await kb.ingestDirectory(root, { library: 'l' });
    expect(result).toMatchObject({ created: 5, failed: 3000 });
    expect(result.documents).toHaveLength(100);
    expect(result.documents.every((d) => d.status === 'failed' && /binary/.test(d.error!))).toBe(true);
    expect(result.unlisted).toBe(3005 - 100);
    expect(result.warnings).toContainEqual({ message: '2905 more documents are counted but not listed' });
    expect(JSON.stringify(result).length).toBeLessThan(64 * 1024);
  }, 60_000);
});
