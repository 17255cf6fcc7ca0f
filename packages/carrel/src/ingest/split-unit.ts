/**
 * Cutting a paragraph or code block longer than a chunk into pieces. Pieces are given as
 * positions in the text, so the characters between them (the blanks a prose cut drops, the
 * newline a code cut falls on) stay known and the chunker keeps them as separators: the source
 * reads back exactly. Each piece costs one scan of at most `max` characters, so the whole cut is
 * linear in the text.
 *
 * @module
 */
import { safeEnd } from './markdown-lines.js';

/** A piece of a text: `text.slice(start, end)`. */
export interface Piece {
  start: number;
  end: number;
}

const isSpace = (c: string) => c.trim() === '';

/**
 * Pieces of at most `max` characters covering every non-blank character of `text` in order.
 * Prose is cut after a sentence or line end in the last half of a window, else at its last space,
 * else hard; pieces are trimmed. Code is cut at the last newline of a window (a longer line is cut
 * hard) and keeps its indentation; a piece of blank lines only is left out.
 */
export function splitUnit(text: string, max: number, isCode: boolean): Piece[] {
  const pieces: Piece[] = [];
  let pos = 0;
  while (pos < text.length) {
    let end: number;
    let next: number;
    if (text.length - pos <= max) end = next = text.length;
    else {
      const window = text.slice(pos, pos + max);
      const cut = isCode ? codeCut(window) : proseCut(window);
      end = cut > 0 ? pos + cut : Math.max(pos + 1, safeEnd(text, pos + max));
      next = isCode && text[end] === '\n' ? end + 1 : end;
    }
    let start = pos;
    if (!isCode) while (start < end && isSpace(text[start]!)) start++;
    while (end > start && isSpace(text[end - 1]!)) end--;
    if (end > start && (!isCode || text.slice(start, end).trim() !== '')) pieces.push({ start, end });
    pos = next;
  }
  return pieces;
}

/** Where a code window ends: at its last newline (exclusive), or 0 for a hard cut. */
function codeCut(window: string): number {
  const nl = window.lastIndexOf('\n');
  return nl > 0 ? nl : 0;
}

/** Where a prose window ends: after a sentence or line end in its last half, else after its last space in its last three quarters, else 0. */
function proseCut(window: string): number {
  const max = window.length;
  let cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('.\n'), window.lastIndexOf('\n'));
  if (cut < max / 2) cut = window.lastIndexOf(' ');
  return cut < max / 4 ? 0 : cut + 1;
}
