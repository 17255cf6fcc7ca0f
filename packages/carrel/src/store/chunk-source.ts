/**
 * A document's source read back from its stored chunks: what `document_text` returns and what a
 * reindex rechunks. Store-neutral: every implementation hands its chunk rows to it.
 *
 * @module
 */
import { joinChunks } from '../ingest/chunker.js';

/** The stored fields of a chunk that its source is read back from. */
export interface ChunkRow {
  heading: string;
  text: string;
  overlap: number;
  lead: string | null;
  trail: string | null;
}

/** The source consecutive chunks were cut from: exact, or close to it for chunks stored before leads were. */
export function sourceOfChunks(rows: readonly ChunkRow[]): string {
  if (rows.some((r) => r.lead === null)) return approximateText(rows);
  return joinChunks(rows as readonly { text: string; overlap: number; lead: string; trail: string }[]);
}

/**
 * Chunks stored before the source around them was recorded (lead NULL): their text after the
 * overlap, a blank line between them, and a heading line wherever the breadcrumb changes. Close
 * to the source, not exact: blank runs, heading levels and long lines' cut points are lost.
 */
function approximateText(rows: readonly ChunkRow[]): string {
  const parts: string[] = [];
  let heading = '';
  for (const c of rows) {
    if (c.heading !== heading && c.heading !== '') {
      const crumbs = c.heading.split(' > ');
      parts.push(`${'#'.repeat(Math.min(6, crumbs.length))} ${crumbs[crumbs.length - 1]}`);
    }
    heading = c.heading;
    parts.push(c.text.slice(c.overlap));
  }
  return parts.join('\n\n');
}
