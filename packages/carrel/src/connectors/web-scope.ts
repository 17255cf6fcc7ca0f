/**
 * Which URLs a web connector crawls, and the one spelling each URL is known by.
 *
 * Normalisation: the scheme and host lower-cased, the default port and the fragment dropped, an
 * empty query dropped, percent-encoding as WHATWG URL writes it. The trailing slash is kept as
 * written: `/guide` and `/guide/` are different resources to a server (and often a redirect apart,
 * which the crawl follows), so folding them would guess. Query parameters keep their order.
 *
 * Scope: the start URL's origin, under an optional path prefix, then the include/exclude globs
 * (matched against the path, as `src/sources/glob.ts` reads them).
 *
 * @module
 */
import { compileGlob } from '../sources/glob.js';

/** The canonical spelling of `href` (resolved against `base`), or undefined when it is not an http(s) URL. */
export function normaliseUrl(href: string, base?: string | URL): string | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  // `search` reads '' for an empty query as for none; assigning '' drops the lone '?' from href.
  if (url.search === '') url.search = '';
  return url.href;
}

/** What {@link Scope} is built from. */
export interface ScopeOptions {
  start: string;
  pathPrefix?: string | undefined;
  include: readonly string[];
  exclude: readonly string[];
}

/** See module comment. */
export class Scope {
  private readonly origin: string;
  private readonly pathPrefix: string;
  private readonly include: ((path: string) => boolean)[];
  private readonly exclude: ((path: string) => boolean)[];

  constructor(options: ScopeOptions) {
    this.origin = new URL(options.start).origin;
    this.pathPrefix = options.pathPrefix ?? '/';
    this.include = options.include.map((glob) => compileGlob(relative(glob), 'glob', 'include'));
    this.exclude = options.exclude.map((glob) => compileGlob(relative(glob), 'glob', 'exclude'));
  }

  /** True when `href` (normalised) is on the site, under the prefix, and passes the globs. */
  contains(href: string): boolean {
    const url = new URL(href);
    if (url.origin !== this.origin || !url.pathname.startsWith(this.pathPrefix)) return false;
    const path = relative(decodePath(url.pathname));
    if (this.include.length > 0 && !this.include.some((matches) => matches(path))) return false;
    return !this.exclude.some((matches) => matches(path));
  }
}

/** Globs match paths without their leading slash, as they do for folders. */
function relative(path: string): string {
  return path.replace(/^\/+/, '');
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
