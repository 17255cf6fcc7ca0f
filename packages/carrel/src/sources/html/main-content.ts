/**
 * Finds a page's main content: the region of a recognised documentation generator (generators.ts),
 * else the region the page itself marks (`<main>`, `[role=main]`, `<article>`). Undefined when the
 * page marks none; the caller then falls back to Readability's scoring.
 *
 * Each step is one walk of the tree whatever the number of selectors (lists are joined, then the
 * matches sorted out): walks, not selector tests, were what cost (a dozen per page took a tenth
 * of an ingest of the Python documentation).
 *
 * @module
 */
import { GENERATORS, GENERIC_CHROME, GENERIC_REGION, type GeneratorProfile } from './generators.js';
import { matches, query, queryAll, removeAll, type HtmlDocument, type HtmlElement } from './parse.js';

export interface MainContent {
  /** The recognised generator, if any. */
  generator: GeneratorProfile | undefined;
  /** The region's elements in document order, chrome removed; undefined when the page marks none. */
  region: HtmlElement[] | undefined;
}

const WITH_SIGNATURE = GENERATORS.filter((g) => g.signature !== undefined);
const ANY_SIGNATURE = WITH_SIGNATURE.map((g) => g.signature).join(', ');

/** The generator that made the page, from its generator meta tag or a marker element. */
export function detectGenerator(document: HtmlDocument): GeneratorProfile | undefined {
  const head = query(document, 'head');
  const meta = (head && query(head, 'meta[name=generator]')?.getAttribute('content')?.trim()) ?? '';
  const byMeta = GENERATORS.find((g) => g.meta !== undefined && g.meta.test(meta));
  if (byMeta) return byMeta;
  const marker = query(document, ANY_SIGNATURE);
  return marker && WITH_SIGNATURE.find((g) => matches(marker, g.signature!));
}

/** The main content of the page; removes the chrome inside it from the tree. */
export function mainContent(document: HtmlDocument): MainContent {
  const profile = detectGenerator(document);
  const region = (profile && regionOf(document, profile.region, profile.chrome)) ?? regionOf(document, GENERIC_REGION, GENERIC_CHROME);
  return { generator: profile, region };
}

/** The matches of the first selector that matches anything, outermost only, without their chrome. */
function regionOf(document: HtmlDocument, selectors: string[], chrome: string[]): HtmlElement[] | undefined {
  const found = queryAll(document, selectors.join(', '));
  for (const selector of selectors) {
    const hits = found.filter((el) => matches(el, selector));
    // A match inside another match (Sphinx's nested [role=main]) would be converted twice.
    const matched = new Set(hits);
    const outermost = hits.filter((el) => !insideAny(el, matched));
    if (outermost.length === 0) continue;
    for (const el of outermost) removeAll(el, chrome.join(', '));
    return outermost;
  }
  return undefined;
}

function insideAny(node: HtmlElement, elements: Set<HtmlElement>): boolean {
  for (let p = node.parent; p; p = p.parent) if (elements.has(p as HtmlElement)) return true;
  return false;
}
