/**
 * One HTML page to markdown: parsed once (dom.ts), its main content found (main-content.ts) and
 * converted whole; Readability, on a second parse with linkedom, only for a page that marks no
 * main region. The H1 stays in the markdown; the title is the `<title>` without the generator's
 * or site's noise (title.ts).
 *
 * @module
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Extracted } from '../extract.js';
import type { DomNode } from './dom.js';
import { domToMarkdown } from '../html-to-markdown.js';
import { limitNesting } from '../html-nesting.js';
import { asDomNode, containerOf, parseHtml, query, textOf } from './parse.js';
import { mainContent } from './main-content.js';
import { pageTitle } from './title.js';

/**
 * Readability's work grows with element depth times the number of elements: 1,000 nested divs
 * (10 KB) took 35 s, 250 took 1.3 s. Real pages nest a few dozen deep; a deeper one is converted
 * whole, without Readability, so its cost stays linear in the page.
 */
const READABILITY_MAX_DEPTH = 64;

/** The deepest element nesting under `root`, counted with an explicit stack. */
function depthOf(root: DomNode): number {
  let deepest = 0;
  const stack: [DomNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    for (const child of Array.from(node.childNodes)) if (child.nodeType === 1) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The markdown of the page's main content, its title and its generator. With the page's
 * `address` (its URL, or its file's path), link targets are made absolute, against the page's
 * `<base href>` where it has one: a relative target means nothing once the page is in the store.
 */
export async function htmlPageToMarkdown(html: string, address?: string): Promise<Extracted> {
  const limited = limitNesting(html);
  const document = parseHtml(limited);
  const { generator, region } = mainContent(document);
  const body = query(document, 'body') ?? document;
  const root = region ? containerOf(region) : ((await readabilityArticle(limited, asDomNode(body))) ?? asDomNode(body));
  const head = query(document, 'head') ?? document;
  const titleElement = query(head, 'title');
  const h1 = (region ?? [body]).map((el) => query(el, 'h1')).find((el) => el !== undefined);
  const siteName = query(head, 'meta[property="og:site_name"], meta[name=application-name]')?.getAttribute('content') ?? undefined;
  const title = pageTitle({ title: titleElement && textOf(titleElement), h1: h1 && textOf(h1), siteName, noise: generator?.titleNoise });
  const { markdown, links } = domToMarkdown(root);
  const resolve = address === undefined ? undefined : linkResolver(address, query(head, 'base[href]')?.getAttribute('href') ?? undefined);
  return {
    markdown,
    links: resolve ? links.map((l) => ({ text: l.text, href: resolve(l.href) })) : links,
    title,
    generator: generator?.name,
  };
}

/**
 * Resolves link targets against the page: a file's links become paths (as the store names file
 * sources), keeping their `#fragment`; a URL page's links become URLs. A target that does not
 * resolve (a malformed URL) is kept as written.
 */
function linkResolver(address: string, baseHref: string | undefined): (href: string) => string {
  const file = !/^https?:\/\//i.test(address);
  let base: URL;
  try {
    const page = file ? pathToFileURL(address) : new URL(address);
    base = baseHref === undefined ? page : new URL(baseHref, page);
  } catch {
    return (href) => href;
  }
  return (href) => {
    try {
      const target = new URL(href, base);
      return target.protocol === 'file:' ? fileURLToPath(target) + target.hash : target.href;
    } catch {
      return href;
    }
  };
}

/**
 * The article Readability finds in a page that marks no main region, or undefined. Readability
 * needs a full DOM and mutates it, so the page is parsed again with linkedom for it.
 */
async function readabilityArticle(html: string, body: DomNode): Promise<DomNode | undefined> {
  if (depthOf(body) > READABILITY_MAX_DEPTH) return undefined;
  const [{ Readability }, { parseHTML }] = await Promise.all([import('@mozilla/readability'), import('linkedom')]);
  try {
    const { document } = parseHTML(html);
    // The serializer hands back the article element itself rather than its HTML, which would only be parsed again.
    const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
      serializer: (node) => node,
      // The converter reads classes (code languages, admonitions, permalinks, Doxygen fragments).
      keepClasses: true,
    }).parse();
    return (article?.content as unknown as DomNode | undefined) ?? undefined;
  } catch {
    return undefined; // not an article-shaped page: the whole body is kept
  }
}
