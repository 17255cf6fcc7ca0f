/**
 * What one markdown line is, for the chunker: an ATX heading, a code fence, or text. Parsed by
 * hand, in one pass over the line's ends: the heading pattern this replaces,
 * /^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$/, let its blank runs and its lazy title trade characters,
 * so a 3 KB heading line of spaces took 13 s.
 *
 * @module
 */
import { isSpaceCode } from '../white-space.js';

/** A heading title longer than this is cut in breadcrumbs: every chunk of the section repeats it. */
export const MAX_TITLE_CHARS = 200;

const isSpaceOrTab = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * An ATX heading's level and title (CommonMark 0.31.2, section 4.2; like the old pattern, without
 * the optional 1-3 space indent), or undefined. A closing run of `#` is dropped only after a
 * blank, as CommonMark says ("# C#" is titled "C#").
 */
export function parseHeading(line: string): { level: number; title: string } | undefined {
  let level = 0;
  while (level < 7 && line[level] === '#') level++;
  if (level === 0 || level > 6 || !isSpaceOrTab(line[level])) return undefined;
  let start = level;
  while (isSpaceOrTab(line[start])) start++;
  let end = line.length;
  while (end > start && isSpaceOrTab(line[end - 1])) end--;
  let hashes = end;
  while (hashes > start && line[hashes - 1] === '#') hashes--;
  if (hashes === start || isSpaceOrTab(line[hashes - 1])) end = hashes;
  while (end > start && isSpaceOrTab(line[end - 1])) end--;
  return { level, title: cutAt(line.slice(start, end), MAX_TITLE_CHARS) };
}

/** The fence marker (three or more backticks or tildes after at most three blanks) opening a code block, or undefined. */
export function fenceOpening(line: string): string | undefined {
  let i = 0;
  while (i < 3 && isSpaceOrTab(line[i])) i++;
  const mark = line[i];
  if (mark !== '`' && mark !== '~') return undefined;
  let end = i;
  while (line[end] === mark) end++;
  return end - i >= 3 ? line.slice(i, end) : undefined;
}

/** True when `line` closes a block opened with `fence`: the marker (or longer), blanks around, nothing else. */
export function closesFence(line: string, fence: string): boolean {
  const text = line.trim();
  if (!text.startsWith(fence)) return false;
  for (let i = fence.length; i < text.length; i++) if (text[i] !== fence[0]) return false;
  return true;
}

/** True when `text[from, to)` is all white space, as `String.prototype.trim` counts it. */
export function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isSpaceCode(text.charCodeAt(i))) return false;
  return true;
}

/** `text` cut to at most `max` UTF-16 units, never between the halves of a surrogate pair. */
export function cutAt(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, safeEnd(text, max));
}

/** `end`, or one less when it would split a surrogate pair (a lone half does not survive UTF-8 storage). */
export function safeEnd(text: string, end: number): number {
  const code = text.charCodeAt(end - 1);
  return end > 1 && code >= 0xd800 && code <= 0xdbff ? end - 1 : end;
}
