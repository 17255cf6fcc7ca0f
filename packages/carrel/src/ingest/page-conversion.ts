/**
 * A page as the ingest needs it converted: markdown, title and links (sources/extract.ts), and the
 * page's kind (page-kind.ts) when pages are classified. The same function runs in the ingest worker
 * and in the page-converter thread (page-converter.ts), so where a page is converted never changes
 * what is stored.
 *
 * @module
 */
import { extract, type Extracted } from '../sources/extract.js';
import type { MediaType } from '../sources/media-type.js';
import { classifyPage, type PageKind } from './page-kind.js';

/** What to convert; plain data, so that it can be posted to a thread. */
export interface PageToConvert {
  bytes: Uint8Array;
  mediaType: MediaType;
  source: string;
  /** Where the content lives (a path, a URL), to resolve an HTML page's links; inline content has none. */
  address: string | undefined;
  /** Whether to classify the page; when not, its kind is `content`. */
  classify: boolean;
}

/** The converted page (without the decoded HTML, which only the classifier reads). */
export interface ConvertedPage extends Extracted {
  pageKind: PageKind;
}

/** Converts and classifies one page. */
export async function convertPage(page: PageToConvert): Promise<ConvertedPage> {
  const { html, ...extracted } = await extract(page.bytes, page.mediaType, page.source, page.address);
  const pageKind = page.classify
    ? classifyPage({ source: page.source, mediaType: page.mediaType, html, title: extracted.title, markdown: extracted.markdown })
    : 'content';
  return { ...extracted, pageKind };
}
