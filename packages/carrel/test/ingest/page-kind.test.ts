/**
 * The page classifier on small pages shaped like the real ones of each generator (markup cut down
 * from the Debian doc sets of bench/corpora), converted as an ingest converts them; and real
 * content pages, a home page called index.html among them, that must stay content.
 */
import { describe, expect, it } from 'vitest';
import { classifyPage, isSourceTwin, textShape, type PageKind } from '../../src/ingest/page-kind.js';
import { htmlToMarkdown } from '../../src/sources/extract.js';

async function kindOf(name: string, html: string): Promise<PageKind> {
  const { markdown, title } = await htmlToMarkdown(html);
  return classifyPage({ source: `/docs/${name}`, mediaType: 'html', html, title, markdown });
}

const page = (head: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"/>${head}<title>T</title></head><body>${body}</body></html>`;
const links = (n: number, label: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => `<li><a href="p${i}.html">${label(i)}</a></li>`).join('');
const prose = (topic: string) =>
  `<p>The ${topic} module provides functions that read and write data in several formats. It is used by the standard library itself, and its behaviour is described in detail below, with examples.</p>`;

describe('classifyPage', () => {
  it('skips a Sphinx general index and module index (their indextable), whatever the file is called', async () => {
    const genindex = page(
      '',
      `<div class="body" role="main"><h1 id="index">Index – A</h1><table style="width: 100%" class="indextable"><tr><td><ul>${links(30, (i) => `abs() (built-in function ${i})`)}</ul></td></tr></table></div>`,
    );
    expect(await kindOf('genindex-A.html', genindex)).toBe('index');
    expect(await kindOf('letters.html', genindex)).toBe('index');
  });

  it('skips Javadoc index, tree and help pages by their generator, but keeps constant values', async () => {
    const body = `<main><h1>Index</h1><dl class="index">${links(40, (i) => `method${i}(String)`)}</dl></main>`;
    expect(await kindOf('index-all.html', page('<meta name="generator" content="javadoc/IndexWriter">', body))).toBe('index');
    expect(await kindOf('overview-tree.html', page('<meta name="generator" content="javadoc/TreeWriter">', body))).toBe('index');
    const constants = `<main><h1>Constant Field Values</h1>${prose('constants')}<table><tr><td>public static final int</td><td>CR</td><td>13</td></tr></table></main>`;
    expect(
      await kindOf('constant-values.html', page('<meta name="generator" content="javadoc/ConstantsSummaryWriterImpl">', constants)),
    ).toBe('content');
  });

  it('skips a DocBook back-of-book index and Doxygen index pages', async () => {
    const bookindex = page(
      '<meta name="generator" content="DocBook XSL Stylesheets Vsnapshot" />',
      `<div class="index"><div class="titlepage"><h2 class="title">Index</h2></div><div class="indexdiv"><h3>A</h3><dl>${links(40, (i) => `ABORT ${i}`)}</dl></div></div>`,
    );
    expect(await kindOf('bookindex.html', bookindex)).toBe('index');
    const files = page(
      '<meta name="generator" content="Doxygen 1.9.1"/>',
      `<div class="contents"><div class="textblock">Here is a list of all files with brief descriptions:</div><table class="directory">${links(12, (i) => `file${i}.h`)}</table></div>`,
    );
    expect(await kindOf('files.html', files)).toBe('index');
    const members = page(
      '<meta name="generator" content="Doxygen 1.9.1"/>',
      `<div class="contents">&#160;<h3><a id="index_a"></a>- a -</h3><ul>${links(20, (i) => `append${i}() : Json::Value`)}</ul></div>`,
    );
    expect(await kindOf('functions_a.html', members)).toBe('index');
  });

  it('skips a Sphinx search page and a 404 page', async () => {
    const search = page(
      '<script src="_static/searchtools.js"></script>',
      `<div class="body" role="main"><h1 id="search-documentation">Search</h1><p>Please activate JavaScript to enable the search functionality.</p><form action="" method="get"><input type="text" name="q"/></form><div id="search-results"></div></div>`,
    );
    expect(await kindOf('search.html', search)).toBe('search');
    const missing = page('', `<div class="container"><h1 id="404-page-not-found">404</h1><p><strong>Page not found</strong></p></div>`);
    expect(await kindOf('404.html', missing)).toBe('not-found');
    expect(await kindOf('missing.html', missing)).toBe('not-found');
  });

  it('takes a markdown file for a 404 page by its name only: a note headed "File 404" is content', () => {
    const note = (markdown: string, source: string) =>
      classifyPage({ source, mediaType: 'markdown', html: undefined, title: undefined, markdown });
    expect(note('# File 404\n\nplain text', '/docs/f0404.md')).toBe('content');
    expect(note('# Page not found\n\nTry the search.', '/docs/missing.md')).toBe('content');
    expect(note('# Page not found\n\nTry the search.', '/docs/404.md')).toBe('not-found');
  });

  it('ranks a table of contents lower: a Sphinx toctree page with an introduction; a DocBook part page keeps its introduction without its table of contents', async () => {
    const entries = Array.from(
      { length: 30 },
      (_, i) =>
        `<dt><span class="refentrytitle"><a href="sql-${i}.html">ALTER THING ${i}</a></span><span class="refpurpose"> — change the definition of thing ${i}</span></dt>`,
    ).join('');
    const docbook = page(
      '<meta name="generator" content="DocBook XSL Stylesheets Vsnapshot" />',
      `<div class="reference"><h1 class="title">SQL Commands</h1><div class="partintro"><p>This part contains reference information for the SQL commands supported by PostgreSQL.</p></div><div class="toc"><p><b>Table of Contents</b></p><dl class="toc">${entries}</dl></div></div>`,
    );
    // DocBook marks its table of contents (div.toc), which extraction removes as navigation.
    const { markdown } = await htmlToMarkdown(docbook);
    expect(markdown).toContain('This part contains reference information');
    expect(markdown).not.toContain('ALTER THING 3');
    expect(await kindOf('sql-commands.html', docbook)).toBe('content');
    const sphinx = page(
      '<meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/" />',
      `<div class="body" role="main"><h1>The Python Standard Library</h1>${prose('library')}<div class="toctree-wrapper compound"><ul>${links(80, (i) => `<code>func${i}()</code> — built-in`)}</ul></div></div>`,
    );
    expect(await kindOf('library/index.html', sphinx)).toBe('toc');
  });

  it('keeps real pages as content: a home page called index.html, a reference page with lists, a long release-notes list', async () => {
    const home = page(
      '<meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/" />',
      `<div class="body" role="main"><h1>Welcome</h1>${prose('json')}${prose('csv')}<ul>${links(4, (i) => `Chapter ${i}`)}</ul>${prose('pickle')}</div>`,
    );
    expect(await kindOf('index.html', home)).toBe('content');
    const reference = page(
      '',
      `<main><h1>os — Miscellaneous operating system interfaces</h1>${prose('os')}<ul>${links(6, (i) => `getcwd${i}()`)}</ul>${prose('os.path')}<pre><code>import os\nos.getcwd()\n</code></pre>${prose('shutil')}</main>`,
    );
    expect(await kindOf('library/os.html', reference)).toBe('content');
    const items = Array.from(
      { length: 30 },
      (_, i) => `<li>The parser now accepts trailing commas in argument list number ${i}, as the language reference always allowed.</li>`,
    ).join('');
    expect(await kindOf('whatsnew.html', page('', `<main><h1>What's new</h1><ul>${items}</ul></main>`))).toBe('content');
    const listing = page(
      '<meta name="generator" content="Doxygen 1.9.1"/>',
      `<div class="contents"><div class="fragment">${Array.from({ length: 30 }, (_, i) => `<div class="line"><a name="l${i}"></a><span class="lineno">${i + 1}</span>  int x${i} = ${i};</div>`).join('')}</div></div>`,
    );
    expect(await kindOf('value_8h_source.html', listing)).toBe('content');
  });

  it('reads markdown and text pages by their shape only', () => {
    const toc = Array.from({ length: 20 }, (_, i) => `- [Chapter ${i}](chapter-${i}.md)`).join('\n');
    expect(
      classifyPage({ source: 'SUMMARY.md', mediaType: 'markdown', html: undefined, title: undefined, markdown: `# Summary\n\n${toc}\n` }),
    ).toBe('toc');
    // A search page's markers mean nothing outside HTML.
    expect(
      classifyPage({
        source: 'notes.md',
        mediaType: 'markdown',
        html: '<div id="search-results">',
        title: undefined,
        markdown: '# Notes\n\nSome text.\n',
      }),
    ).toBe('content');
  });
});

describe('textShape', () => {
  // The definition the one-pass count must agree with, character classes and all.
  const wordsByRegex = (line: string) =>
    line.replace(/\]\([^)\s]*(?:\s+"[^"]*")?\)/g, ']').match(/[\p{L}\p{N}][\p{L}\p{N}_'’-]*/gu)?.length ?? 0;

  it("counts words as letters and digits joined by _ ' ’ -, link targets left out, whatever the script", () => {
    const lines = [
      "don't stop-words here_now and it’s 3.14 o'clock",
      "_leading __dunder__ -dash- 'quoted' x_ y- z’",
      'Ünïcödé wörds, 日本語のテキスト, Ελληνικά και русский 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚 emoji 🎉 not a word',
      'a lone high surrogate \ud835 then text, and a lone low \udd18 too',
      'see [the guide](../guide.html#setup "Guide title") and [x](y) then ](not a link',
      '¶ § — … ½ ² digits٣٤ mixed-ÅB_c',
    ];
    for (const line of lines) {
      const shape = textShape(line);
      expect(shape.entryWords + shape.proseWords, line).toBe(wordsByRegex(line));
    }
  });
});

describe('isSourceTwin', () => {
  const files = new Set(['/d/library/os.html', '/d/guide.html', '/d/notes.md']);
  const has = (p: string) => files.has(p);

  it('finds the built page of a Sphinx _sources copy, or of a markdown file beside it', () => {
    expect(isSourceTwin('/d/_sources/library/os.rst.txt', 'text', has)).toBe(true);
    expect(isSourceTwin('/d/guide.md', 'markdown', has)).toBe(true);
  });

  it('keeps a source whose built page is not in the ingest, and never calls HTML a twin', () => {
    expect(isSourceTwin('/d/_sources/library/sys.rst.txt', 'text', has)).toBe(false);
    expect(isSourceTwin('/d/notes.md', 'markdown', has)).toBe(false);
    expect(isSourceTwin('/d/guide.html', 'html', has)).toBe(false);
  });
});
