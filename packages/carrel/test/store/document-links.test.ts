/**
 * Link targets of HTML documents stored apart from the text: the stored and indexed text has the
 * link text only (a word found only in a URL or a tooltip matches nothing), `getDocument` shows the
 * targets on request, and they follow their version through re-ingest, reindex, delete and discard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { collectGarbage, discardRun } from '../../src/store/sqlite/garbage.js';
import { openRun } from '../../src/store/sqlite/runs.js';
import { stageDocuments } from '../../src/store/sqlite/staging.js';
import { tempDir } from '../support/temp-dir.js';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlToMarkdown } from '../../src/sources/extract.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

async function kbIn(dataDir: string): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' } });
  open.push(kb);
  return kb;
}

const page = (target: string) =>
  `<html><head><title>Retries</title></head><body><main><h1>Retries</h1>
   <p>Jobs are retried with backoff, as <a href="https://example.org/${target}/backoff.html" title="Quokka summary of the other page">the backoff guide</a> explains.</p>
   <p>Every failed attempt waits longer than the one before it, up to a limit set per queue.</p></main></body></html>`;

/** Link rows of every version, deleted ones included until the collector runs. */
function linkRows(dataDir: string): { version: number; href: string }[] {
  const db = openDatabase(join(dataDir, 'carrel.db'));
  try {
    return db.prepare<[], { version: number; href: string }>('SELECT version, href FROM document_links ORDER BY version, ord').all();
  } finally {
    db.close();
  }
}

function collectAll(dataDir: string): void {
  const db = openDatabase(join(dataDir, 'carrel.db'));
  try {
    while (collectGarbage(db, 1000) > 0);
  } finally {
    db.close();
  }
}

// Several ingests, a reindex and two openings of the store per test, each starting an ingest worker
// from the TypeScript sources: more than vitest's default allows on a loaded 2-core machine.
describe('link targets of HTML documents', { timeout: 120_000 }, () => {
  it('keeps URLs and tooltips out of the stored and indexed text, and shows the targets on request', async () => {
    const dataDir = tempDir();
    const kb = await kbIn(dataDir);
    const html = await kb.ingestContent({ library: 'docs', content: page('xylophone'), source: 'retries.html', format: 'html' });
    const id = html.documents[0]!.documentId!;

    const doc = await kb.getDocument(id);
    expect(doc.content).toContain('Jobs are retried with backoff, as the backoff guide explains.');
    expect(doc.content).not.toContain('example.org');
    expect(doc.links).toBeUndefined();
    expect((await kb.getDocument(id, { links: true })).links).toEqual([
      { text: 'the backoff guide', href: 'https://example.org/xylophone/backoff.html' },
    ]);

    // Keyword matches only: the semantic half ranks every chunk, matching words or not.
    const keywordHits = async (query: string) =>
      (await kb.search({ query })).results.filter((r) => r.bm25Rank !== null).map((r) => r.documentId);
    expect(await keywordHits('backoff guide')).toEqual([id]);
    expect(await keywordHits('xylophone')).toEqual([]);
    expect(await keywordHits('quokka')).toEqual([]);

    // Markdown is the user's own text: its links stay in it, and it has no separate targets.
    const md = await kb.ingestContent({
      library: 'docs',
      content: '# Notes\n\nSee [the guide](https://example.org/zebra.html).\n',
      source: 'notes.md',
    });
    const notes = await kb.getDocument(md.documents[0]!.documentId!, { links: true });
    expect(notes.content).toContain('[the guide](https://example.org/zebra.html)');
    expect(notes.links).toEqual([]);
  });

  it('keeps the targets of the live version through re-ingest and reindex, and deletes them with their version', async () => {
    const dataDir = tempDir();
    const kb = await kbIn(dataDir);
    const id = (await kb.ingestContent({ library: 'docs', content: page('first'), source: 'retries.html', format: 'html' })).documents[0]!
      .documentId!;
    await kb.ingestContent({ library: 'docs', content: page('second'), source: 'retries.html', format: 'html' });
    expect((await kb.getDocument(id, { links: true })).links).toEqual([
      { text: 'the backoff guide', href: 'https://example.org/second/backoff.html' },
    ]);

    await kb.reindexLibrary('docs');
    expect((await kb.getDocument(id, { links: true })).links).toEqual([
      { text: 'the backoff guide', href: 'https://example.org/second/backoff.html' },
    ]);
    await kb.close();
    open.length = 0;
    collectAll(dataDir);
    // One version left (the reindexed copy): the replaced versions' targets went with their chunks.
    expect(linkRows(dataDir).map((r) => r.href)).toEqual(['https://example.org/second/backoff.html']);

    const again = await kbIn(dataDir);
    await again.deleteDocument(id);
    await again.close();
    open.length = 0;
    collectAll(dataDir);
    expect(linkRows(dataDir)).toEqual([]);
  });

  it("deletes a discarded run's targets with its staged version", async () => {
    const dataDir = tempDir();
    await kbIn(dataDir);
    const db = openDatabase(join(dataDir, 'carrel.db'));
    try {
      const { run, library } = openRun(db, { taskId: null, library: 'docs', version: '' });
      const header = {
        libraryId: library.id,
        source: 'a.html',
        kind: 'file' as const,
        title: 'A',
        contentHash: 'h',
        bytes: 1,
        tags: [],
        pageKind: 'content' as const,
      };
      stageDocuments(db, run.id, null, [
        { header, status: 'created', baseVersion: 0, chunks: [], links: [{ text: 'x', href: 'https://example.org/x' }] },
      ]);
      expect(db.prepare('SELECT count(*) AS n FROM document_links').get()).toEqual({ n: 1 });
      discardRun(db, run.id);
      while (collectGarbage(db, 1000) > 0);
      expect(db.prepare('SELECT count(*) AS n FROM document_links').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it("stores the targets of a file's links as absolute paths, and a URL page's against its <base href>", async () => {
    const dataDir = tempDir();
    const root = tempDir();
    mkdirSync(join(root, 'guide'));
    writeFileSync(
      join(root, 'guide', 'retries.html'),
      `<html><head><title>Retries</title></head><body><main><h1>Retries</h1>
       <p>See <a href="../ref/backoff.html#limits">the limits</a>, <a href="queues.html">queues</a> and <a href="https://example.org/x">the site</a>.</p>
       <p>Every failed attempt waits longer than the one before it, up to a limit set per queue.</p></main></body></html>`,
    );
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [root] });
    open.push(kb);
    const result = await kb.ingestDirectory(root, { library: 'docs' });
    const real = realpathSync(root);
    expect((await kb.getDocument(result.documents[0]!.documentId!, { links: true })).links).toEqual([
      { text: 'the limits', href: join(real, 'ref', 'backoff.html') + '#limits' },
      { text: 'queues', href: join(real, 'guide', 'queues.html') },
      { text: 'the site', href: 'https://example.org/x' },
    ]);

    const page = `<html><head><base href="/docs/v2/"></head><body><main><p><a href="x.html">x</a> and <a href="//cdn.example/y">y</a></p></main></body></html>`;
    expect((await htmlToMarkdown(page, 'https://site.example/a/b.html')).links).toEqual([
      { text: 'x', href: 'https://site.example/docs/v2/x.html' },
      { text: 'y', href: 'https://cdn.example/y' },
    ]);
    // Inline content has no address: its links stay as written.
    expect((await htmlToMarkdown(page)).links).toEqual([
      { text: 'x', href: 'x.html' },
      { text: 'y', href: '//cdn.example/y' },
    ]);
  });
});
