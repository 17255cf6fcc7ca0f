/**
 * Heading-aware markdown chunker. It takes the source text in pieces of any size and keeps only
 * the current section's pending text, so memory stays bounded however large the document is (a
 * run of blank and heading lines with no text between them is the one thing kept whole: it is the
 * separator before the next chunk). Each chunk carries the breadcrumb of headings above it
 * ("Guide > Install > Linux"); chunks aim at `targetChars`, never exceed `maxChars` except for the
 * overlap prefix, start with the last `overlapChars` of the previous chunk of the same section,
 * and keep fenced code blocks whole when they fit. A new heading closes the current chunk unless
 * it is still shorter than `minChars`; then the short section and its successor share a chunk
 * (the heading line stays in the text, the breadcrumb is the one where the chunk began). Plain
 * text goes through the same path (it simply has no headings).
 *
 * A chunk's text (after its overlap) is an exact slice of the source, and the source between two
 * chunks (blank lines, heading lines, blanks trimmed at a cut) is recorded on the later one, so
 * {@link joinChunks} gives back the source exactly; CRLF line ends, long lines and code included.
 *
 * @module
 */
import { closesFence, fenceOpening, isBlank, parseHeading, safeEnd } from './markdown-lines.js';
import { splitUnit } from './split-unit.js';

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

/** One chunk: its breadcrumb, its text, how many leading characters repeat the previous chunk, and the source around it. */
export interface Chunk {
  heading: string;
  text: string;
  overlap: number;
  /** The source text between the previous chunk's text and this chunk's (after its overlap). */
  lead: string;
  /** The source text after this chunk's text that no chunk holds: empty except on the last chunk. */
  trail: string;
}

/** The source a document's chunks were cut from: each chunk's lead, text after its overlap, and trail. */
export function joinChunks(chunks: Iterable<Pick<Chunk, 'lead' | 'text' | 'overlap' | 'trail'>>): string {
  let out = '';
  for (const c of chunks) out += c.lead + c.text.slice(c.overlap) + c.trail;
  return out;
}

/** Streaming chunker: `push` source text, `take` finished chunks, `end` at the end of input. */
export class MarkdownChunker {
  private readonly opts: ChunkerOptions;
  /** The current title at each heading level, '' where there is none. */
  private readonly headings: string[] = ['', '', '', '', '', ''];
  /** Source text not yet seen whole: the start of a line still waiting for its end. */
  private pending = '';
  /** True while the line being read was already partly handled (it is longer than `maxChars`). */
  private midLine = false;
  private fence: string | null = null;
  /** The paragraph or code block being read, and the line end after its last line. */
  private para = '';
  private paraEnd = '';
  /** Source text since the last text placed in a chunk. */
  private gap = '';
  private body = '';
  private lead = '';
  private carry = '';
  private chunkHeading = '';
  /** The last chunk made: it is handed out once it is known not to be the last (it gets the trail). */
  private held: Chunk | undefined;
  private out: Chunk[] = [];
  /** The first level-1 heading seen, a natural document title. */
  firstTitle: string | undefined;

  constructor(options: Partial<ChunkerOptions> = {}) {
    this.opts = { ...DEFAULT_CHUNKER_OPTIONS, ...options };
    if (this.opts.maxChars < this.opts.targetChars) this.opts.maxChars = this.opts.targetChars;
    if (this.opts.minChars > this.opts.targetChars) this.opts.minChars = this.opts.targetChars;
  }

  /** Feeds the next piece of the source, of any length: lines may span pieces. */
  push(text: string): void {
    const rest = this.pending + text;
    let start = 0;
    // Blank lines between blocks only join the gap: a run of them is added as one slice, since a
    // string built one tiny piece at a time costs far more per character than the text around it.
    // (A run cut by the end of `text` simply goes on in the next call.)
    for (let nl = rest.indexOf('\n', start); nl >= 0; nl = rest.indexOf('\n', start)) {
      if (this.para === '' && this.fence === null && !this.midLine && isBlank(rest, start, nl)) {
        const end = blankRunEnd(rest, nl + 1);
        this.gap += rest.slice(start, end);
        start = end;
        continue;
      }
      start = this.longLine(rest, start, nl);
      const crlf = nl > start && rest[nl - 1] === '\r';
      this.line(rest.slice(start, crlf ? nl - 1 : nl), crlf ? '\r\n' : '\n');
      start = nl + 1;
    }
    this.pending = rest.slice(this.longLine(rest, start, rest.length));
  }

  /**
   * Hands on `rest[start, to)` (the start of a line) in pieces of `maxChars` while more than that
   * is left; returns where the remainder begins. A line longer than a chunk cannot be a heading,
   * and holding it whole would put a 200 MB one-line file in memory. The cut points depend only
   * on the line, so a document pushed whole or in pieces of any size gives the same chunks.
   */
  private longLine(rest: string, start: number, to: number): number {
    while (to - start > this.opts.maxChars) {
      const cut = Math.max(start + 1, safeEnd(rest, start + this.opts.maxChars));
      this.line(rest.slice(start, cut), null);
      start = cut;
    }
    return start;
  }

  /** Returns and forgets the chunks finished so far. */
  take(): Chunk[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /**
   * Flushes everything pending; returns the remaining chunks. A document of headings only becomes
   * one chunk of its heading lines; one of blanks only has no chunks (and reads back empty).
   */
  end(): Chunk[] {
    if (this.pending !== '') this.line(this.pending, '');
    this.pending = '';
    this.finishUnit(this.fence !== null);
    this.fence = null;
    this.emit();
    if (!this.held && this.gap.trim() !== '') {
      const text = this.gap.trim();
      const at = this.gap.indexOf(text);
      this.held = { heading: '', text, overlap: 0, lead: this.gap.slice(0, at), trail: '' };
      this.gap = this.gap.slice(at + text.length);
    }
    if (this.held) {
      this.held.trail = this.gap;
      this.out.push(this.held);
      this.held = undefined;
    }
    this.gap = '';
    return this.take();
  }

  /** One line without its end (`eol`), or with `eol` null a piece of a longer line that goes on. */
  private line(text: string, eol: string | null): void {
    const continued = this.midLine;
    this.midLine = eol === null;
    const end = eol ?? '';
    if (continued) {
      if (this.para === '' && this.fence === null && isBlank(text, 0, text.length)) this.gap += text + end;
      else this.addLine(text, end);
    } else if (this.fence !== null) {
      this.addLine(text, end);
      if (eol !== null && closesFence(text, this.fence)) {
        this.fence = null;
        this.finishUnit(true);
      }
    } else {
      const fence = fenceOpening(text);
      const heading = fence === undefined && eol !== null ? parseHeading(text) : undefined;
      if (fence !== undefined) {
        this.finishUnit(false);
        this.fence = fence;
        this.addLine(text, end);
      } else if (heading) this.heading(heading.level, heading.title, text, end);
      else if (isBlank(text, 0, text.length)) {
        this.finishUnit(false);
        this.gap += text + end;
      } else this.addLine(text, end);
    }
    // A giant code block is cut rather than buffered whole; a paragraph at the chunk size.
    if (this.para.length > this.opts.maxChars * (this.fence !== null ? 4 : 1)) this.finishUnit(this.fence !== null);
  }

  private heading(level: number, title: string, line: string, eol: string): void {
    this.finishUnit(false);
    if (this.body.length >= this.opts.minChars) this.emit();
    if (this.body !== '') {
      this.addUnit(line);
      this.gap += eol;
    } else this.gap += line + eol;
    this.carry = '';
    this.headings[level - 1] = title;
    this.headings.fill('', level);
    if (level === 1 && this.firstTitle === undefined) this.firstTitle = title;
  }

  private addLine(text: string, eol: string): void {
    this.para += this.paraEnd + text;
    this.paraEnd = eol;
  }

  /** Closes the paragraph or code block being read: it becomes one unit, or several when too long. */
  private finishUnit(isCode: boolean): void {
    if (this.para === '') return;
    const text = this.para;
    const end = this.paraEnd;
    this.para = '';
    this.paraEnd = '';
    if (isBlank(text, 0, text.length)) this.gap += text;
    else if (text.length <= this.opts.maxChars) this.addUnit(text);
    else {
      let at = 0;
      for (const piece of splitUnit(text, this.opts.maxChars, isCode)) {
        this.gap += text.slice(at, piece.start);
        this.addUnit(text.slice(piece.start, piece.end));
        at = piece.end;
      }
      this.gap += text.slice(at);
    }
    this.gap += end;
  }

  /** Places source text in the current chunk, after the gap before it; closes the chunk when full. */
  private addUnit(unit: string): void {
    if (this.body !== '' && this.body.length + this.gap.length + unit.length > this.opts.maxChars) this.emit();
    if (this.body === '') {
      this.lead = this.gap;
      this.body = unit;
      this.chunkHeading = this.headings.filter((h) => h !== '').join(' > ');
    } else this.body += this.gap + unit;
    this.gap = '';
    if (this.body.length >= this.opts.targetChars) this.emit();
  }

  private emit(): void {
    if (this.body === '') return;
    const prefix = this.carry ? `${this.carry}\n\n` : '';
    if (this.held) this.out.push(this.held);
    this.held = { heading: this.chunkHeading, text: prefix + this.body, overlap: prefix.length, lead: this.lead, trail: '' };
    this.carry = tail(this.body, this.opts.overlapChars);
    this.body = '';
    this.lead = '';
  }
}

/** The end of the run of whole blank lines starting at `from` (just after the last newline in it). */
function blankRunEnd(text: string, from: number): number {
  let end = from;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) end = i + 1;
    else if (!isBlank(text, i, i + 1)) break;
  }
  return end;
}

/** The last `n` characters of `text`, starting at a word boundary. */
function tail(text: string, n: number): string {
  if (n <= 0) return '';
  if (text.length <= n) return text;
  let from = text.length - n;
  const code = text.charCodeAt(from);
  if (code >= 0xdc00 && code <= 0xdfff) from++; // not the second half of a surrogate pair alone
  const cut = text.slice(from);
  const space = cut.search(/\s/);
  return (space >= 0 ? cut.slice(space) : cut).trim();
}

/** Chunks a whole string (convenience for documents read whole). */
export function chunkMarkdown(text: string, options: Partial<ChunkerOptions> = {}): { chunks: Chunk[]; title: string | undefined } {
  const chunker = new MarkdownChunker(options);
  chunker.push(text);
  const chunks = [...chunker.take(), ...chunker.end()];
  return { chunks, title: chunker.firstTitle };
}
