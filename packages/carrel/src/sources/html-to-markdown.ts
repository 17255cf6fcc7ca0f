/**
 * HTML (a DOM tree) to markdown in one walk, linear in the size of the tree. It replaces Turndown,
 * whose regular expressions backtrack on whitespace: its final trim, /[\t\r\n\s]+$/, made a
 * <pre> of 64 K spaces take 18.6 s and 256 K take 237 s, and its edge-whitespace pattern is an
 * open ReDoS report (mixmark-io/turndown#505). Here every step is a scan: whitespace is collapsed
 * and trimmed by hand, code fences and code-span delimiters are sized by counting backtick runs,
 * element depth past {@link MAX_DEPTH} is read as plain text without recursion, and a table's
 * cells are looked into only as far as the next table inside them.
 *
 * Output: ATX headings, paragraphs, `-` and numbered lists, `>` quotes, fenced code (html/code.ts),
 * inline code, `**strong**`, `_emphasis_`, `~~deleted~~`, `---` rules, pipe tables (or, when cells
 * hold blocks, one list item per row), definition lists (`**term**` then `: definition`, API
 * signatures as code) and admonitions as `> **Note:** …` quotes; markdown characters in text are
 * escaped. Links keep their text only: their targets are returned apart ({@link Converted.links}),
 * so that URLs are neither indexed nor matched by searches. Images keep a meaningful alt text.
 *
 * @module
 */
import { codeLanguage, codeText, isCodeBlock } from './html/code.js';
import type { DomNode } from './html/dom.js';
import { attr, BLOCK, childElements, classesOf, isElement, isNotText, nameOf, textOf } from './html/dom.js';
import { MarkdownWriter } from './markdown-writer.js';

export type { DomNode } from './html/dom.js';

/** Element depth walked recursively; deeper content is taken as its text. */
export const MAX_DEPTH = 200;

/** A link of the page: its text as written in the markdown, and its target as written in the HTML. */
export interface Link {
  text: string;
  href: string;
}

/** The markdown of a DOM tree and the targets of its links (each text/target pair once, in page order). */
export interface Converted {
  markdown: string;
  links: Link[];
}

const WRAPPERS: Record<string, string> = { B: '**', STRONG: '**', EM: '_', I: '_', DEL: '~~', S: '~~', STRIKE: '~~' };
/** Containers whose blocks a table cell holds when written as a list item rather than a pipe row. */
const CELL_BLOCKS = new Set(['PRE', 'UL', 'OL', 'DL', 'TABLE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);
const HEADING = /^H[1-6]$/;
/** Admonition classes: Sphinx and MkDocs `admonition`, Docusaurus `theme-admonition`, GitHub `markdown-alert`. */
const ADMONITION_CLASSES = new Set(['admonition', 'theme-admonition', 'markdown-alert']);
/** DocBook's admonitions are a `div` of their kind alone. */
const DOCBOOK_ADMONITIONS = new Set(['note', 'tip', 'warning', 'caution', 'important']);
const ADMONITION_TITLE_CLASSES = new Set(['admonition-title', 'markdown-alert-title', 'title']);
const KINDS = ['note', 'tip', 'hint', 'important', 'warning', 'caution', 'danger', 'attention', 'error', 'info', 'seealso'];
/** Sphinx marks API signatures `dt.sig`; before Sphinx 4, only their `dl` said which domain they were in. */
const SIGNATURE_DOMAINS = new Set(['py', 'c', 'cpp', 'js']);

/** Converts the children of `root` to markdown, with its links' targets apart. */
export function domToMarkdown(root: DomNode): Converted {
  const converter = new Converter();
  converter.blocks(root, 0);
  return { markdown: converter.writer.toString(), links: [...converter.links.values()] };
}

interface Row {
  cells: { node: DomNode; span: number }[];
  header: boolean;
}

class Converter {
  readonly writer = new MarkdownWriter();
  readonly links = new Map<string, Link>();
  /** Bold title of an admonition, written at the start of its first block. */
  private lead: string | undefined;
  /** Elements already written some other way (an admonition's title). */
  private readonly omitted = new Set<DomNode>();

  /** Writes the children of a block container: runs of inline content become paragraphs. */
  blocks(node: DomNode, depth: number): void {
    const run = { text: '' };
    this.flow(node, depth, run);
    this.paragraph(run.text);
  }

  /** Adds the inline content of `node`'s children to `run`; a block child ends the run's paragraph. */
  private flow(node: DomNode, depth: number, run: { text: string }): void {
    const children = node.childNodes;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.nodeType === 3) run.text += escapeText(collapse(child.textContent ?? ''));
      if (!isElement(child) || isNotText(child) || this.omitted.has(child)) continue;
      const name = nameOf(child);
      if (depth >= MAX_DEPTH) run.text += ` ${escapeText(collapse(textOf(child)))} `;
      else if (BLOCK.has(name)) {
        this.paragraph(run.text);
        run.text = '';
        this.block(child, name, depth + 1);
      } else if (isMarkup(name)) run.text += this.inlineOf(child, name, depth + 1);
      else this.flow(child, depth + 1, run); // a span or unknown tag: its blocks still split the run
    }
  }

  private block(node: DomNode, name: string, depth: number): void {
    const classes = classesOf(node);
    if (isAdmonition(node, name, classes)) return this.admonition(node, classes, depth);
    if (HEADING.test(name)) {
      const title = lines(this.inlineChildren(node, depth)).join(' ');
      if (title === '') return;
      this.writeLead();
      this.writer.line(`${'#'.repeat(Number(name[1]))} ${title}`);
    } else if (isCodeBlock(node, name)) {
      this.writeLead();
      codeBlock(codeText(node), codeLanguage(node), this.writer);
    } else if (name === 'HR') this.writer.line('---');
    else if (name === 'BLOCKQUOTE') {
      this.writeLead();
      this.writer.enter('quote');
      this.blocks(node, depth);
      this.writer.leave();
    } else if (name === 'UL' || name === 'OL') {
      this.writeLead();
      this.list(node, name === 'OL', depth);
    } else if (name === 'DL') {
      this.writeLead();
      this.definitions(node, SIGNATURE_DOMAINS.has(classes[0] ?? ''), depth);
    } else if (name === 'TABLE' && !classes.includes('highlighttable')) {
      this.writeLead();
      this.table(tableRows(node, depth), node, depth);
    } else if (name === 'DIV' && classes.includes('summary-table')) {
      this.writeLead();
      this.table(gridRows(node), undefined, depth);
    } else {
      this.blocks(node, depth);
      return;
    }
    this.writer.endBlock();
  }

  private paragraph(inline: string): void {
    const text = lines(inline);
    if (text.length === 0) return;
    for (const [i, line] of text.entries()) {
      if (i > 0) this.writer.line(line);
      else if (this.lead === undefined) this.writer.line(escapeLineStart(line));
      else {
        this.writer.line(`${this.lead} ${line}`);
        this.lead = undefined;
      }
    }
    this.writer.endBlock();
  }

  /** Writes a pending admonition title on its own line, before a block that cannot start with it. */
  private writeLead(): void {
    if (this.lead === undefined) return;
    this.writer.line(this.lead);
    this.writer.endBlock();
    this.lead = undefined;
  }

  private admonition(node: DomNode, classes: readonly string[], depth: number): void {
    this.writeLead();
    const first = childElements(node)[0];
    const titled = first !== undefined && isAdmonitionTitle(first);
    let title = titled ? collapse(textOf(first)).trim() : '';
    if (titled) this.omitted.add(first);
    if (title.endsWith(':')) title = title.slice(0, -1).trim();
    if (title === '') title = KINDS.find((k) => classes.some((c) => c === k || c.endsWith(`-${k}`))) ?? 'note';
    if (title === 'seealso') title = 'see also';
    this.writer.enter('quote');
    this.lead = `**${escapeText(title[0]!.toUpperCase() + title.slice(1))}:**`;
    this.blocks(node, depth);
    this.writeLead();
    this.writer.leave();
    this.writer.endBlock();
  }

  private list(node: DomNode, ordered: boolean, depth: number): void {
    let n = Number(attr(node, 'start') || 1) || 1;
    let first = !this.writer.inItem();
    for (const item of childElements(node)) {
      if (nameOf(item) !== 'LI' || isNotText(item)) continue;
      this.writer.enter('item', ordered ? `${n++}. ` : '- ', !first);
      first = false;
      this.blocks(item, depth + 1);
      this.writer.leave();
    }
  }

  /** A term as a bold line (an API signature as code), its definition after `: `, as Pandoc and PHP Markdown Extra write them. */
  private definitions(node: DomNode, signatures: boolean, depth: number): void {
    for (const child of childElements(node)) {
      const name = nameOf(child);
      if (isNotText(child)) continue;
      if (name === 'DIV')
        this.definitions(child, signatures, depth + 1); // HTML lets a div group a term with its definition
      else if (name === 'DT') {
        const signature = signatures || classesOf(child).includes('sig');
        const term = signature
          ? codeSpan(collapse(textOf(child, (a) => this.link(a))).trim())
          : lines(this.inlineChildren(child, depth + 1)).join(' ');
        if (term === '') continue;
        this.writer.line(signature ? term : `**${term}**`);
        this.writer.endBlock();
      } else if (name === 'DD') {
        this.writer.enter('item', ': ', true);
        this.blocks(child, depth + 1);
        this.writer.leave();
        this.writer.endBlock();
      } else this.block(child, name, depth + 1);
    }
  }

  /**
   * Rows as GFM pipe tables, or as one list item per row ("**Header**: value") when a cell holds
   * blocks, which a pipe row cannot. A row holding a heading (Doxygen's member groups) is written
   * as that heading, between two tables.
   */
  private table(rows: Row[], node: DomNode | undefined, depth: number): void {
    const caption = node && childElements(node).find((c) => nameOf(c) === 'CAPTION');
    if (caption) this.paragraph(this.inlineChildren(caption, depth));
    let segment: Row[] = [];
    const flush = () => {
      if (segment.length > 0) this.tableSegment(segment, depth);
      segment = [];
    };
    for (const row of rows) {
      const heading = row.cells.flatMap((c) => childElements(c.node)).find((e) => HEADING.test(nameOf(e)));
      if (heading) {
        flush();
        this.block(heading, nameOf(heading), depth + 1);
      } else segment.push(row);
    }
    flush();
  }

  private tableSegment(rows: Row[], depth: number): void {
    const texts = rows.map((row) =>
      row.cells.map((c) => (holdsBlocks(c.node) ? undefined : lines(this.inlineChildren(c.node, depth + 1)).join(' '))),
    );
    const kept = rows.map((row, i) => ({ row, text: texts[i]! })).filter(({ text }) => text.some((t) => t !== ''));
    if (kept.length === 0) return;
    const header = kept[0]!.row.header || kept[0]!.row.cells.every((c) => nameOf(c.node) === 'TH') ? kept.shift()! : undefined;
    const columns = Math.max(...[header, ...kept].map((r) => (r ? r.row.cells.reduce((n, c) => n + c.span, 0) : 0)));
    const spread = (row: Row, text: (string | undefined)[]) => {
      const out: string[] = [];
      row.cells.forEach((c, i) => out.push(text[i] ?? '', ...Array<string>(c.span - 1).fill('')));
      while (out.length < columns) out.push('');
      return out;
    };
    // Header cells are labels, one line each, whatever blocks they hold.
    const labels = header
      ? spread(
          header.row,
          header.row.cells.map((c) => lines(this.inlineChildren(c.node, depth + 1)).join(' ')),
        )
      : [];
    if (kept.some(({ text }) => text.includes(undefined))) {
      this.rowItems(kept, labels, depth);
      return;
    }
    const pipe = (cells: (string | undefined)[]) => `| ${cells.map((c) => (c ?? '').split('|').join('\\|')).join(' | ')} |`;
    this.writer.line(header ? pipe(labels) : `|${'  |'.repeat(columns)}`);
    this.writer.line(`|${' --- |'.repeat(columns)}`);
    for (const { row, text } of kept) this.writer.line(pipe(spread(row, text)));
    this.writer.endBlock();
  }

  private rowItems(rows: { row: Row; text: (string | undefined)[] }[], labels: string[], depth: number): void {
    // A blank line between rows: each holds several blocks.
    for (const { row, text } of rows) {
      this.writer.enter('item', '- ');
      let column = 0;
      row.cells.forEach((cell, i) => {
        const label = labels[column] ? `**${labels[column]}**:` : '';
        column += cell.span;
        const inline = text[i];
        if (inline === '') return;
        const line = inline === undefined ? label : label ? `${label} ${inline}` : inline;
        if (line !== '') {
          this.writer.line(line);
          this.writer.endBlock();
        }
        if (inline === undefined) this.blocks(cell.node, depth + 1);
      });
      this.writer.leave();
    }
    this.writer.endBlock();
  }

  /** The inline markdown of an element's children, as one string (line breaks and blocks as `\n`). */
  private inlineChildren(node: DomNode, depth: number): string {
    let out = '';
    const children = node.childNodes;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (child.nodeType === 3) out += escapeText(collapse(child.textContent ?? ''));
      if (!isElement(child) || isNotText(child) || this.omitted.has(child)) continue;
      const name = nameOf(child);
      if (depth >= MAX_DEPTH) out += ` ${escapeText(collapse(textOf(child)))} `;
      else if (BLOCK.has(name)) out += `\n${this.inlineChildren(child, depth + 1)}\n`;
      else out += this.inlineOf(child, name, depth + 1);
    }
    return out;
  }

  private inlineOf(node: DomNode, name: string, depth: number): string {
    if (name === 'BR') return '\n';
    if (name === 'IMG') {
      const alt = collapse(attr(node, 'alt')).trim();
      return meaningfulAlt(alt) ? ` ${escapeText(alt)} ` : '';
    }
    if (name === 'CODE') {
      const code = collapse(textOf(node, (a) => this.link(a)));
      return code.trim() === '' ? code : codeSpan(code);
    }
    const inner = this.inlineChildren(node, depth);
    if (name === 'A') this.link(node);
    const wrap = WRAPPERS[name];
    if (!wrap) return inner;
    const start = inner.length - inner.trimStart().length;
    const core = inner.trim();
    if (core === '') return inner;
    return inner.slice(0, start) + wrap + core + wrap + inner.slice(start + core.length);
  }

  /** Keeps a link's target apart; a same-page anchor or a script is no target worth keeping. */
  private link(node: DomNode): void {
    const href = attr(node, 'href').trim();
    if (href === '' || href.startsWith('#') || href.toLowerCase().startsWith('javascript:')) return;
    const text = collapse(textOf(node)).trim();
    if (text !== '' && !this.links.has(`${text}\n${href}`)) this.links.set(`${text}\n${href}`, { text, href });
  }
}

/** Inline elements that mark their content up; other inline elements (span, abbr, unknown tags) add nothing. */
function isMarkup(name: string): boolean {
  return name === 'A' || name === 'BR' || name === 'IMG' || name === 'CODE' || name in WRAPPERS;
}

function isAdmonition(node: DomNode, name: string, classes: readonly string[]): boolean {
  if (classes.some((c) => ADMONITION_CLASSES.has(c))) return true;
  if (name === 'DIV' && classes.length === 1 && DOCBOOK_ADMONITIONS.has(classes[0]!)) return true;
  return name === 'DETAILS' && childElements(node).some((c) => nameOf(c) === 'SUMMARY');
}

function isAdmonitionTitle(node: DomNode): boolean {
  const name = nameOf(node);
  if (name === 'SUMMARY') return true;
  const classes = classesOf(node);
  return classes.some((c) => ADMONITION_TITLE_CLASSES.has(c) || c.startsWith('admonitionHeading'));
}

/** Whether a table cell holds blocks (code, lists, headings, tables, several paragraphs); not looked into past a table inside it. */
function holdsBlocks(cell: DomNode): boolean {
  let paragraphs = 0;
  const stack = childElements(cell);
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (isNotText(el)) continue;
    const name = nameOf(el);
    if ((CELL_BLOCKS.has(name) && !(name === 'DL' && termsOnly(el))) || isCodeBlock(el, name)) return true;
    if (name === 'P' && ++paragraphs > 1) return true;
    stack.push(...childElements(el));
  }
  return false;
}

/** A definition list with no definition text (Sphinx puts a bare signature in a table cell so): a line, not a block. */
function termsOnly(dl: DomNode): boolean {
  return childElements(dl).every((c) => nameOf(c) !== 'DD' || (c.textContent ?? '').trim() === '');
}

/** The rows of a `<table>`, with their cells and column spans; rows of a `<thead>` are header rows. */
function tableRows(table: DomNode, depth: number): Row[] {
  const rows: Row[] = [];
  const visit = (el: DomNode, header: boolean, d: number) => {
    for (const child of childElements(el)) {
      const name = nameOf(child);
      if (name === 'TR') {
        const cells = childElements(child)
          .filter((c) => (nameOf(c) === 'TD' || nameOf(c) === 'TH') && !isNotText(c))
          .map((node) => ({ node, span: Math.min(Math.max(1, Number(attr(node, 'colspan')) || 1), 64) }));
        if (cells.length > 0) rows.push({ cells, header });
      } else if ((name === 'THEAD' || name === 'TBODY' || name === 'TFOOT') && d < MAX_DEPTH)
        visit(child, header || name === 'THEAD', d + 1);
    }
  };
  visit(table, false, depth);
  return rows;
}

/** The rows of a Javadoc summary table (JDK 16+): a grid of `div.table-header` cells, then the body cells in order. */
function gridRows(grid: DomNode): Row[] {
  const cells = childElements(grid).filter((c) => !isNotText(c));
  const headers = cells.filter((c) => classesOf(c).includes('table-header'));
  const body = cells.filter((c) => !classesOf(c).includes('table-header'));
  const columns = headers.length || 1;
  const rows: Row[] = headers.length > 0 ? [{ cells: headers.map((node) => ({ node, span: 1 })), header: true }] : [];
  for (let i = 0; i < body.length; i += columns)
    rows.push({ cells: body.slice(i, i + columns).map((node) => ({ node, span: 1 })), header: false });
  return rows;
}

function codeBlock(code: string, language: string, writer: MarkdownWriter): void {
  const fence = '`'.repeat(Math.max(3, longestRun(code, '`') + 1));
  writer.line(fence + language);
  for (const line of code.split('\n')) writer.line(line);
  writer.line(fence);
}

function codeSpan(code: string): string {
  const ticks = '`'.repeat(longestRun(code, '`') + 1);
  const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${code}${pad}${ticks}`;
}

/** An alt text that says something: not empty, not a file name. */
function meaningfulAlt(alt: string): boolean {
  if (alt === '') return false;
  const dot = alt.lastIndexOf('.');
  return !(dot > 0 && !alt.includes(' ') && ['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp'].includes(alt.slice(dot + 1).toLowerCase()));
}

/** What {@link collapse} replaces: a run of HTML white space, or one white space character that is not a space. */
const COLLAPSIBLE = /[ \t\n\r\f]{2,}|[\t\n\r\f]/g;

/** HTML white space (space, tab, newline, CR, form feed) collapsed to single spaces; others (nbsp) kept. */
function collapse(text: string): string {
  return text.replace(COLLAPSIBLE, ' ');
}

/** Inline text split at line breaks, each line with runs of spaces (from adjacent nodes) merged and trimmed; empty lines dropped. */
function lines(inline: string): string[] {
  if (!inline.includes('\n')) {
    // Most paragraphs are one line: no arrays to split, map and filter.
    const line = collapse(inline).trim();
    return line === '' ? [] : [line];
  }
  return inline
    .split('\n')
    .map((l) => collapse(l).trim())
    .filter((l) => l !== '');
}

/** Characters that would start emphasis, code or a link in markdown. */
const ESCAPED = /[\\*_`[\]]/g;

function escapeText(text: string): string {
  return text.replace(ESCAPED, '\\$&');
}

/** A backslash before what would start a heading, quote, list item, rule or fence at the start of a line. */
function escapeLineStart(line: string): string {
  const c = line[0];
  if (c === '#' || c === '>' || c === '-' || c === '+' || c === '=' || c === '~') return `\\${line}`;
  let digits = 0;
  while (digits < line.length && line.charCodeAt(digits) >= 0x30 && line.charCodeAt(digits) <= 0x39) digits++;
  return digits > 0 && line[digits] === '.' && line[digits + 1] === ' ' ? `${line.slice(0, digits)}\\${line.slice(digits)}` : line;
}

function longestRun(text: string, char: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text[i] === char ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
