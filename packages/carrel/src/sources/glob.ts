/**
 * Glob matching without regular expressions, in time bounded by path length × pattern length.
 * picomatch and the `ignore` package compile globs to regular expressions that backtrack: with
 * picomatch, `*a*a*a*a*a*a*b` took 13.6 s against a 60-character file name; with `ignore`, a
 * .gitignore line of six `a/**` segments and a `b` took a second per 40-level path, growing with
 * each repeat. Globs come from callers and .gitignore files from the folders being indexed, so
 * neither may cost more than a scan.
 *
 * Syntax: `*` (any run inside one path segment, dot files included), `?` (one character but
 * `/`), `[abc]`, `[a-z]`, `[!x]` / `[^x]`, `\` escapes, a `**` segment (any number of segments),
 * `{a,b}` alternatives (glob mode; nested, at most {@link MAX_ALTERNATIVES}), a leading `!`
 * (glob mode) negates. Extglobs (`+(a|b)` and kin) are refused rather than read literally.
 *
 * @module
 */
import { InvalidInputError } from '../errors.js';

/** `glob`: include/exclude globs (braces, `!` negation). `gitignore`: git's wildmatch rules (neither). */
export type GlobMode = 'glob' | 'gitignore';

/** Brace expansion multiplies: `{a,b}{c,d}…` doubles per group, so the count is capped. */
export const MAX_ALTERNATIVES = 256;

type Token =
  { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; negated: boolean; ranges: [string, string][] };
/** One pattern segment: the tokens of a name, or a `**` that spans any number of segments. */
type Segment = Token[] | 'globstar';

/** Compiles `glob` to a predicate over `/`-separated relative paths; throws InvalidInputError on a glob it cannot read. */
export function compileGlob(glob: string, mode: GlobMode = 'glob', argument = 'glob'): (path: string) => boolean {
  const negated = mode === 'glob' && glob.startsWith('!');
  const body = negated ? glob.slice(1) : glob;
  if (mode === 'glob' && /[?*+@!]\(/.test(body))
    throw new InvalidInputError(argument, `a glob without extglobs such as +(a|b) (got ${JSON.stringify(glob)})`);
  const alternatives = (mode === 'glob' ? expandBraces(body, argument) : [body]).map((g) => {
    const segments = g.split('/').map(parseSegment);
    // git: a trailing "/**" matches everything inside a folder, not the folder itself.
    if (mode === 'gitignore' && segments.length > 1 && segments.at(-1) === 'globstar') segments.splice(-1, 0, [{ kind: 'star' }]);
    return segments;
  });
  return (path) => {
    const names = path.split('/');
    return alternatives.some((segments) => matchSegments(segments, names)) !== negated;
  };
}

function parseSegment(text: string): Segment {
  if (text === '**') return 'globstar';
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) tokens.push({ kind: 'char', char: text[++i]! });
    else if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' }); // `a**b` is `a*b`
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[') {
      const parsed = parseClass(text, i);
      if (parsed) {
        tokens.push(parsed.token);
        i = parsed.end;
      } else tokens.push({ kind: 'char', char: c });
    } else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

/** A `[...]` class starting at `open`, and the index of its `]`; undefined when it never closes. */
function parseClass(text: string, open: number): { token: Token; end: number } | undefined {
  let i = open + 1;
  const negated = text[i] === '!' || text[i] === '^';
  if (negated) i++;
  const ranges: [string, string][] = [];
  for (let first = true; i < text.length; first = false) {
    if (text[i] === ']' && !first) return { token: { kind: 'class', negated, ranges }, end: i };
    let low = text[i]!;
    if (low === '\\' && i + 1 < text.length) low = text[++i]!;
    i++;
    let high = low;
    if (text[i] === '-' && i + 1 < text.length && text[i + 1] !== ']') {
      high = text[i + 1] === '\\' && i + 2 < text.length ? text[(i += 2)]! : text[++i]!;
      i++;
    }
    ranges.push([low, high]);
  }
  return undefined;
}

function matchToken(token: Token, c: string): boolean {
  if (c === '/') return false;
  if (token.kind === 'char') return token.char === c;
  if (token.kind === 'any') return true;
  if (token.kind === 'class') return token.ranges.some(([low, high]) => c >= low && c <= high) !== token.negated;
  return false;
}

/**
 * The classic wildcard walk: on a mismatch, only the latest `*` takes one more character, and
 * earlier ones never need to (the latest can absorb anything they would have). Every other token
 * consumes exactly one character, so the walk is O(name × tokens) with no backtracking stack.
 */
function matchName(tokens: readonly Token[], name: string): boolean {
  if (name === '') return tokens.length === 0; // `*` needs a character, as in picomatch and git
  let t = 0;
  let n = 0;
  let starT = -1;
  let starN = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (token?.kind === 'star') {
      starT = t++;
      starN = n;
    } else if (token && matchToken(token, name[n]!)) {
      t++;
      n++;
    } else if (starT >= 0) {
      t = starT + 1;
      n = ++starN;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

/** The same walk one level up: `**` is the star, each other segment matches exactly one name. */
function matchSegments(segments: readonly Segment[], names: readonly string[]): boolean {
  let s = 0;
  let n = 0;
  let starS = -1;
  let starN = 0;
  while (n < names.length) {
    const segment = segments[s];
    if (segment === 'globstar') {
      starS = s++;
      starN = n;
    } else if (segment && matchName(segment, names[n]!)) {
      s++;
      n++;
    } else if (starS >= 0) {
      s = starS + 1;
      n = ++starN;
    } else return false;
  }
  while (segments[s] === 'globstar') s++;
  return s === segments.length;
}

/** Expands `{a,b}` groups (nested, `\` escapes kept for the segment parser); caps the count. */
function expandBraces(glob: string, argument: string): string[] {
  const open = findBrace(glob, 0);
  if (open < 0) return [glob];
  const options: string[] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    else if ((c === ',' || c === '}') && depth === 0) {
      options.push(glob.slice(from, i));
      from = i + 1;
      if (c === '}') {
        if (options.length === 1) return [glob]; // `{a}` is literal
        const head = glob.slice(0, open);
        const out: string[] = [];
        for (const tail of expandBraces(glob.slice(i + 1), argument)) {
          for (const option of options) {
            for (const inner of expandBraces(option, argument)) {
              out.push(head + inner + tail);
              if (out.length > MAX_ALTERNATIVES)
                throw new InvalidInputError(
                  argument,
                  `a glob of at most ${MAX_ALTERNATIVES} brace alternatives (got ${JSON.stringify(glob)})`,
                );
            }
          }
        }
        return out;
      }
    }
  }
  return [glob]; // an unclosed `{` is literal
}

function findBrace(glob: string, from: number): number {
  for (let i = from; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '{') return i;
  }
  return -1;
}
