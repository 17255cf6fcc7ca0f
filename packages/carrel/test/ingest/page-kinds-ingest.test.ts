/**
 * Page kinds through a real folder ingest: a small Sphinx-shaped build (home page called
 * index.html, general index, search page, a toctree page, a content page, and the `_sources` copy
 * of a page) stored in a real data dir. Non-content pages are skipped and counted by kind, a table
 * of contents is stored but ranked below the page it lists, and `keepAllPages` stores everything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KnowledgeBase } from 'carrel';
import { summarizeIngest } from '../../src/app/render.js';
import { tempDir } from '../support/temp-dir.js';

const open: KnowledgeBase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((kb) => kb.close()));
});

/** Keyword search only, so ranks do not depend on a model. */
async function kbIn(root: string): Promise<KnowledgeBase> {
  const kb = await KnowledgeBase.open({ dataDir: tempDir(), embedder: { kind: 'none' }, allowedRoots: [root] });
  open.push(kb);
  return kb;
}

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"/><meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/" /><title>${title}</title></head><body><div class="body" role="main">${body}</div></body></html>`;
const prose = (topic: string) =>
  `<p>The ${topic} module reads and writes data in a portable text format. It is used by many tools, and its behaviour is described in detail on this page, with examples for each function.</p>`;

function sphinxBuild(): string {
  const root = tempDir();
  mkdirSync(join(root, 'library'));
  mkdirSync(join(root, '_sources', 'library'), { recursive: true });
  writeFileSync(join(root, 'index.html'), page('Welcome', `<h1>Welcome</h1>${prose('tutorial')}${prose('reference')}`));
  writeFileSync(
    join(root, 'genindex.html'),
    page(
      'Index',
      `<h1 id="index">Index</h1><table class="indextable genindextable"><tr><td><ul>${Array.from({ length: 30 }, (_, i) => `<li><a href="library/json.html#f${i}">json.dump${i}()</a></li>`).join('')}</ul></td></tr></table>`,
    ),
  );
  writeFileSync(
    join(root, 'search.html'),
    page('Search', '<h1>Search</h1><p>Please activate JavaScript to enable the search functionality.</p><div id="search-results"></div>'),
  );
  // A toctree page whose entries all say "json": on words alone it outranks the json page itself.
  const entries = Array.from({ length: 40 }, (_, i) => `<li><a href="json.html#s${i}">json encoder part ${i}</a></li>`).join('');
  writeFileSync(join(root, 'library', 'index.html'), page('Library', `<h1>The Library</h1><ul>${entries}</ul>`));
  writeFileSync(join(root, 'library', 'json.html'), page('json', `<h1>json — JSON encoder and decoder</h1>${prose('json encoder')}`));
  writeFileSync(
    join(root, '_sources', 'library', 'json.rst.txt'),
    'json — JSON encoder and decoder\n===\n\nThe json encoder module reads json.\n',
  );
  return root;
}

describe('page kinds in a folder ingest', () => {
  it('skips indexes, search pages and source twins, counts them by kind, and ranks a table of contents below content', async () => {
    const root = sphinxBuild();
    const kb = await kbIn(root);
    const result = await kb.ingestDirectory(root, { library: 'py' });
    expect(result).toMatchObject({ created: 3, skipped: 3, pages: { index: 1, search: 1, 'source-twin': 1, toc: 1 } });
    expect(summarizeIngest(result, () => '')).toMatch(
      /^py: 3 created, 3 skipped \(1 index, 1 search page, 1 source of a built page\); 1 table of contents ranked lower; \d+ chunks/,
    );
    const stored = (await kb.listDocuments({ library: 'py' })).documents.map((d) => relative(root, d.source)).sort();
    expect(stored).toEqual(['index.html', join('library', 'index.html'), join('library', 'json.html')]);

    const found = await kb.search({ query: 'json encoder', library: 'py' });
    const toc = found.results.find((r) => r.source === join(root, 'library', 'index.html'))!;
    expect(toc.bm25Rank).toBe(1); // the words favour the table of contents…
    expect(found.results[0]!.source).toBe(join(root, 'library', 'json.html')); // …its kind puts the page it lists first
    expect(toc.explanation).toContain('table of contents → ×0.5');
  });

  it('stores every page as content with keepAllPages', async () => {
    const root = sphinxBuild();
    const kb = await kbIn(root);
    const result = await kb.ingestDirectory(root, { library: 'py', keepAllPages: true });
    expect(result).toMatchObject({ created: 6, skipped: 0, pages: {} });
    const found = await kb.search({ query: 'json encoder', library: 'py' });
    expect(found.results.map((r) => r.explanation).join('\n')).not.toContain('table of contents');
  });
});
