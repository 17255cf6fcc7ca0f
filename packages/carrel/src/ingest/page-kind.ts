/**
 * What kind of page a document is: content, or a page that only points at content. Generated
 * documentation ships pages that match every query and answer none: general and module indexes,
 * search pages, 404 pages, tables of contents, and the sources a page was built from. On one
 * Sphinx set a general index page took 16 first places and tables of contents 16 more. Indexes,
 * search and 404 pages and source twins are skipped; a table of contents is stored but ranked
 * lower, since it can still carry an introduction worth finding.
 *
 * A page name alone never decides: a Sphinx project may well have a real page called
 * `index.html`. Each kind needs the generator's own marker (a `<meta name="generator">`, a class
 * the generator puts on its index tables, the sentence Doxygen opens its lists with) or, for a
 * table of contents, the shape of the text: lines that are entries (list items, or short lines
 * without a sentence's end) outnumbering the prose around them.
 *
 * @module
 */
import { basename } from 'node:path';
import type { MediaType } from '../sources/media-type.js';

/** A page's kind. Only `content` and `toc` are stored; the others are skipped. */
export type PageKind = 'content' | 'index' | 'search' | 'not-found' | 'toc' | 'source-twin';

/** Kinds that are not stored at all. */
export const SKIPPED_KINDS: ReadonlySet<PageKind> = new Set(['index', 'search', 'not-found', 'source-twin']);

/** What the classifier looks at: the page as fetched and as converted. */
export interface PageInput {
  /** File path or URL. */
  source: string;
  mediaType: MediaType;
  /** The raw page, for an HTML page: its generator markers (in its first {@link PAGE_HEAD_BYTES}) and its links are read. */
  html: string | undefined;
  title: string | undefined;
  markdown: string;
}

/**
 * Javadoc writers of pages that list the API rather than document it. The constant values and
 * serialized form pages are left as content: they answer "what is the value of X".
 */
const JAVADOC_INDEX_WRITERS = new Set([
  'IndexWriter',
  'IndexRedirectWriter',
  'AllClassesIndexWriter',
  'AllPackagesIndexWriter',
  'TreeWriter',
  'PackageTreeWriter',
  'DeprecatedListWriter',
  'HelpWriter',
  'ClassUseWriter',
  'PackageUseWriter',
]);

/** The sentences Doxygen opens its index pages with (files, classes, members, hierarchy, namespaces, pages). */
const DOXYGEN_INDEX_OPENINGS =
  /^(?:Here is a list of all |Here are the classes, structs, unions and interfaces |This inheritance list is sorted |This is the complete list of members for )/m;

/** Doxygen's alphabetical indexes: the class index, and the member indexes' `- a -` letter headings. */
const DOXYGEN_INDEX_MARKUP = /\bclass=["']classindex\b|<a id=["']index_[^"']*["']><\/a>- /;

/** How much of a raw HTML page is read for its generator markers: generators put them near the top. */
const PAGE_HEAD_BYTES = 64 * 1024;

/** The page's kind (see module comment). */
export function classifyPage(page: PageInput): PageKind {
  const raw = page.mediaType === 'html' ? page.html : undefined;
  const name = basename(page.source.split(/[?#]/, 1)[0]!).toLowerCase();
  const shape = textShape(page.markdown);
  // A table flattened to one cell per line has the shape of a table of contents too; its cells are not links.
  const linked = raw === undefined || linkCount(raw) * 2 >= shape.entryLines;
  if (raw !== undefined) {
    const html = raw.slice(0, PAGE_HEAD_BYTES);
    const generator = /<meta\s+name=["']generator["']\s+content=["']([^"'<>]{1,200})["']/i.exec(html)?.[1] ?? '';
    const javadoc = /^javadoc\/(\w+)$/.exec(generator)?.[1];
    if (javadoc !== undefined && JAVADOC_INDEX_WRITERS.has(javadoc)) return 'index';
    // Sphinx's general and module indexes; DocBook's back-of-book index.
    if (/\bclass=["'][^"'<>]*\bindextable\b/i.test(html)) return 'index';
    if (/^DocBook/i.test(generator) && /<div\s+class=["']index["']/i.test(html) && isTableOfContents(shape)) return 'index';
    if (/^Doxygen/i.test(generator) && (DOXYGEN_INDEX_OPENINGS.test(page.markdown) || DOXYGEN_INDEX_MARKUP.test(html))) return 'index';
    // Sphinx's search page fills this element from a script; it holds no text of its own.
    if (/\bid=["']search-results["']/i.test(html) && shape.proseWords < 100) return 'search';
  }
  if (isNotFoundPage(name, raw !== undefined ? page : undefined) && shape.proseWords + shape.entryWords < 150) return 'not-found';
  if (linked && isTableOfContents(shape)) return 'toc';
  return 'content';
}

/** How many links (`href=`) the page holds, its navigation included. */
function linkCount(html: string): number {
  let count = 0;
  for (let at = html.indexOf('href='); at >= 0; at = html.indexOf('href=', at + 5)) count++;
  return count;
}

/**
 * A 404 page names itself so in its file name or, for a built HTML page, in its title or first
 * heading. A markdown or text file is a 404 page by its name only: "File 404" or "HTTP 404" heads
 * real notes, and sites build their 404 pages from a `404.md`.
 */
function isNotFoundPage(name: string, html: Pick<PageInput, 'title' | 'markdown'> | undefined): boolean {
  if (/^404\./.test(name)) return true;
  if (html === undefined) return false;
  const heading = /^#{1,2} (.+)$/m.exec(html.markdown)?.[1] ?? '';
  return [html.title ?? '', heading].some((t) => /\b404\b|\bpage not found\b/i.test(t));
}

/** How a page's text divides into entries (short list items and short unfinished lines) and prose. */
export interface TextShape {
  entryLines: number;
  entryWords: number;
  proseLines: number;
  proseWords: number;
}

/** A line of code: statement ends, braces, assignments, comments, preprocessor lines, a listing's line numbers. */
const CODE_LINE = /[;{}]|\s=\s|\/\/|\/\*|^[`\\]*#\w|^\d+(?:\s|$)/;

/** A markdown link's target (and title), which is not words of the text. */
const LINK_TARGET = /\]\([^)\s]*(?:\s+"[^"]*")?\)/g;

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;

/** An entry runs to a few words; a line this long is prose even without a full stop. */
const ENTRY_MAX_WORDS = 12;

/** Counts entries and prose outside code fences, headings and table rows. */
export function textShape(markdown: string): TextShape {
  const shape: TextShape = { entryLines: 0, entryWords: 0, proseLines: 0, proseWords: 0 };
  let fence: string | undefined;
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    const opener = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      continue;
    }
    if (opener !== undefined) {
      fence = opener;
      continue;
    }
    if (line === '' || line.startsWith('#') || line.startsWith('|')) continue;
    const item = /^(?:[-*+]|\d+[.)])\s+/.exec(line);
    const text = item ? line.slice(item[0].length) : line;
    const words = wordCount(text);
    // Code outside fences (a source listing marked up line by line) is neither entry nor prose.
    if (words === 0 || CODE_LINE.test(text)) continue;
    // A long list item is prose in a list (an option and what it does), not an entry.
    if (words <= ENTRY_MAX_WORDS && (item || !/[.!?:;]["'”)*_]*$/.test(text))) {
      shape.entryLines++;
      shape.entryWords += words;
    } else {
      shape.proseLines++;
      shape.proseWords += words;
    }
  }
  return shape;
}

/**
 * Words of a markdown line, link targets left out (they are not text the reader sees): runs that
 * `[\p{L}\p{N}][\p{L}\p{N}_'’-]*` would match, counted in one pass rather than by collecting the
 * matches, which made the classifier a tenth of a Sphinx page's conversion.
 */
function wordCount(line: string): number {
  const text = line.includes('](') ? line.replace(LINK_TARGET, ']') : line;
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let letterOrDigit: boolean;
    if (c < 0x80) letterOrDigit = (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      letterOrDigit = LETTER_OR_DIGIT.test(text.slice(i, i + 2));
      i++;
    } else letterOrDigit = LETTER_OR_DIGIT.test(text[i]!);
    if (letterOrDigit) {
      if (!inWord) count++;
      inWord = true;
    } else inWord &&= c === 0x5f || c === 0x27 || c === 0x2019 || c === 0x2d; // _ ' ’ -
  }
  return count;
}

/**
 * A table of contents: many entries, and prose only around them. A reference page whose sections
 * are lists of long items (release notes, option lists) has long entries and stays content.
 */
function isTableOfContents(shape: TextShape): boolean {
  if (shape.entryLines < 10) return false;
  const averageEntry = shape.entryWords / shape.entryLines;
  return averageEntry <= 10 && shape.entryLines >= 4 * shape.proseLines && shape.entryWords >= 2 * shape.proseWords;
}

/**
 * Whether a text file is the source a built HTML page of the same ingest was made from: Sphinx
 * copies `foo.rst` to `_sources/foo.rst.txt` beside the built `foo.html`; other generators leave
 * `foo.md` beside `foo.html`. `has` tells whether a path is among the ingest's files.
 */
export function isSourceTwin(path: string, mediaType: MediaType, has: (path: string) => boolean): boolean {
  if (mediaType !== 'text' && mediaType !== 'markdown') return false;
  const sphinx = /^(.*[/\\])_sources[/\\](.+?)(?:\.[^./\\]+)?\.txt$/.exec(path);
  if (sphinx && has(`${sphinx[1]}${sphinx[2]}.html`)) return true;
  const sibling = /^(.+)\.(?:md|markdown|rst|txt|adoc)$/.exec(path);
  return sibling !== null && (has(`${sibling[1]}.html`) || has(`${sibling[1]}.htm`));
}
