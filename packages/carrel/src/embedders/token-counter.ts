/**
 * Counting an embedder's input tokens, so the chunker can keep every chunk inside the model's
 * window. The model's own tokenizer counts exactly where it is loaded; otherwise a calibrated
 * estimate of BERT WordPiece stands in for it (see bench/README.md § Chunk size for the
 * calibration: it over-counts on purpose, so a chunk the estimate fits also fits the model).
 *
 * @module
 */

/** Counts tokens; `id` names the tokenizer or estimate, recorded with a library's chunking. */
export interface TokenCounter {
  readonly id: string;
  count(text: string): number;
}

/**
 * Word pieces per word of 1–14 ASCII letters and digits, as measured with the bert-base-uncased
 * vocabulary on the PostgreSQL and Python documentation (rounded up); a longer word is mostly an
 * identifier or a number, costing about one piece per three characters.
 */
const PIECES_BY_LENGTH = [0, 1, 1.05, 1.15, 1.15, 1.25, 1.3, 1.4, 1.75, 1.75, 1.9, 2.15, 2.75, 2.75, 3.1];
const LONG_WORD_PIECES_PER_CHAR = 0.36;
/** A word run together with others (`configparser`, `LZMAError`) splits into more pieces. */
const IDENTIFIER_PIECES_PER_CHAR = 0.4;
/**
 * Scale on the sum, calibrated with bench/chunking/run.ts against the real tokenizer on chunks of
 * the PostgreSQL and Python documentation: without it 0.5–1.5% of chunks are under-counted, with
 * it fewer than 0.1% (the median chunk is over-counted by about a quarter).
 */
export const ESTIMATE_MARGIN = 1.1;

/** Pieces of a word by length, prose and identifier, precomputed up to a length where the per-character rates apply. */
const TABLE_LENGTH = 64;
const PROSE_PIECES = Float64Array.from({ length: TABLE_LENGTH }, (_, n) =>
  n < PIECES_BY_LENGTH.length ? PIECES_BY_LENGTH[n]! : n * LONG_WORD_PIECES_PER_CHAR,
);
const IDENTIFIER_PIECES = PROSE_PIECES.map((pieces, n) => (n > 3 ? Math.max(pieces, n * IDENTIFIER_PIECES_PER_CHAR) : pieces));

const wordPieces = (length: number, identifier: boolean) =>
  length < TABLE_LENGTH
    ? (identifier ? IDENTIFIER_PIECES : PROSE_PIECES)[length]!
    : length * (identifier ? IDENTIFIER_PIECES_PER_CHAR : LONG_WORD_PIECES_PER_CHAR);

/** Character classes: ASCII by table, the rest by range. */
const SPACE = 0;
const WORD = 1;
const UPPER = 2;
const MARK = 3;
const ASCII_CLASS = new Uint8Array(128).map((_, c) =>
  c === 0x20 || (c >= 0x09 && c <= 0x0d)
    ? SPACE
    : c >= 0x41 && c <= 0x5a
      ? UPPER
      : (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)
        ? WORD
        : c < 0x20 || c === 0x7f
          ? SPACE
          : MARK,
);

/** The class of a non-ASCII character. */
function classOf(c: number): number {
  if (c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000) return SPACE;
  // A low surrogate was counted with its high half.
  if (c >= 0xdc00 && c <= 0xdfff) return SPACE;
  // General punctuation and symbols, CJK ideographs and punctuation, full-width forms, astral characters (emoji).
  if (
    (c >= 0x2000 && c <= 0x2bff) ||
    (c >= 0x3000 && c <= 0x303f) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0xff00 && c <= 0xffef) ||
    (c >= 0xd800 && c <= 0xdbff)
  )
    return MARK;
  return WORD;
}

/**
 * BERT's pre-tokenizer splits at white space and around every punctuation or symbol character and
 * every CJK ideograph; each of those is one piece. Runs of other characters are words, whose
 * piece count grows with their length. Linear, no allocation.
 */
function estimateWordPieces(text: string): number {
  let pieces = 0;
  let word = 0;
  // A word joined to its neighbours by punctuation (`a.b`, `x_y`, a path) or in camel case is an
  // identifier: run-together names cost about twice the pieces of prose words of the same length.
  let identifier = false;
  let previous = SPACE;
  let previousLower = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const kind = c < 128 ? ASCII_CLASS[c]! : classOf(c);
    if (kind === WORD || kind === UPPER) {
      if (word === 0) identifier = previous === MARK && !opensWord(text.charCodeAt(i - 1));
      else if (kind === UPPER && previousLower) identifier = true;
      previousLower = kind === WORD && c >= 0x61;
      word++;
    } else {
      if (word > 0) pieces += wordPieces(word, identifier || kind === MARK);
      word = 0;
      if (kind === MARK) pieces++;
    }
    previous = kind;
  }
  if (word > 0) pieces += wordPieces(word, identifier);
  return Math.ceil(pieces * ESTIMATE_MARGIN);
}

/** Punctuation that opens a word rather than joining two: `(`, `[`, a quote. */
const opensWord = (c: number) => c === 0x28 || c === 0x5b || c === 0x22;

/** The calibrated WordPiece estimate: the counter when no tokenizer is loaded. */
export const WORDPIECE_ESTIMATE: TokenCounter = { id: 'estimate:wordpiece-v1', count: estimateWordPieces };

/** A counter over a loaded tokenizer's `encode` (without the special tokens a model adds). */
export function tokenizerCounter(id: string, encode: (text: string) => number): TokenCounter {
  // White space between blocks is counted often and is never a token.
  return { id: `tokenizer:${id}`, count: (text) => (/\S/.test(text) ? encode(text) : 0) };
}
