/**
 * Turns fetched bytes into markdown: HTML through Readability (main content, no navigation) and
 * our own DOM-to-markdown walk (html-to-markdown.ts), PDF through unpdf (pdf.js), markdown and
 * text as they are. The HTML and PDF libraries are imported on first use: together they take
 * longer to load than a thousand markdown files take to ingest, and most ingests never need them.
 *
 * @module
 */
import { UnsupportedContentError } from '../errors.js';
import type { DomNode, Link } from './html-to-markdown.js';
import { domToMarkdown } from './html-to-markdown.js';
import { limitNesting } from './html-nesting.js';
import type { MediaType } from './media-type.js';
import { isPdf, looksBinary } from './media-type.js';

/**
 * Markdown text and the title found in the content, if any. From HTML, the markdown keeps the text
 * of links and `links` their targets, kept apart so that URLs are neither indexed nor searched.
 */
export interface Extracted {
  markdown: string;
  title: string | undefined;
  links?: Link[];
}

const decoder = new TextDecoder('utf-8');

/**
 * Readability's work grows with element depth times the number of elements: 1,000 nested divs
 * (10 KB) took 35 s, 250 took 1.3 s. Real pages nest a few dozen deep; a deeper one is converted
 * whole, without Readability, so its cost stays linear in the page.
 */
export const READABILITY_MAX_DEPTH = 64;

/** The deepest element nesting under `root`, counted with an explicit stack. */
function depthOf(root: DomNode): number {
  let deepest = 0;
  const stack: [DomNode, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    // Read childNodes once: linkedom builds a fresh list on every access.
    for (const child of Array.from(node.childNodes)) if (child.nodeType === 1) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Converts HTML to markdown, keeping only the main content when Readability finds it. */
export async function htmlToMarkdown(html: string): Promise<Extracted> {
  const [{ Readability }, { parseHTML }] = await Promise.all([import('@mozilla/readability'), import('linkedom')]);
  html = limitNesting(html);
  const { document } = parseHTML(html);
  const pageTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  let root: DomNode = (document.body ?? document.documentElement) as unknown as DomNode;
  let title = pageTitle;
  if (depthOf(root) > READABILITY_MAX_DEPTH) return { ...domToMarkdown(root), title };
  try {
    // Readability mutates the DOM it reads, so it gets its own parse; it hands back the article
    // element itself rather than its HTML, which would only be parsed again. Classes are kept: the
    // converter reads them (code languages, admonitions, permalinks, Doxygen fragments).
    const article = new Readability(parseHTML(html).document as unknown as ConstructorParameters<typeof Readability>[0], {
      serializer: (node) => node,
      keepClasses: true,
    }).parse();
    if (article?.content) {
      root = article.content as unknown as DomNode;
      title = article.title?.trim() || pageTitle;
    }
  } catch {
    // Not an article-shaped page: fall back to the whole body.
  }
  return { ...domToMarkdown(root), title };
}

/** Extracts the text of every PDF page, pages separated by blank lines. */
export async function pdfToText(bytes: Uint8Array, source: string): Promise<Extracted> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  try {
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    const { text } = await extractText(pdf, { mergePages: false });
    const info = (await pdf.getMetadata().catch(() => undefined))?.info as { Title?: string } | undefined;
    return { markdown: (text as string[]).join('\n\n'), title: info?.Title?.trim() || undefined };
  } catch (err) {
    throw new UnsupportedContentError(source, `not a readable PDF (${(err as Error).message})`);
  }
}

/** Converts content of a known media type to markdown; rejects binary content. */
export async function extract(bytes: Uint8Array, mediaType: MediaType, source: string): Promise<Extracted> {
  if (mediaType === 'pdf' || isPdf(bytes)) {
    if (!isPdf(bytes)) throw new UnsupportedContentError(source, 'it is named like a PDF but does not start with %PDF-');
    return pdfToText(bytes, source);
  }
  if (looksBinary(bytes)) throw new UnsupportedContentError(source, 'it is binary (contains NUL bytes), not text, markdown, HTML or PDF');
  const text = decoder.decode(bytes);
  if (mediaType === 'html') return htmlToMarkdown(text);
  return { markdown: text, title: undefined };
}
