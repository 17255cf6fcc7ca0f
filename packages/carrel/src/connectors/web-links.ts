/**
 * What a crawler reads from an HTML page: the links to follow (`<a href>`, resolved against
 * `<base href>`), the page's `<link rel="canonical">`, and the robots meta tag's `noindex` and
 * `nofollow`. htmlparser2's tokenizer streams through the page without building a tree.
 *
 * @module
 */
import { Parser } from 'htmlparser2';

/** See module comment. */
export interface PageLinks {
  links: string[];
  canonical: string | undefined;
  noindex: boolean;
  nofollow: boolean;
}

/** Reads the links of the page at `url` (see module comment); hrefs that are not URLs are left out. */
export function pageLinks(html: string, url: string): PageLinks {
  let base = url;
  const hrefs: string[] = [];
  let canonicalHref: string | undefined;
  let noindex = false;
  let nofollow = false;
  const parser = new Parser(
    {
      onopentag: (name, attributes) => {
        if (name === 'a' && attributes.href !== undefined && !relHas(attributes.rel, 'nofollow')) hrefs.push(attributes.href);
        else if (name === 'base' && attributes.href !== undefined) base = resolve(attributes.href, url) ?? base;
        else if (name === 'link' && relHas(attributes.rel, 'canonical') && attributes.href !== undefined) canonicalHref ??= attributes.href;
        else if (name === 'meta' && /^(robots|carrel)$/i.test(attributes.name ?? '')) {
          const directives = (attributes.content ?? '').toLowerCase();
          noindex ||= /\b(noindex|none)\b/.test(directives);
          nofollow ||= /\b(nofollow|none)\b/.test(directives);
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  const links = nofollow ? [] : hrefs.flatMap((href) => resolve(href, base) ?? []);
  return { links, canonical: canonicalHref === undefined ? undefined : resolve(canonicalHref, base), noindex, nofollow };
}

function relHas(rel: string | undefined, token: string): boolean {
  return (rel ?? '').toLowerCase().split(/\s+/).includes(token);
}

function resolve(href: string, base: string): string | undefined {
  try {
    return new URL(href.trim(), base).href;
  } catch {
    return undefined;
  }
}
