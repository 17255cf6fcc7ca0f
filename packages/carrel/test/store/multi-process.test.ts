import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { spawnChild } from '../support/child.js';
import { writeDocs } from '../support/corpus.js';
import { tempDir } from '../support/temp-dir.js';

describe('several processes on one data dir', () => {
  it('two processes create, migrate and fill a fresh store at the same time', async () => {
    const root = tempDir();
    const dataDir = tempDir();
    const a = spawnChild('ingest-child.ts', [dataDir, writeDocs(join(root, 'a'), 150), '16']);
    const b = spawnChild('ingest-child.ts', [dataDir, writeDocs(join(root, 'b'), 150), '16']);
    const [doneA, doneB] = await Promise.all([a.waitFor(/^done /), b.waitFor(/^done /)]);
    expect(JSON.parse(doneA.slice(5))).toMatchObject({ created: 150, failed: 0 });
    expect(JSON.parse(doneB.slice(5))).toMatchObject({ created: 150, failed: 0 });
    // close() must keep the process alive until the worker is gone, then let it exit cleanly.
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' } });
    try {
      expect((await kb.status()).libraries).toEqual([expect.objectContaining({ name: 'shared', documents: 300, chunksWithoutVectors: 0 })]);
    } finally {
      await kb.close();
    }
  }, 120_000);

  it('a second process searches, ingests and rates while another ingests a folder, which shows all at once', async () => {
    const root = tempDir();
    const dataDir = tempDir();
    const first = writeDocs(join(root, 'first'), 50);
    const docs = writeDocs(join(root, 'docs'), 500);
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [root] });
    await kb.ingestDirectory(first, { library: 'shared' });
    const child = spawnChild('ingest-child.ts', [dataDir, docs, '16']);
    try {
      await child.waitFor(/^progress /);
      let searches = 0;
      const ingestDone = child.waitFor(/^done /);
      let finished = false;
      void ingestDone.then(() => (finished = true));
      const counts = new Set<number>();
      const firstPages = new Set<number>();
      while (!finished) {
        const found = await kb.search({ query: 'document part one', library: 'shared', limit: 3 });
        expect(found.results.length).toBeGreaterThan(0);
        // Each read is one statement, so one snapshot: two page reads added up would straddle a
        // publish that lands between them (50 + 50) and look half-written when nothing was.
        counts.add((await kb.status()).libraries.find((l) => l.name === 'shared')!.documents);
        firstPages.add((await kb.listDocuments({ library: 'shared', limit: 500 })).documents.length);
        const own = await kb.ingestContent({
          library: 'mine',
          content: `# Note ${searches}\n\nwritten during the other ingest`,
          source: `note-${searches}`,
        });
        await kb.rate(own.documents[0]!.documentId!, 4);
        searches++;
      }
      expect(JSON.parse((await ingestDone).slice(5))).toMatchObject({ created: 500, failed: 0 });
      expect(searches).toBeGreaterThan(0);
      // The other process's folder was never seen half-written: 50 documents, then all 550.
      expect(
        [...counts].every((n) => n === 50 || n === 550),
        [...counts].join(),
      ).toBe(true);
      expect(
        [...firstPages].every((n) => n === 50 || n === 500),
        [...firstPages].join(),
      ).toBe(true);
      const status = (await kb.status()).libraries;
      expect(status.find((l) => l.name === 'mine')!.documents).toBe(searches);
      expect(status.find((l) => l.name === 'shared')!.documents).toBe(550);
    } finally {
      await kb.close();
    }
  }, 120_000);
});
