/**
 * Heading-aware markdown chunker. It reads line by line and keeps only the current section's
 * pending text, so memory stays bounded however large the document is. Each chunk carries the
 * breadcrumb of headings above it ("Guide > Install > Linux"); chunks aim at `targetChars`, never
 * exceed `maxChars` except for the overlap prefix, start with the last `overlapChars` of the
 * previous chunk of the same section, and keep fenced code blocks whole when they fit. A new
 * heading closes the current chunk unless it is still shorter than `minChars`; then the short
 * section and its successor share a chunk (the heading line stays in the text, the breadcrumb is
 * the one where the chunk began).
 * Plain text goes through the same path (it simply has no headings).
 *
 * @module
 */

/** Size knobs, in characters. */
export interface ChunkerOptions {
  targetChars: number;
  maxChars: number;
  overlapChars: number;
  /** A section shorter than this is merged with the next one instead of becoming its own tiny chunk. */
  minChars: number;
}

/** Defaults tuned for small sentence-embedding models (≈ 256–512 tokens per chunk). */
export const DEFAULT_CHUNKER_OPTIONS: ChunkerOptions = { targetChars: 1200, maxChars: 2400, overlapChars: 150, minChars: 600 };

/** One chunk: its breadcrumb, its text, and how many leading characters repeat the previous chunk. */
export interface Chunk {
  heading: string;
  text: string;
  overlap: number;
}

const FENCE = /^[ \t]{0,3}(`{3,}|~{3,})/;

/** Streaming chunker: `push` lines, `take` finished chunks, `end` at the end of input. */
export class MarkdownChunker {
  private readonly opts: ChunkerOptions;
  private readonly headings: string[] = [];
  private para: string[] = [];
  private paraLen = 0;
  private fence: string | null = null;
  private units: string[] = [];
  private unitsLen = 0;
  private carry = '';
  private chunkHeading = '';
  private out: Chunk[] = [];
  /** The first level-1 heading seen, a natural document title. */
  firstTitle: string | undefined;

  constructor(options: Partial<ChunkerOptions> = {}) {
    this.opts = { ...DEFAULT_CHUNKER_OPTIONS, ...options };
    if (this.opts.maxChars < this.opts.targetChars) this.opts.maxChars = this.opts.targetChars;
    if (this.opts.minChars > this.opts.targetChars) this.opts.minChars = this.opts.targetChars;
  }

  /** Feeds one line (without its newline). */
  push(line: string): void {
    if (this.fence !== null) {
      this.addLine(line);
      if (line.trimStart().startsWith(this.fence) && line.trim().replace(/[`~]/g, '') === '') {
        this.fence = null;
        this.finishUnit(true);
      } else if (this.paraLen > this.opts.maxChars * 4) {
        this.finishUnit(true); // a giant code block: cut it rather than buffer it all
      }
      return;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      this.finishUnit(false);
      this.fence = fence[1]!;
      this.addLine(line);
      return;
    }
    const heading = parseHeading(line);
    if (heading) {
      this.finishUnit(false);
      const { level, title } = heading;
      if (this.unitsLen >= this.opts.minChars) this.emit();
      else if (this.units.length > 0) this.addUnit(line.trim());
      this.carry = '';
      this.headings.length = level - 1;
      this.headings[level - 1] = title;
      if (level === 1 && this.firstTitle === undefined) this.firstTitle = title;
      return;
    }
    if (line.trim() === '') {
      this.finishUnit(false);
      return;
    }
    this.addLine(line);
    if (this.paraLen > this.opts.maxChars) this.finishUnit(false);
  }

  /** Returns and forgets the chunks finished so far. */
  take(): Chunk[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Flushes everything pending; returns the remaining chunks. */
  end(): Chunk[] {
    this.finishUnit(this.fence !== null);
    this.fence = null;
    this.emit();
    return this.take();
  }

  private addLine(line: string): void {
    this.para.push(line);
    this.paraLen += line.length + 1;
  }

  private finishUnit(isCode: boolean): void {
    if (this.para.length === 0) return;
    const text = this.para.join('\n');
    this.para = [];
    this.paraLen = 0;
    if (text.trim() === '') return;
    if (text.length <= this.opts.maxChars) this.addUnit(text);
    else for (const piece of isCode ? splitLines(text, this.opts.maxChars) : splitProse(text, this.opts.maxChars)) this.addUnit(piece);
  }

  private addUnit(unit: string): void {
    if (this.units.length > 0 && this.unitsLen + unit.length + 2 > this.opts.maxChars) this.emit();
    if (this.units.length === 0) this.chunkHeading = this.headings.filter((h) => h !== undefined && h !== '').join(' > ');
    this.units.push(unit);
    this.unitsLen += unit.length + 2;
    if (this.unitsLen >= this.opts.targetChars) this.emit();
  }

  private emit(): void {
    if (this.units.length === 0) return;
    const body = this.units.join('\n\n');
    this.units = [];
    this.unitsLen = 0;
    const prefix = this.carry ? `${this.carry}\n\n` : '';
    this.out.push({ heading: this.chunkHeading, text: prefix + body, overlap: prefix.length });
    this.carry = tail(body, this.opts.overlapChars);
  }
}

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/**
 * An ATX heading line's level and title (CommonMark 0.31.2, section 4.2), or undefined. Parsed by
 * hand: the pattern it replaces, /^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$/, let the blank runs and
 * the lazy title trade characters, so a 3 KB heading line of spaces took 13 s. A closing run of
 * `#` is dropped only after a blank, as CommonMark says ("# C#" is titled "C#").
 */
function parseHeading(line: string): { level: number; title: string } | undefined {
  let level = 0;
  while (level < 7 && line[level] === '#') level++;
  if (level === 0 || level > 6 || !isBlank(line[level])) return undefined;
  let start = level;
  while (isBlank(line[start])) start++;
  let end = line.length;
  while (end > start && isBlank(line[end - 1])) end--;
  let hashes = end;
  while (hashes > start && line[hashes - 1] === '#') hashes--;
  if (hashes === start || isBlank(line[hashes - 1])) end = hashes;
  while (end > start && isBlank(line[end - 1])) end--;
  return { level, title: line.slice(start, end) };
}

/** The last `n` characters of `text`, starting at a word boundary. */
function tail(text: string, n: number): string {
  if (n <= 0) return '';
  if (text.length <= n) return text;
  const cut = text.slice(text.length - n);
  const space = cut.search(/\s/);
  return (space >= 0 ? cut.slice(space) : cut).trim();
}

/** Splits code at line boundaries into pieces of at most `max` chars (a longer line is cut). */
function splitLines(text: string, max: number): string[] {
  const pieces: string[] = [];
  let cur = '';
  for (const line of text.split('\n')) {
    for (let i = 0; i < Math.max(1, line.length); i += max) {
      const part = line.slice(i, i + max);
      if (cur.length > 0 && cur.length + part.length + 1 > max) {
        pieces.push(cur);
        cur = '';
      }
      cur = cur.length > 0 ? `${cur}\n${part}` : part;
    }
  }
  if (cur.trim() !== '') pieces.push(cur);
  return pieces;
}

/** Splits prose at sentence ends, else at spaces, into pieces of at most `max` chars. */
function splitProse(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('.\n'), window.lastIndexOf('\n'));
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 4) cut = max - 1;
    pieces.push(rest.slice(0, cut + 1).trim());
    rest = rest.slice(cut + 1);
  }
  if (rest.trim() !== '') pieces.push(rest.trim());
  return pieces;
}

/** Chunks a whole string (convenience for small documents). */
export function chunkMarkdown(text: string, options: Partial<ChunkerOptions> = {}): { chunks: Chunk[]; title: string | undefined } {
  const chunker = new MarkdownChunker(options);
  const chunks: Chunk[] = [];
  for (const line of text.split(/\r?\n/)) {
    chunker.push(line);
  }
  chunks.push(...chunker.take(), ...chunker.end());
  return { chunks, title: chunker.firstTitle };
}
