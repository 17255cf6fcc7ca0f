/**
 * HTML (a DOM tree) to markdown in one walk, linear in the size of the tree. It replaces Turndown,
 * whose regular expressions backtrack on whitespace: its final trim, /[\t\r\n\s]+$/, made a
 * <pre> of 64 K spaces take 18.6 s and 256 K take 237 s, and its edge-whitespace pattern is an
 * open ReDoS report (mixmark-io/turndown#505). Here every step is a scan: whitespace is collapsed
 * and trimmed by hand, code fences and code-span delimiters are sized by counting backtick runs,
 * and element depth past {@link MAX_DEPTH} is read as plain text without recursion.
 *
 * Output: ATX headings, paragraphs, `-` and numbered lists, `>` quotes, fenced code (with its
 * `language-*` class), inline code, `**strong**`, `_emphasis_`, `~~deleted~~`, links, images,
 * `---` rules and pipe tables; markdown characters in text are escaped, as Turndown did.
 *
 * @module
 */
import { MarkdownWriter } from './markdown-writer.js';

/** Element depth walked recursively; deeper content is taken as its text. */
export const MAX_DEPTH = 200;

/** The subset of the DOM the converter reads (linkedom provides it). */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  getAttribute?(name: string): string | null;
}

const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'IFRAME', 'SVG', 'CANVAS', 'OBJECT']);
const INLINE = new Set([
  'A',
  'ABBR',
  'B',
  'BDI',
  'BDO',
  'BR',
  'CITE',
  'CODE',
  'DATA',
  'DEL',
  'DFN',
  'EM',
  'I',
  'IMG',
  'INS',
  'KBD',
  'LABEL',
  'MARK',
  'Q',
  'S',
  'SAMP',
  'SMALL',
  'SPAN',
  'STRIKE',
  'STRONG',
  'SUB',
  'SUP',
  'TIME',
  'U',
  'VAR',
  'WBR',
]);
const WRAPPERS: Record<string, string> = { B: '**', STRONG: '**', EM: '_', I: '_', DEL: '~~', S: '~~', STRIKE: '~~' };
const ESCAPED = new Set(['\\', '*', '_', '`', '[', ']']);

/** Converts the children of `root` to markdown. */
export function domToMarkdown(root: DomNode): string {
  const writer = new MarkdownWriter();
  blocks(root, writer, 0);
  return writer.toString();
}

/** Writes the children of a block container: runs of inline content become paragraphs. */
function blocks(node: DomNode, writer: MarkdownWriter, depth: number): void {
  let inline = '';
  const flush = () => {
    paragraph(inline, writer);
    inline = '';
  };
  for (const child of Array.from(node.childNodes)) {
    const name = child.nodeName.toUpperCase();
    if (child.nodeType === 3) inline += escapeText(collapse(child.textContent ?? ''));
    else if (child.nodeType !== 1 || SKIPPED.has(name)) continue;
    else if (depth >= MAX_DEPTH) inline += ` ${escapeText(collapse(textOf(child)))} `;
    else if (INLINE.has(name)) inline += inlineOf(child, name, depth + 1);
    else {
      flush();
      block(child, name, writer, depth + 1);
    }
  }
  flush();
}

function block(node: DomNode, name: string, writer: MarkdownWriter, depth: number): void {
  const level = /^H[1-6]$/.test(name) ? Number(name[1]) : 0;
  if (level > 0) {
    const title = lines(inlineChildren(node, depth)).join(' ');
    if (title !== '') writer.line(`${'#'.repeat(level)} ${title}`);
  } else if (name === 'PRE') codeBlock(node, writer);
  else if (name === 'HR') writer.line('---');
  else if (name === 'BLOCKQUOTE') {
    writer.enter('quote');
    blocks(node, writer, depth);
    writer.leave();
  } else if (name === 'UL' || name === 'OL') list(node, name === 'OL', writer, depth);
  else if (name === 'TABLE') table(node, writer, depth);
  else {
    blocks(node, writer, depth);
    return;
  }
  writer.endBlock();
}

function paragraph(inline: string, writer: MarkdownWriter): void {
  const text = lines(inline);
  if (text.length === 0) return;
  for (const [i, line] of text.entries()) writer.line(i === 0 ? escapeLineStart(line) : line);
  writer.endBlock();
}

function list(node: DomNode, ordered: boolean, writer: MarkdownWriter, depth: number): void {
  let n = Number(node.getAttribute?.('start') ?? 1) || 1;
  let first = !writer.inItem();
  for (const item of Array.from(node.childNodes)) {
    if (item.nodeType !== 1 || item.nodeName.toUpperCase() !== 'LI') continue;
    writer.enter('item', ordered ? `${n++}. ` : '- ', !first);
    first = false;
    blocks(item, writer, depth + 1);
    writer.leave();
  }
}

function table(node: DomNode, writer: MarkdownWriter, depth: number): void {
  let rows = 0;
  const visit = (el: DomNode, d: number) => {
    for (const child of Array.from(el.childNodes)) {
      if (child.nodeType !== 1) continue;
      const name = child.nodeName.toUpperCase();
      if (name !== 'TR') {
        if (d < MAX_DEPTH) visit(child, d + 1);
        continue;
      }
      const cells = Array.from(child.childNodes)
        .filter((c) => c.nodeType === 1 && (c.nodeName.toUpperCase() === 'TD' || c.nodeName.toUpperCase() === 'TH'))
        .map((c) =>
          lines(inlineChildren(c, d + 1))
            .join(' ')
            .split('|')
            .join('\\|'),
        );
      if (cells.length === 0) continue;
      writer.line(`| ${cells.join(' | ')} |`);
      if (rows++ === 0) writer.line(`|${' --- |'.repeat(cells.length)}`);
    }
  };
  visit(node, depth);
}

function codeBlock(node: DomNode, writer: MarkdownWriter): void {
  let code = textOf(node);
  if (code.endsWith('\n')) code = code.slice(0, -1);
  const fence = '`'.repeat(Math.max(3, longestRun(code, '`') + 1));
  const codeChild = Array.from(node.childNodes).find((c) => c.nodeType === 1 && c.nodeName.toUpperCase() === 'CODE');
  writer.line(fence + languageOf(codeChild?.getAttribute?.('class') ?? ''));
  for (const line of code.split('\n')) writer.line(line);
  writer.line(fence);
}

/** The inline markdown of an element's children, as one string (line breaks as `\n`). */
function inlineChildren(node: DomNode, depth: number): string {
  let out = '';
  for (const child of Array.from(node.childNodes)) {
    if (child.nodeType === 3) out += escapeText(collapse(child.textContent ?? ''));
    else if (child.nodeType === 1 && !SKIPPED.has(child.nodeName.toUpperCase())) {
      out += depth >= MAX_DEPTH ? ` ${escapeText(collapse(textOf(child)))} ` : inlineOf(child, child.nodeName.toUpperCase(), depth + 1);
    }
  }
  return out;
}

function inlineOf(node: DomNode, name: string, depth: number): string {
  if (name === 'BR') return '\n';
  if (name === 'IMG') {
    const src = node.getAttribute?.('src') ?? '';
    return src ? `![${escapeText(collapse(node.getAttribute?.('alt') ?? '').trim())}](${destination(src)})` : '';
  }
  if (name === 'CODE') {
    const code = collapse(textOf(node));
    const ticks = '`'.repeat(longestRun(code, '`') + 1);
    const pad = code.startsWith('`') || code.endsWith('`') ? ' ' : '';
    return code.trim() === '' ? code : `${ticks}${pad}${code}${pad}${ticks}`;
  }
  const inner = inlineChildren(node, depth);
  const wrap = WRAPPERS[name];
  const href = name === 'A' ? node.getAttribute?.('href') : undefined;
  if (!wrap && !href) return inner;
  const start = inner.length - inner.trimStart().length;
  const core = inner.trim();
  if (core === '') return inner;
  const end = start + core.length;
  const marked = href ? `[${core}](${destination(href)})` : `${wrap}${core}${wrap}`;
  return inner.slice(0, start) + marked + inner.slice(end);
}

/** The text of a subtree, read with an explicit stack (no recursion, whatever its depth). */
function textOf(node: DomNode): string {
  let out = '';
  const stack: DomNode[] = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.nodeType === 3) out += n.textContent ?? '';
    else if (n.nodeType === 1 && !SKIPPED.has(n.nodeName.toUpperCase())) {
      if (n.nodeName.toUpperCase() === 'BR') out += '\n';
      const children = Array.from(n.childNodes); // read once: linkedom builds a fresh list on every access
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  }
  return out;
}

/** HTML white space (space, tab, newline, CR, form feed) collapsed to single spaces; others (nbsp) kept. */
function collapse(text: string): string {
  let out = '';
  let from = 0;
  let inRun = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c;
    if (space && !inRun) {
      out += text.slice(from, i) + ' ';
      inRun = true;
    } else if (!space && inRun) {
      from = i;
      inRun = false;
    }
  }
  return inRun ? out : out + text.slice(from);
}

/** Inline text split at line breaks, each line with runs of spaces (from adjacent nodes) merged and trimmed; empty lines dropped. */
function lines(inline: string): string[] {
  return inline
    .split('\n')
    .map((l) => collapse(l).trim())
    .filter((l) => l !== '');
}

function escapeText(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (ESCAPED.has(text[i]!)) {
      out += `${text.slice(from, i)}\\${text[i]}`;
      from = i + 1;
    }
  }
  return out + text.slice(from);
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

/** A link destination that cannot end early: blanks percent-encoded, parentheses and angle brackets escaped. */
function destination(url: string): string {
  let out = '';
  for (const c of url.trim()) out += c === ' ' ? '%20' : c === '(' || c === ')' || c === '<' || c === '>' ? `\\${c}` : c;
  return out;
}

/** The `xxx` of a `language-xxx` class. */
function languageOf(className: string): string {
  for (const name of className.split(' ')) if (name.startsWith('language-')) return name.slice('language-'.length);
  return '';
}
