/**
 * Turns fetched bytes into markdown: HTML through main-content detection (html/) and our own
 * DOM-to-markdown walk (html-to-markdown.ts), PDF through unpdf (pdf.js), markdown and text as
 * they are. The HTML and PDF libraries are imported on first use: together they take
 * longer to load than a thousand markdown files take to ingest, and most ingests never need them.
 *
 * @module
 */
import { UnsupportedContentError } from '../errors.js';
import type { Link } from './html-to-markdown.js';
import type { MediaType } from './media-type.js';
import { isPdf, looksBinary, withoutNul } from './media-type.js';

/**
 * Markdown text, the title found in the content, if any, and the documentation generator
 * recognised. From HTML, the markdown keeps the text of links and `links` their targets, kept apart
 * so that URLs are neither indexed nor searched.
 */
export interface Extracted {
  markdown: string;
  title: string | undefined;
  links?: Link[];
  /** The generator of an HTML page, when recognised (`sphinx`, `javadoc`, …; see html/generators.ts). */
  generator?: string;
}

const decoder = new TextDecoder('utf-8');

/**
 * Converts HTML to markdown, keeping the main content (html/page.ts). Its parser and selector
 * engine are imported on first use, like the PDF library.
 */
export async function htmlToMarkdown(html: string, address?: string): Promise<Extracted> {
  const { htmlPageToMarkdown } = await loadHtmlConverter();
  return htmlPageToMarkdown(html, address);
}

/** Loads the HTML converter and its libraries (once), ahead of a page that will need them. */
export const loadHtmlConverter = () => import('./html/page.js');

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

/**
 * Converts content of a known media type to markdown; rejects binary content. An HTML page comes
 * back with its decoded text as well (`html`), for what reads the raw page (its page-kind markers)
 * without decoding it again: decoding is ~4% of a Sphinx ingest. `address` is where the content
 * lives (a file's path, a URL), for resolving an HTML page's links; inline content has none.
 */
export async function extract(
  bytes: Uint8Array,
  mediaType: MediaType,
  source: string,
  address?: string,
): Promise<Extracted & { html?: string }> {
  if (mediaType === 'pdf' || isPdf(bytes)) {
    if (!isPdf(bytes)) throw new UnsupportedContentError(source, 'it is named like a PDF but does not start with %PDF-');
    return pdfToText(bytes, source);
  }
  if (looksBinary(bytes)) throw new UnsupportedContentError(source, 'it is binary (contains NUL bytes), not text, markdown, HTML or PDF');
  const text = withoutNul(decoder.decode(bytes));
  if (mediaType === 'html') return { ...(await htmlToMarkdown(text, address)), html: text };
  return { markdown: text, title: undefined };
}
