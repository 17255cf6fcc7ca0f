/**
 * The documentation sets of the fidelity benchmark: real HTML from five generators, each fetched
 * from its Debian package by `bench/corpora/debian-docs.sh` (into bench/.corpora, gitignored).
 *
 * For each set: which pages count (generated indexes and source listings are left out) and the
 * page's main content region as the generator marks it up, so that navigation, headers and footers
 * around it are not counted as "lost" when the stored text leaves them out.
 *
 * @module
 */

export interface DocSet {
  /** Short name used in the tables and by `--sets`. */
  name: string;
  /** The Debian package the HTML comes from. */
  debianPackage: string;
  generator: string;
  /** Pages (paths relative to the set's HTML folder, `/`-separated) that are measured. */
  page: (rel: string) => boolean;
  /** CSS selectors of the main content region, tried in order; all matches of the first that matches are the region. */
  region: string[];
  /** Elements removed from the region before counting (navigation inside it). */
  strip: string[];
  /** Extra paragraph selectors besides `p` (their runs of inline text count as paragraphs). */
  paragraphs: string[];
  /** Tables not made of `<table>`: each match is a table, its child elements the cells. */
  grids: string[];
  /** Extra code-block selectors besides `pre` (generators that mark code up without `<pre>`). */
  code: string[];
  /** How the region was chosen, for the README. */
  regionNote: string;
}

const html = (rel: string) => rel.endsWith('.html');

export const SETS: DocSet[] = [
  {
    name: 'sphinx',
    debianPackage: 'python3.11-doc',
    generator: 'Sphinx (Python 3.11 documentation)',
    // The generated index pages (genindex-*, modindex, search) are lists of links, not text.
    page: (rel) => html(rel) && !/^(genindex|py-modindex|search|contents)/.test(rel) && !rel.startsWith('_'),
    region: ['div[role=main]', 'div.body'],
    strip: ['a.headerlink'],
    code: [],
    paragraphs: [],
    grids: [],
    regionNote: '`div.body[role=main]` (the sidebar, related-links bars and footer are outside it); `¶` header links removed',
  },
  {
    name: 'docbook',
    debianPackage: 'postgresql-doc-15',
    generator: 'DocBook XSL (PostgreSQL 15 manual)',
    page: html,
    region: ['body'],
    strip: ['div.navheader', 'div.navfooter', 'div.toc'],
    code: [],
    paragraphs: [],
    grids: [],
    regionNote:
      "`body` without `div.navheader` / `div.navfooter` (DocBook XSL puts the page content directly in body) and without `div.toc` (a chapter's list of links to its sections)",
  },
  {
    name: 'javadoc',
    debianPackage: 'libcommons-lang3-java-doc',
    generator: 'Javadoc (JDK 17 doclet; Apache Commons Lang 3.12 API)',
    // src-html/ holds the source listings, not documentation; *-index/tree/index-all are link lists.
    page: (rel) =>
      html(rel) &&
      !rel.startsWith('src-html/') &&
      !rel.startsWith('legal/') &&
      !/(^|\/)(index-all|allclasses-index|allpackages-index|overview-tree|package-tree)\.html$/.test(rel),
    region: ['main'],
    strip: [],
    code: [],
    // Javadoc writes a description's first paragraph as text directly in div.block, without <p>;
    // its summary tables are CSS grids of divs, not <table>.
    paragraphs: ['div.block'],
    grids: ['div.summary-table'],
    regionNote:
      '`main` (the header navigation bar and footer are outside it); the text directly in `div.block` (descriptions) counts as paragraphs, and each `div.summary-table` (a grid of divs) as a table whose cells are its child divs',
  },
  {
    name: 'doxygen',
    debianPackage: 'libjsoncpp-doc',
    generator: 'Doxygen 1.9.1 (JsonCpp 1.9.5 API)',
    // *_source.html are syntax-highlighted source listings; *-members.html are member lists.
    page: (rel) => html(rel) && !rel.endsWith('_source.html') && !rel.endsWith('-members.html'),
    region: ['div.header, div.contents', 'div.contents'],
    // The "◆" before each member heading is its permalink (as Sphinx's "¶", stripped above); a
    // `div.ttc` is a hover tooltip (a linked symbol's definition) that the page never shows in place.
    strip: ['span.permalink', 'div.ttc'],
    code: ['div.fragment'],
    paragraphs: [],
    grids: [],
    regionNote:
      '`div.header` + `div.contents` (the top bar, nav path and footer are outside); code blocks are `div.fragment` (one `div.line` per line, no `<pre>`)',
  },
  {
    name: 'mkdocs',
    debianPackage: 'mkdocs-doc',
    generator: 'MkDocs 1.4 (its own documentation, mkdocs theme)',
    page: (rel) => html(rel) && rel !== '404.html',
    region: ['div[role=main]'],
    strip: ['a.headerlink'],
    code: [],
    paragraphs: [],
    grids: [],
    regionNote: '`div.col-md-9[role=main]` (the navbar and the table-of-contents column are outside)',
  },
];
