/**
 * Fidelity of one page: the source elements of its main content region (paragraphs, code blocks,
 * tables, headings, read with linkedom) against the markdown stored for it.
 *
 * Matching: both sides are reduced to plain text with white space collapsed (and no-break spaces
 * read as spaces). The stored markdown loses its syntax first (escapes, emphasis and code-span
 * delimiters, link destinations, heading and list markers stay as they are since a match is a
 * substring of one line's run of text); fenced code bodies are kept verbatim.
 *
 * - a paragraph (`<p>`) is kept when its text is a substring of the stored plain text;
 * - a code block (`<pre>`, or the set's own code markup) is kept when the body of some fence in
 *   the stored markdown contains its text; "as text" when its text is only found outside fences;
 * - a table is kept as a table when every non-empty cell text is found in the stored pipe-table
 *   lines; "cells kept" when they are found anywhere;
 * - a heading is kept when its text is found in a stored `#` heading line.
 *
 * @module
 */
import { parseHTML } from 'linkedom';
import type { DocSet } from './sets.js';

/** The elements counted on a page. */
export interface SourceElements {
  paragraphs: string[];
  code: string[];
  tables: string[][];
  headings: string[];
  /** Whether the set's region selector matched (else the whole body was used). */
  regionFound: boolean;
}

// linkedom's element type, reduced to what is read here.
interface El {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<El>;
  children: ArrayLike<El>;
  querySelectorAll(selector: string): ArrayLike<El>;
  remove(): void;
  closest(selector: string): El | null;
}

/** Collapses white space (including no-break spaces) to single spaces and trims. */
export function norm(text: string): string {
  return text
    .replace(/[\s\u00a0\u200b]+/g, ' ')
    .replace(/¶/g, '')
    .trim();
}

/** The main content region of a parsed page: the elements of the first selector that matches. */
export function regionOf(
  document: { querySelectorAll(s: string): ArrayLike<El>; body: El | null },
  set: DocSet,
): { region: El[]; found: boolean } {
  for (const selector of set.region) {
    const found = Array.from(document.querySelectorAll(selector));
    // Keep only outermost matches (a selector list may match nested elements).
    const outer = found.filter((el) => !found.some((other) => other !== el && contains(other, el)));
    if (outer.length > 0) {
      for (const el of outer) for (const s of set.strip) for (const x of Array.from(el.querySelectorAll(s))) x.remove();
      return { region: outer, found: true };
    }
  }
  return { region: document.body ? [document.body] : [], found: false };
}

function contains(a: El, b: El): boolean {
  return (a as unknown as { contains(n: unknown): boolean }).contains(b) && a !== b;
}

const BLOCK = new Set([
  'P',
  'PRE',
  'DIV',
  'UL',
  'OL',
  'DL',
  'DT',
  'DD',
  'LI',
  'TABLE',
  'BLOCKQUOTE',
  'SECTION',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HR',
  'FIGURE',
  'NAV',
  'ASIDE',
  'HEADER',
  'FOOTER',
  'FORM',
]);

/** The runs of inline content directly in a paragraph element (a `<p>` is one run; a Javadoc `div.block` may hold text, then blocks, then text). */
function inlineRuns(el: El): string[] {
  const runs: string[] = [];
  let run = '';
  for (const child of Array.from(el.childNodes)) {
    if (child.nodeType === 1 && BLOCK.has(child.nodeName.toUpperCase())) {
      runs.push(norm(run));
      run = '';
    } else if (child.nodeType === 1 || child.nodeType === 3) run += child.textContent ?? '';
  }
  runs.push(norm(run));
  return runs;
}

/** Counts the source elements of a page's main content region. */
export function sourceElements(html: string, set: DocSet): SourceElements {
  const { document } = parseHTML(html);
  const { region, found } = regionOf(document as never, set);
  const all = (selector: string) => region.flatMap((r) => Array.from(r.querySelectorAll(selector)));
  const codeSelector = ['pre', ...set.code].join(', ');
  const paragraphs = all(['p', ...set.paragraphs].join(', '))
    .flatMap((p) => inlineRuns(p))
    .filter((t) => t !== '');
  const codeEls = all(codeSelector);
  // A <pre> inside another code element is counted once, as part of the outer one.
  const code = codeEls
    .filter((el) => !codeEls.some((other) => other !== el && contains(other, el)))
    .map((el) => norm(el.textContent ?? ''))
    .filter((t) => t !== '');
  const tables = [
    ...all('table').map((t) => Array.from(t.querySelectorAll('td, th'))),
    ...(set.grids.length ? all(set.grids.join(', ')).map((g) => Array.from(g.children)) : []),
  ]
    .map((cells) => cells.map((c) => norm(c.textContent ?? '')).filter((c) => c !== ''))
    .filter((cells) => cells.length > 0);
  const headings = all('h1, h2, h3, h4, h5, h6')
    .map((h) => norm(h.textContent ?? ''))
    .filter((t) => t !== '');
  return { paragraphs, code, tables, headings, regionFound: found };
}

/** The stored markdown taken apart: plain text, fence bodies, table lines, heading lines, link destinations. */
export interface StoredText {
  plain: string;
  fences: string[];
  tableText: string;
  headingText: string;
  linkChars: number;
  chars: number;
}

const FENCE_OPEN = /^((?:\s*>)*\s*(?:(?:[-*+]|\d+\.)\s+)?)(`{3,}|~{3,})([^`~]*)$/;

/** Parses stored markdown into the pieces the matching reads. */
export function storedText(markdown: string): StoredText {
  const plainParts: string[] = [];
  const fences: string[] = [];
  const tables: string[] = [];
  const headings: string[] = [];
  let linkChars = 0;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = FENCE_OPEN.exec(line);
    if (open) {
      const fence = open[2]!;
      const cont = open[1]!.replace(/^([\s>]*)([-*+]|\d+\.)/, (_, lead: string, marker: string) => lead + ' '.repeat(marker.length));
      const body: string[] = [];
      for (i++; i < lines.length; i++) {
        let l = lines[i]!;
        if (l.startsWith(cont)) l = l.slice(cont.length);
        else if (l.trim() === cont.trim()) l = '';
        else l = l.trimStart();
        if (l.trim().startsWith(fence[0]!.repeat(fence.length)) && /^(`+|~+)$/.test(l.trim())) break;
        body.push(l);
      }
      const code = norm(body.join('\n'));
      fences.push(code);
      plainParts.push(code);
      continue;
    }
    const { text, links } = inlinePlain(line);
    linkChars += links;
    plainParts.push(text);
    const stripped = line.replace(/^(\s*>)*\s*/, '');
    if (stripped.startsWith('|')) tables.push(text);
    if (/^((?:[-*+]|\d+\.)\s+)*#{1,6}\s/.test(stripped)) headings.push(text);
  }
  // Lines of one block are joined with a space, as the source's white space collapses.
  return {
    plain: norm(plainParts.join('\n')),
    fences,
    tableText: norm(tables.join('\n')),
    headingText: headings.map(norm).join('\n'),
    linkChars,
    chars: markdown.length,
  };
}

/** One line of markdown as plain text: escapes resolved, code spans' text kept, link destinations and emphasis marks dropped. */
function inlinePlain(line: string): { text: string; links: number } {
  let out = '';
  let links = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length && /[!-/:-@[-`{-~]/.test(line[i + 1]!)) {
      out += line[++i];
    } else if (c === '`') {
      let n = 1;
      while (line[i + n] === '`') n++;
      const close = line.indexOf('`'.repeat(n), i + n);
      if (close < 0) {
        out += line.slice(i, i + n);
        i += n - 1;
        continue;
      }
      let code = line.slice(i + n, close);
      if (code.startsWith(' ') && code.endsWith(' ') && code.trim() !== '') code = code.slice(1, -1);
      out += code;
      i = close + n - 1;
    } else if (c === ']' && line[i + 1] === '(') {
      // A link or image destination: skipped up to the unescaped closing parenthesis.
      let j = i + 2;
      while (j < line.length && line[j] !== ')') j += line[j] === '\\' ? 2 : 1;
      links += j - i + 1;
      i = j;
    } else if (c === '!' && line[i + 1] === '[') {
      // the image's alt text follows
    } else if (c === '[' || c === '*' || c === '_' || c === '~') {
      // link text opener, emphasis (text `*`, `_`, `[` are escaped in the stored markdown)
    } else out += c;
  }
  return { text: out, links };
}

/** How much of one page survived. */
export interface PageFidelity {
  paragraphs: number;
  paragraphsKept: number;
  paragraphChars: number;
  paragraphCharsKept: number;
  code: number;
  codeFenced: number;
  codeAsText: number;
  tables: number;
  tablesKept: number;
  tableCellsKept: number;
  headings: number;
  headingsKept: number;
  /** Share of the page's paragraph characters kept; undefined for a page without paragraphs. */
  coverage: number | undefined;
  lostParagraphs: string[];
  lostCode: { text: string; asText: boolean }[];
  lostTables: string[][];
  lostHeadings: string[];
}

/** Compares a page's source elements with its stored text. */
export function compare(source: SourceElements, stored: StoredText): PageFidelity {
  const kept = (p: string) => stored.plain.includes(p);
  const lostParagraphs = source.paragraphs.filter((p) => !kept(p));
  const paragraphChars = source.paragraphs.reduce((n, p) => n + p.length, 0);
  const lostChars = lostParagraphs.reduce((n, p) => n + p.length, 0);
  const lostCode: { text: string; asText: boolean }[] = [];
  let codeFenced = 0;
  let codeAsText = 0;
  for (const code of source.code) {
    if (stored.fences.some((f) => f.includes(code))) codeFenced++;
    else {
      const asText = kept(code) || kept(inlineStripped(code));
      if (asText) codeAsText++;
      lostCode.push({ text: code, asText });
    }
  }
  let tablesKept = 0;
  let tableCellsKept = 0;
  const lostTables: string[][] = [];
  for (const cells of source.tables) {
    if (cells.every((c) => stored.tableText.includes(c))) tablesKept++;
    else lostTables.push(cells);
    if (cells.every((c) => kept(c))) tableCellsKept++;
  }
  const lostHeadings = source.headings.filter((h) => !stored.headingText.includes(h));
  return {
    paragraphs: source.paragraphs.length,
    paragraphsKept: source.paragraphs.length - lostParagraphs.length,
    paragraphChars,
    paragraphCharsKept: paragraphChars - lostChars,
    code: source.code.length,
    codeFenced,
    codeAsText,
    tables: source.tables.length,
    tablesKept,
    tableCellsKept,
    headings: source.headings.length,
    headingsKept: source.headings.length - lostHeadings.length,
    coverage: paragraphChars > 0 ? (paragraphChars - lostChars) / paragraphChars : undefined,
    lostParagraphs,
    lostCode,
    lostTables,
    lostHeadings,
  };
}

/** Code text with the characters markdown escaping would turn into syntax removed (for the "kept as text" test). */
function inlineStripped(code: string): string {
  return norm(code.replace(/[*_[\]`~]/g, ''));
}
