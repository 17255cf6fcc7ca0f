import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import type { InProcessEmbedder } from 'carrel';
import { EmbedderFailedError, EmbedderMismatchError, IngestCancelledError, InvalidInputError, KnowledgeBase } from 'carrel';
import { WORDPIECE_ESTIMATE } from '../../src/embedders/token-counter.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function kbWith(embedder: InProcessEmbedder, dataDir = tempDir()): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ dataDir, embedder });
  open.push(kb);
  return kb;
}

const TOPICS = ['install', 'search', 'zebra'];

/** A toy model: one dimension per topic word, so a made-up word ("xyzzy") can be made to mean "install". */
function topics(name = 'topics', calls: string[][] = []): InProcessEmbedder {
  return {
    name,
    dims: TOPICS.length,
    async embed(texts) {
      calls.push([...texts]);
      return texts.map((t) => TOPICS.map((topic) => (t.includes(topic) || (topic === 'install' && t.includes('xyzzy')) ? 1 : 0.01)));
    },
  };
}

const doc = (topic: string) =>
  `# ${topic}\n\nAll about ${topic}. ${'Words that make the section long enough to stand on its own. '.repeat(6)}\n`;

describe('an in-process embedder', () => {
  it('embeds ingest and queries on the caller thread; its vectors are stored and found by search', async () => {
    const calls: string[][] = [];
    const kb = await kbWith(topics('topics', calls));
    const result = await kb.ingestContent({ library: 'lib', content: doc('install'), source: 'install.md' });
    await kb.ingestContent({ library: 'lib', content: doc('search'), source: 'search.md' });
    expect(result).toMatchObject({ created: 1, chunksWithoutVectors: 0 });
    expect(calls.flat().some((t) => t.includes('All about install'))).toBe(true);
    expect(await kb.listLibraries()).toEqual([expect.objectContaining({ name: 'lib', embedder: 'app:topics', dims: 3 })]);

    const db = new Database(kb.databasePath!, { readonly: true });
    sqliteVec.load(db);
    try {
      expect(db.prepare('SELECT count(*) AS n FROM vec_chunks_3').get()).toEqual({ n: 2 });
    } finally {
      db.close();
    }

    // No word of the query is in any document: only the embedder's vectors can find it.
    const { results, mode } = await kb.search({ query: 'xyzzy' });
    expect(mode).toBe('vector');
    expect(results[0]).toMatchObject({ source: 'install.md', vectorRank: 1, bm25Rank: null });
    expect(calls.at(-1)).toEqual(['xyzzy']);
    expect((await kb.status()).embedder).toEqual({ id: 'app:topics', available: true });
  });

  it('treats a new name as a new model: ingest refuses the library until a reindex switches it', async () => {
    const dataDir = tempDir();
    const first = await kbWith(topics('topics'), dataDir);
    await first.ingestContent({ library: 'lib', content: doc('install'), source: 'install.md' });
    await first.close();

    const renamed = await kbWith(topics('topics-v2'), dataDir);
    const refused = await renamed.ingestContent({ library: 'lib', content: doc('search'), source: 'search.md' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(EmbedderMismatchError);
    expect((refused as Error).message).toContain('app:topics, not app:topics-v2');
    const reindexed = await renamed.reindexLibrary('lib');
    expect(reindexed).toMatchObject({ chunks: 1 });
    expect(await renamed.listLibraries()).toEqual([expect.objectContaining({ embedder: 'app:topics-v2', dims: 3 })]);
  });

  it.each([
    ['throws', async () => Promise.reject(new Error('GPU on fire')), 'Embedder app:broken failed: GPU on fire'],
    ['returns too few vectors', async () => [], 'Embedder app:broken failed: returned 0 vectors for 1 texts'],
    ['returns the wrong dimension', async (texts: readonly string[]) => texts.map(() => [1, 2]), 'vector 0 has 2 dimensions, declared 3'],
    ['returns NaN', async (texts: readonly string[]) => texts.map(() => [1, Number.NaN, 0]), 'vector 0 has a non-finite value'],
  ])('fails the ingest, naming the embedder, when it %s; nothing is stored', async (_, embed, message) => {
    const kb = await kbWith({ name: 'broken', dims: 3, embed });
    const err = await kb.ingestContent({ library: 'lib', content: '# One\n\nShort text.\n', source: 'one.md' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedderFailedError);
    expect((err as Error).message).toContain(message);
    expect(await kb.listLibraries()).toEqual([]);
  });

  it('fails a reindex the same way', async () => {
    const dataDir = tempDir();
    const first = await kbWith(topics('topics'), dataDir);
    await first.ingestContent({ library: 'lib', content: doc('install'), source: 'install.md' });
    await first.close();
    const broken = await kbWith({ name: 'broken', dims: 3, embed: async () => [] }, dataDir);
    const err = await broken.reindexLibrary('lib').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedderFailedError);
    expect((err as Error).message).toContain('Embedder app:broken failed: returned 0 vectors');
  });

  it('hands the cancel of an ingest to the embedder as an aborted signal', async () => {
    let received: AbortSignal | undefined;
    let called!: () => void;
    const embedding = new Promise<void>((resolve) => (called = resolve));
    const kb = await kbWith({
      name: 'slow',
      dims: 3,
      embed: (_texts, signal) => {
        received = signal;
        called();
        return new Promise((_, reject) => signal!.addEventListener('abort', () => reject(signal!.reason as Error)));
      },
    });
    const controller = new AbortController();
    const ingest = kb.ingestContent({ library: 'lib', content: doc('install'), source: 'install.md' }, { signal: controller.signal });
    await embedding;
    controller.abort();
    await expect(ingest).rejects.toBeInstanceOf(IngestCancelledError);
    expect(received!.aborted).toBe(true);
    expect(await kb.listLibraries()).toEqual([]);
  });

  it('refuses a declaration without a usable name or dimension when the knowledge base opens', async () => {
    const embed = async () => [];
    await expect(KnowledgeBase.open({ dataDir: tempDir(), embedder: { name: 'x', dims: 0, embed } })).rejects.toThrow(InvalidInputError);
    await expect(KnowledgeBase.open({ dataDir: tempDir(), embedder: { name: ' ', dims: 3, embed } })).rejects.toThrow(/embedder\.name/);
    await expect(KnowledgeBase.open({ dataDir: tempDir(), embedder: { name: 'x', dims: 3, embed, maxTokens: 8 } })).rejects.toThrow(
      /embedder\.maxTokens/,
    );
  });

  it('fits chunks to its maxTokens in the ingest worker, and never hands it a longer text', async () => {
    const calls: string[][] = [];
    const kb = await kbWith({ ...topics('small-window', calls), maxTokens: 32 });
    const long = `# install\n\n${Array.from({ length: 40 }, (_, i) => `Sentence ${i} says how to install the tool.`).join(' ')}\n`;
    const result = await kb.ingestContent({ library: 'lib', content: long, source: 'long.md' });
    expect(result.chunks).toBeGreaterThan(5);
    const texts = calls.flat();
    expect(texts).toHaveLength(result.chunks);
    for (const text of texts) expect(WORDPIECE_ESTIMATE.count(text)).toBeLessThanOrEqual(32);
  });
});
