/**
 * Heading-aware markdown chunker. It takes the source text in pieces of any size and keeps only
 * the current section's pending text, so memory stays bounded however large the document is (a
 * run of blank and heading lines with no text between them is the one thing kept whole: it is the
 * separator before the next chunk). Each chunk carries the breadcrumb of headings above it
 * ("Guide > Install > Linux"). Sizes are in tokens of the embedder (see `chunking.ts`): what is
 * embedded — the breadcrumb, the overlap and the chunk's text — never exceeds `maxTokens` as the
 * counter counts it (but for a breadcrumb longer than three quarters of it); chunks aim at
 * `targetTokens`, start with the last `overlapTokens` of the previous chunk of the same section,
 * and keep fenced code blocks and tables whole when they fit. A new heading closes the current
 * chunk unless it is still shorter than `minTokens`; then the short section and its successor
 * share a chunk (the heading line stays in the text, the breadcrumb is the one where the chunk
 * began). Plain text goes through the same path (it simply has no headings).
 *
 * Every piece of text is counted once as it is placed, so chunking stays linear; a unit too long
 * for a chunk is cut by characters in proportion to its count and each piece is counted again.
 *
 * A chunk's text (after its overlap) is an exact slice of the source, and the source between two
 * chunks (blank lines, heading lines, blanks trimmed at a cut) is recorded on the later one, so
 * {@link joinChunks} gives back the source exactly; CRLF line ends, long lines and code included.
 *
 * @module
 */
import type { TokenCounter } from '../embedders/token-counter.js';
import { WORDPIECE_ESTIMATE } from '../embedders/token-counter.js';
import { closesFence, fenceOpening, isBlank, parseHeading, safeEnd } from './markdown-lines.js';
import { splitUnit } from './split-unit.js';

/** Size knobs, in tokens as `counter` counts them. */
export interface ChunkerOptions {
  /** Most tokens of a chunk's embedded text: breadcrumb, overlap and text. */
  maxTokens: number;
  /** A chunk is closed once its text reaches this many tokens. */
  targetTokens: number;
  overlapTokens: number;
  /** A section shorter than this is merged with the next one instead of becoming its own tiny chunk. */
  minTokens: number;
  counter: TokenCounter;
}

/** The plan for the default model's window (256 word pieces, 2 of them [CLS] and [SEP]; see `chunkingPlan`), estimated. */
export const DEFAULT_CHUNKER_OPTIONS: ChunkerOptions = {
  maxTokens: 254,
  targetTokens: 216,
  overlapTokens: 32,
  minTokens: 108,
  counter: WORDPIECE_ESTIMATE,
};

/**
 * Characters a token can take at most, for the memory bounds that work in characters (a line or
 * a paragraph is handed on in pieces of `maxTokens` × this): English prose runs at 4–5.
 */
const CHARS_PER_TOKEN_BOUND = 8;

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
  /** Tokens of `body`, and the most it may hold (the window less the breadcrumb and overlap). */
  private bodyTokens = 0;
  /** Tokens of the current breadcrumb, counted when first needed after a heading. */
  private crumb: number | undefined;
  private budget = 0;
  private lead = '';
  private carry = '';
  private chunkHeading = '';
  /** The last chunk made: it is handed out once it is known not to be the last (it gets the trail). */
  private held: Chunk | undefined;
  private out: Chunk[] = [];
  /** The first level-1 heading seen, a natural document title. */
  firstTitle: string | undefined;

  /** Characters handed on at a time when a line or paragraph is longer (a memory bound only). */
  private readonly maxChars: number;

  constructor(options: Partial<ChunkerOptions> = {}) {
    this.opts = { ...DEFAULT_CHUNKER_OPTIONS, ...options };
    this.opts.maxTokens = Math.max(8, this.opts.maxTokens);
    this.opts.targetTokens = Math.min(this.opts.targetTokens, this.opts.maxTokens);
    this.opts.minTokens = Math.min(this.opts.minTokens, this.opts.targetTokens);
    this.opts.overlapTokens = Math.min(this.opts.overlapTokens, Math.floor(this.opts.maxTokens / 4));
    this.maxChars = this.opts.maxTokens * CHARS_PER_TOKEN_BOUND;
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
    while (to - start > this.maxChars) {
      const cut = Math.max(start + 1, safeEnd(rest, start + this.maxChars));
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
    if (this.para.length > this.maxChars * (this.fence !== null ? 4 : 1)) this.finishUnit(this.fence !== null);
  }

  private heading(level: number, title: string, line: string, eol: string): void {
    this.finishUnit(false);
    if (this.bodyTokens >= this.opts.minTokens) this.emit();
    if (this.body !== '') {
      this.place(line, false);
      this.gap += eol;
    } else this.gap += line + eol;
    this.carry = '';
    this.headings[level - 1] = title;
    this.headings.fill('', level);
    this.crumb = undefined;
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
    else this.place(text, isCode);
    this.gap += end;
  }

  /**
   * Places a unit (a paragraph, code block, table or merged heading line) whole when it fits a
   * chunk under the current breadcrumb with a full overlap, else in pieces that do.
   */
  private place(text: string, isCode: boolean): void {
    const { counter, maxTokens, overlapTokens } = this.opts;
    this.crumb ??= this.breadcrumbTokens(this.breadcrumb());
    const room = Math.max(Math.floor(maxTokens / 4), maxTokens - this.crumb - overlapTokens);
    // A unit far longer than the room is cut without counting it whole first: its pieces are counted anyway.
    const tokens = text.length > room * CHARS_PER_TOKEN_BOUND ? Infinity : counter.count(text);
    if (tokens <= room) return this.addUnit(text, tokens);
    let at = 0;
    for (const piece of fitPieces(text, tokens, room, isCode, counter)) {
      this.gap += text.slice(at, piece.start);
      this.addUnit(text.slice(piece.start, piece.end), piece.tokens);
      at = piece.end;
    }
    this.gap += text.slice(at);
  }

  private breadcrumb(): string {
    return this.headings.filter((h) => h !== '').join(' > ');
  }

  /** Tokens a breadcrumb adds to the embedded text (see `embeddingText`). */
  private breadcrumbTokens(heading: string): number {
    return heading === '' ? 0 : this.opts.counter.count(heading);
  }

  /** Places source text in the current chunk, after the gap before it; closes the chunk when full. */
  private addUnit(unit: string, tokens: number): void {
    const gapTokens = this.opts.counter.count(this.gap);
    if (this.body !== '' && this.bodyTokens + gapTokens + tokens > this.budget) this.emit();
    if (this.body === '') {
      this.lead = this.gap;
      this.body = unit;
      this.bodyTokens = tokens;
      this.chunkHeading = this.breadcrumb();
      const carryTokens = this.carry ? this.opts.counter.count(this.carry) : 0;
      this.budget = this.opts.maxTokens - this.breadcrumbTokens(this.chunkHeading) - carryTokens;
    } else {
      this.body += this.gap + unit;
      this.bodyTokens += gapTokens + tokens;
    }
    this.gap = '';
    if (this.bodyTokens >= this.opts.targetTokens) this.emit();
  }

  private emit(): void {
    if (this.body === '') return;
    const prefix = this.carry ? `${this.carry}\n\n` : '';
    if (this.held) this.out.push(this.held);
    this.held = { heading: this.chunkHeading, text: prefix + this.body, overlap: prefix.length, lead: this.lead, trail: '' };
    this.carry = tailTokens(this.body, this.opts.overlapTokens, this.opts.counter);
    this.body = '';
    this.bodyTokens = 0;
    this.lead = '';
  }
}

/** A piece of a unit with its token count. */
interface CountedPiece {
  start: number;
  end: number;
  tokens: number;
}

/**
 * Pieces of `text` (which counts `tokens`) of at most `room` tokens each, cut one after another:
 * each is the first piece `splitUnit` cuts (at a sentence, line or word end) from a window of
 * characters sized by the density of the text so far, and a piece still too dense is cut again
 * from a window shrunk in proportion. Each try counts at most one window, so the work stays linear.
 */
function fitPieces(text: string, tokens: number, room: number, isCode: boolean, counter: TokenCounter): CountedPiece[] {
  const out: CountedPiece[] = [];
  // An uncounted unit (`tokens` Infinity) starts from a prose density.
  let charsPerToken = Number.isFinite(tokens) ? text.length / tokens : 4;
  let pos = 0;
  while (pos < text.length) {
    if (isCode && text[pos] === '\n') pos++;
    let window = Math.max(1, Math.floor(room * charsPerToken * 0.95));
    for (;;) {
      const rest = text.length - pos;
      // One character past the window, so splitUnit looks for a boundary instead of taking it whole.
      const [piece] = rest <= window ? [{ start: 0, end: rest }] : splitUnit(text.slice(pos, pos + window + 1), window, isCode);
      if (!piece) {
        pos += Math.min(rest, window);
        break;
      }
      const start = pos + piece.start;
      const end = pos + piece.end;
      const count = counter.count(text.slice(start, end));
      if (count <= room || end - start <= 1) {
        if (text.slice(start, end).trim() !== '') out.push({ start, end, tokens: count });
        if (count > 0) charsPerToken = (end - start) / count;
        pos = end;
        break;
      }
      window = Math.max(1, Math.min(window - 1, Math.floor(((end - start) * room) / count) - 1));
    }
  }
  return out;
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

/** The end of `text` of at most `n` tokens, starting at a word boundary. */
function tailTokens(text: string, n: number, counter: TokenCounter): string {
  if (n <= 0) return '';
  // A token is rarely shorter than 2 characters; cut by characters, then shorten while too many.
  let carry = tail(text, n * 4);
  for (let tokens = counter.count(carry); tokens > n && carry !== ''; tokens = counter.count(carry))
    carry = tail(carry, Math.floor((carry.length * n) / tokens) - 1);
  return carry;
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
