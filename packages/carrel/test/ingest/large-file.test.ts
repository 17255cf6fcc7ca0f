import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { IngestCancelledError, KnowledgeBase } from 'carrel';
import { tempDir } from '../support/temp-dir.js';

async function writeLargeMarkdown(path: string, sections: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < sections; i++) {
    const block = `## Section ${i}\n\n${`Paragraph ${i} streams through the chunker without being held whole. `.repeat(20)}\n\n`;
    bytes += block.length;
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(resolve));
  return bytes;
}

describe('large files', () => {
  it('streams a file above the threshold into one document, staged batch by batch and published at once', async () => {
    const root = tempDir();
    const path = join(root, 'big.md');
    const bytes = await writeLargeMarkdown(path, 12_000);
    const kb = await KnowledgeBase.open({
      dataDir: tempDir(),
      embedder: { kind: 'offline' },
      allowedRoots: [root],
      streamThresholdBytes: 1024 * 1024,
    });
    try {
      const progress: number[] = [];
      const result = await kb.ingestFile(path, { library: 'big' }, { onProgress: (current) => progress.push(current) });
      expect(bytes).toBeGreaterThan(15_000_000);
      expect(result).toMatchObject({ created: 1, chunksWithoutVectors: 0 });
      expect(result.chunks).toBeGreaterThan(10_000);
      expect(progress.length).toBeGreaterThan(10);
      const { results } = await kb.search({ query: 'section 11999 paragraph 11999' });
      expect(results.find((r) => r.bm25Rank === 1)!.heading).toBe('Section 11999');
      expect(await kb.ingestFile(path, { library: 'big' })).toMatchObject({ unchanged: 1 });
    } finally {
      await kb.close();
    }
  }, 120_000);

  it('a cancel in the middle of a streamed file leaves no trace of it', async () => {
    const root = tempDir();
    const path = join(root, 'big.md');
    await writeLargeMarkdown(path, 8_000);
    const kb = await KnowledgeBase.open({
      dataDir: tempDir(),
      embedder: { kind: 'offline' },
      allowedRoots: [root],
      streamThresholdBytes: 1024 * 1024,
      batchChunks: 64,
    });
    try {
      const controller = new AbortController();
      const run = kb.ingestFile(
        path,
        { library: 'big' },
        { signal: controller.signal, onProgress: (current, total) => current > total / 3 && controller.abort() },
      );
      await expect(run).rejects.toThrow(IngestCancelledError);
      expect((await kb.listDocuments()).documents).toEqual([]);
    } finally {
      await kb.close();
    }
    // Closing collects the staged rows: nothing of the cancelled file is left.
    const db = new Database(kb.databasePath!, { readonly: true });
    expect(db.prepare('SELECT (SELECT count(*) FROM documents) AS d, (SELECT count(*) FROM chunks) AS c').get()).toEqual({ d: 0, c: 0 });
    db.close();
  }, 120_000);

  it('lets others write while a large file streams in, without stalling the event loop', async () => {
    const root = tempDir();
    const path = join(root, 'big.md');
    await writeLargeMarkdown(path, 12_000);
    const kb = await KnowledgeBase.open({
      dataDir: tempDir(),
      embedder: { kind: 'offline' },
      allowedRoots: [root],
      streamThresholdBytes: 1024 * 1024,
    });
    try {
      const small = await kb.ingestContent({ library: 'notes', content: '# Note\n\nsmall', source: 'note' });
      const documentId = small.documents[0]!.documentId!;
      let streaming!: () => void;
      const started = new Promise<void>((resolve) => (streaming = resolve));
      const big = kb.ingestFile(path, { library: 'big' }, { onProgress: () => streaming() });
      await started;
      let last = performance.now();
      let stallMs = 0;
      const ticker = setInterval(() => {
        stallMs = Math.max(stallMs, performance.now() - last);
        last = performance.now();
      }, 5);
      let writes = 0;
      let finished = false;
      void big.finally(() => (finished = true));
      while (!finished) {
        await kb.rate(documentId, 4);
        writes++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      clearInterval(ticker);
      expect(await big).toMatchObject({ created: 1 });
      expect(writes).toBeGreaterThan(5);
      // Holding the write lock across the whole file would have held this thread as long.
      expect(stallMs).toBeLessThan(1000);
      const other = await kb.ingestContent({ library: 'notes', content: '# Two\n\nafter', source: 'two' });
      await kb.deleteDocument(other.documents[0]!.documentId!);
    } finally {
      await kb.close();
    }
  }, 120_000);

  it('gives back long lines and streamed files exactly as they were', async () => {
    const root = tempDir();
    const longLine = `# Notes\n\n${'word '.repeat(1_000).trim()}\n\nafter the long line\n`;
    const streamed = `# Big\r\n\r\n${'x'.repeat(300_000)}\r\n\r\n## Tail\r\n\r\n${'Some sentence here. '.repeat(60_000)}\r\nend`;
    writeFileSync(join(root, 'long.md'), longLine);
    writeFileSync(join(root, 'big.md'), streamed);
    const kb = await KnowledgeBase.open({
      dataDir: tempDir(),
      embedder: { kind: 'offline' },
      allowedRoots: [root],
      streamThresholdBytes: 1024 * 1024,
    });
    try {
      const read = async (file: string) => {
        const id = (await kb.ingestFile(join(root, file), { library: 'l' })).documents[0]!.documentId!;
        let text = '';
        for (let offset: number | null = 0; offset !== null;) {
          const page = await kb.getDocument(id, { offset, maxChars: 1_000_000 });
          text += page.content;
          offset = page.nextOffset;
        }
        return text;
      };
      expect(await read('long.md')).toBe(longLine);
      expect(streamed.length).toBeGreaterThan(1024 * 1024);
      expect(await read('big.md')).toBe(streamed);
    } finally {
      await kb.close();
    }
  }, 120_000);
});
