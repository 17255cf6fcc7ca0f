/**
 * A page's title without the site or generator suffix every page of the site repeats
 * ("gzip — Support for gzip files — Python 3.11.2 documentation" → "gzip — Support for gzip files").
 * Only what is known to be noise is removed: the recognised generator's pattern (generators.ts,
 * `titleNoise`), the PostgreSQL website's prefix, or the part after the
 * last separator when the page says it is the site's name (og:site_name, application-name), when
 * it reads as a documentation set's name ("… documentation", "… API Reference"), or when what is
 * before it is the page's own H1. Anything else is kept as written.
 *
 * @module
 */

/** Sites whose pages no generator profile covers: the capture is the page's own title. */
const PATTERNS: RegExp[] = [
  // PostgreSQL on the web: "PostgreSQL: Documentation: 15: psql", "PostgreSQL 15.4 Documentation: psql".
  /^PostgreSQL: Documentation: [\w.]+: (.+)$/,
  /^PostgreSQL [\w.]+ Documentation: (.+)$/,
];

const SEPARATORS = [' — ', ' – ', ' | ', ' - ', ' · ', ' :: '];
const SET_NAME = /\b(documentation|docs|manual|reference|api|handbook|wiki|guide)$/i;

/** What a page says about its title. */
export interface TitleSources {
  /** The `<title>` text. */
  title: string | undefined;
  /** The text of the main content's first H1. */
  h1: string | undefined;
  /** `og:site_name` or `application-name`. */
  siteName: string | undefined;
  /** The recognised generator's `titleNoise`. */
  noise: RegExp | undefined;
}

/** The page title to store: `<title>` without its noise, else the H1; undefined when there is neither. */
export function pageTitle({ title, h1, siteName, noise }: TitleSources): string | undefined {
  const heading = normalize(h1 ?? '');
  const full = normalize(title ?? '');
  if (full === '') return heading || undefined;
  const denoised = noise ? full.replace(noise, '').trim() : full;
  if (denoised !== full && denoised !== '') return denoised;
  for (const pattern of PATTERNS) {
    const own = pattern.exec(full)?.[1]?.trim();
    if (own) return own;
  }
  const [prefix, suffix] = splitLast(full);
  if (prefix === undefined || suffix === undefined) return full;
  const site = normalize(siteName ?? '');
  const isSuffix = (site !== '' && same(suffix, site)) || SET_NAME.test(suffix) || (heading !== '' && same(prefix, heading));
  return isSuffix ? prefix : full;
}

function splitLast(title: string): [string | undefined, string | undefined] {
  let at = -1;
  let sep = '';
  for (const s of SEPARATORS) {
    const i = title.lastIndexOf(s);
    if (i > at) [at, sep] = [i, s];
  }
  if (at <= 0) return [undefined, undefined];
  return [title.slice(0, at).trim(), title.slice(at + sep.length).trim()];
}

/** White space collapsed; a trailing permalink sign (¶, #, §) removed. */
function normalize(text: string): string {
  const words = text.split(/\s/).filter((w) => w !== '');
  if (words.length > 0 && ['¶', '#', '§'].includes(words.at(-1)!)) words.pop();
  const joined = words.join(' ');
  return /[¶#§]$/.test(joined) ? joined.slice(0, -1).trimEnd() : joined;
}

function same(a: string, b: string): boolean {
  return a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;
}
