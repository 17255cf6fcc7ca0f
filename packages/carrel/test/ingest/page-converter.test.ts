/**
 * HTML and PDF pages of a folder converted on the page-converter thread (page-converter.ts) store
 * exactly what conversion in the ingest worker stores: the same documents, text, titles, page
 * kinds, skips and failures (with the same error classes and messages), and a re-ingest finds the
 * same pages unchanged or updated. A cancel while conversions are under way on the thread ends the
 * job cleanly, and the next ingest through the same worker works. A page too large for the
 * thread's heap is converted on the calling thread instead, and the pages after it on a new thread.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestCancelledError, KnowledgeBase, type InProcessEmbedder } from 'carrel';
import { convertPage, type PageToConvert } from '../../src/ingest/page-conversion.js';
import { PageConverter } from '../../src/ingest/page-converter.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"/><meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/" /><title>${title} — Demo 1.0 documentation</title></head><body><div class="sphinxsidebar">Navigation</div><div class="body" role="main">${body}</div></body></html>`;

/** A Sphinx-shaped build: 24 content pages with code and tables, an index, a search page, a source twin and two unreadable files. */
function build(): string {
  const root = tempDir();
  mkdirSync(join(root, 'library'));
  mkdirSync(join(root, '_sources', 'library'), { recursive: true });
  for (let i = 0; i < 24; i++)
    writeFileSync(
      join(root, 'library', `mod${i}.html`),
      page(
        `mod${i}`,
        `<h1>mod${i} — module number ${i}</h1><p>The mod${i} module reads records in format ${i} and writes them back unchanged.</p>` +
          `<div class="highlight-python3 notranslate"><div class="highlight"><pre><span class="kn">import</span> mod${i}\nmod${i}.read(<span class="s2">"data.txt"</span>)\n</pre></div></div>` +
          `<table class="docutils"><thead><tr><th>Name</th><th>Meaning</th></tr></thead><tbody><tr><td>width</td><td>columns ${i}</td></tr></tbody></table>` +
          `<h2>Functions</h2><dl class="py function"><dt class="sig"><span class="sig-name">read</span>(<em>path</em>)</dt><dd><p>Reads <code>path</code> as format ${i}.</p></dd></dl>`,
      ),
    );
  writeFileSync(
    join(root, 'genindex.html'),
    page(
      'Index',
      `<h1 id="index">Index</h1><table class="indextable genindextable"><tr><td><ul>${Array.from({ length: 30 }, (_, i) => `<li><a href="library/mod${i}.html#read">mod${i}.read()</a></li>`).join('')}</ul></td></tr></table>`,
    ),
  );
  writeFileSync(
    join(root, 'search.html'),
    page('Search', '<h1>Search</h1><p>Please activate JavaScript.</p><div id="search-results"></div>'),
  );
  writeFileSync(join(root, '_sources', 'library', 'mod1.rst.txt'), 'mod1\n====\n\nThe mod1 module.\n');
  writeFileSync(join(root, 'library', 'broken.html'), Buffer.from([0x3c, 0x70, 0x3e, 0x00, 0x01, 0x02, 0x3c, 0x2f, 0x70, 0x3e]));
  writeFileSync(join(root, 'library', 'manual.pdf'), 'not a pdf at all');
  return root;
}

async function kbIn(root: string, converterThreadPages: number) {
  const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'offline' }, allowedRoots: [root], converterThreadPages });
  open.push(kb);
  return kb;
}

/** Everything a folder ingest stored, by path under `root`: title, page kind and full text. */
async function stored(kb: KnowledgeBase, root: string) {
  const docs = (await kb.listDocuments({ library: 'demo', limit: 500 })).documents;
  const out: Record<string, { title: string; content: string }> = {};
  for (const d of docs)
    out[relative(root, d.source)] = { title: d.title, content: (await kb.getDocument(d.id, { maxChars: 1_000_000 })).content };
  return out;
}

/** The outcome of a result, without ids, in a stable order. */
const outcome = (result: Awaited<ReturnType<KnowledgeBase['ingestDirectory']>>, root: string) => ({
  ...result,
  documents: result.documents
    .map(({ documentId: _id, ...d }) => ({ ...d, source: relative(root, d.source) }))
    .sort((a, b) => a.source.localeCompare(b.source)),
});

describe('the page-converter thread', () => {
  it('stores what conversion in the worker stores, skips and fails the same pages, and re-ingests the same', async () => {
    const root = build();
    const onThread = await kbIn(root, 1);
    const inWorker = await kbIn(root, Infinity);
    const [a, b] = [await onThread.ingestDirectory(root, { library: 'demo' }), await inWorker.ingestDirectory(root, { library: 'demo' })];
    expect(a).toMatchObject({ created: 24, failed: 2, pages: { index: 1, search: 1, 'source-twin': 1 } });
    expect(outcome(a, root)).toEqual(outcome(b, root));
    expect(a.documents.find((d) => d.source.endsWith('broken.html'))).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/binary/),
    });
    expect(a.documents.find((d) => d.source.endsWith('manual.pdf'))).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/%PDF-/),
    });

    const pages = await stored(onThread, root);
    expect(pages).toEqual(await stored(inWorker, root));
    expect(pages[join('library', 'mod3.html')]!.content).toContain('```python3\nimport mod3\nmod3.read("data.txt")\n```');
    expect(pages[join('library', 'mod3.html')]!.content).toMatch(/\| *width *\| *columns 3 *\|/);

    writeFileSync(join(root, 'library', 'mod5.html'), page('mod5', '<h1>mod5 — rewritten</h1><p>The mod5 module is now different.</p>'));
    const [again, againInWorker] = [
      await onThread.ingestDirectory(root, { library: 'demo' }),
      await inWorker.ingestDirectory(root, { library: 'demo' }),
    ];
    expect(again).toMatchObject({ created: 0, updated: 1, unchanged: 23, failed: 2 });
    expect(outcome(again, root)).toEqual(outcome(againInWorker, root));
    expect((await stored(onThread, root))[join('library', 'mod5.html')]!.content).toContain('now different');
  });

  it('ends a cancelled job with conversions under way, and the next ingest through the same worker works', async () => {
    const root = build();
    const controller = new AbortController();
    const cancelled = new Promise((resolve) => controller.signal.addEventListener('abort', resolve));
    // The first embedding waits for the cancel: the thread has pages converted and in flight by then.
    const embedder: InProcessEmbedder = {
      name: 'held-until-cancelled',
      dims: 4,
      embed: async (texts) => {
        if (!controller.signal.aborted) {
          setImmediate(() => controller.abort());
          await cancelled;
        }
        return texts.map(() => [1, 0, 0, 0]);
      },
    };
    const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder, allowedRoots: [root], converterThreadPages: 1, batchChunks: 4 });
    open.push(kb);
    await expect(kb.ingestDirectory(root, { library: 'demo' }, { signal: controller.signal })).rejects.toThrow(IngestCancelledError);
    expect((await kb.listDocuments({})).documents).toEqual([]);
    expect(await kb.ingestDirectory(root, { library: 'demo' })).toMatchObject({ created: 24, failed: 2 });
  });

  it("converts a page that exhausts the thread's heap on the calling thread, and the next pages on a new thread", async () => {
    const toConvert = (source: string, sections: number): PageToConvert => ({
      bytes: new TextEncoder().encode(
        page(
          source,
          `<h1>${source}</h1>` +
            Array.from({ length: sections }, (_, i) => `<h2>Part ${i}</h2><p>Paragraph ${i} of ${source}.</p><pre>code ${i}</pre>`).join(
              '',
            ),
        ),
      ),
      mediaType: 'html',
      source,
      address: undefined,
      classify: true,
    });
    // ~6 MB of HTML needs far more than the 48 MB heap the thread gets here.
    const pages = [toConvert('small-before', 10), toConvert('huge', 60_000), toConvert('queued-behind', 10), toConvert('small-after', 12)];
    const converter = new PageConverter(48);
    try {
      const converted = await Promise.all(pages.slice(0, 3).map((p) => converter.convert(p)));
      converted.push(await converter.convert(pages[3]!));
      expect(converted).toEqual(await Promise.all(pages.map((p) => convertPage(p))));
      expect(converted[1]!.markdown).toContain('Paragraph 59999 of huge.');
    } finally {
      await converter.close();
    }
  });
});
