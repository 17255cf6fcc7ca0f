/**
 * Turns fetched bytes into markdown: HTML through Readability (main content, no navigation) and
 * Turndown, PDF through unpdf (pdf.js), markdown and text as they are. The HTML and PDF libraries
 * are imported on first use: together they take longer to load than a thousand markdown files
 * take to ingest, and most ingests never need them.
 *
 * @module
 */
import { UnsupportedContentError } from '../errors.js';
import type { MediaType } from './media-type.js';
import { isPdf, looksBinary } from './media-type.js';

/** Markdown text and the title found in the content, if any. */
export interface Extracted {
  markdown: string;
  title: string | undefined;
}

const decoder = new TextDecoder('utf-8');

/** Converts HTML to markdown, keeping only the main content when Readability finds it. */
export async function htmlToMarkdown(html: string): Promise<Extracted> {
  const [{ Readability }, { parseHTML }, { default: TurndownService }] = await Promise.all([
    import('@mozilla/readability'),
    import('linkedom'),
    import('turndown'),
  ]);
  const { document } = parseHTML(html);
  const pageTitle = document.querySelector('title')?.textContent?.trim() || undefined;
  let body = html;
  let title = pageTitle;
  try {
    // Readability mutates the DOM it reads, so it gets its own parse.
    const article = new Readability(parseHTML(html).document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
    if (article?.content) {
      body = article.content;
      title = article.title?.trim() || pageTitle;
    }
  } catch {
    // Not an article-shaped page: fall back to the whole body.
  }
  const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-' });
  turndown.remove(['script', 'style', 'noscript']);
  return { markdown: turndown.turndown(body), title };
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
