/**
 * Reading documents back: a filtered page of document summaries, and one document's text
 * reassembled from its chunks exactly as it was chunked (joined by the source text recorded
 * around each chunk, overlaps removed).
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { sourceOfChunks, type ChunkRow } from '../chunk-source.js';
import { lowerTitle, TITLE_LOWER_FUNCTION } from '../title-match.js';
import { filterClause } from './search-queries.js';
import type { DocumentFilter, DocumentSummary } from '../records.js';

interface SummaryRow extends Omit<DocumentSummary, 'tags'> {
  tags: string | null;
}

const SUMMARY = `SELECT d.id, l.name AS library, l.version, d.title, d.source, d.kind, d.bytes, d.chunk_count AS chunkCount,
  d.created_at AS createdAt, d.updated_at AS updatedAt,
  (SELECT json_group_array(tag) FROM (SELECT tag FROM document_tags t WHERE t.document_id = d.id ORDER BY tag)) AS tags
  FROM documents d JOIN libraries l ON l.id = d.library_id`;

const toSummary = (r: SummaryRow): DocumentSummary => ({ ...r, tags: r.tags ? (JSON.parse(r.tags) as string[]) : [] });

/** Documents of the filtered libraries, by library, version and source; one extra row tells whether more follow. */
export function listDocuments(
  db: Database,
  { title, ...filter }: DocumentFilter,
  limit: number,
  offset: number,
): { documents: DocumentSummary[]; hasMore: boolean } {
  const where = filterClause(filter);
  const titleSql = title === undefined ? '' : ` AND instr(${TITLE_LOWER_FUNCTION}(d.title), ?) > 0`;
  const titleParams = title === undefined ? [] : [lowerTitle(title)];
  const rows = db
    .prepare<unknown[], SummaryRow>(
      `${SUMMARY} WHERE d.live_version > 0 AND ${where.sql}${titleSql} ORDER BY l.name, l.version, d.source LIMIT ? OFFSET ?`,
    )
    .all(...where.params, ...titleParams, limit + 1, offset);
  return { documents: rows.slice(0, limit).map(toSummary), hasMore: rows.length > limit };
}

/** One document's summary, or undefined. */
export function getDocumentSummary(db: Database, id: number): DocumentSummary | undefined {
  const row = db.prepare<[number], SummaryRow>(`${SUMMARY} WHERE d.id = ? AND d.live_version > 0`).get(id);
  return row ? toSummary(row) : undefined;
}

/** The text of the document's live version: the source its chunks were cut from (see {@link sourceOfChunks}). */
export function documentText(db: Database, id: number): string {
  const rows = db
    .prepare<[number], ChunkRow>(
      `SELECT c.heading, c.text, c.overlap, c.lead, c.trail FROM chunks c JOIN documents d ON d.id = c.document_id
       WHERE c.document_id = ? AND c.version = d.live_version ORDER BY c.ord`,
    )
    .all(id);
  return sourceOfChunks(rows);
}
