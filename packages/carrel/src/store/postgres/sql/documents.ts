/**
 * Reading documents: pages of summaries, one document's text reassembled from its live chunks,
 * the links of a version, and the walk a reindex makes over a library's live documents. Readers
 * see a document's live version only (`chunks.version = documents.live_version`).
 *
 * @module
 */
import type { Link } from '../../../sources/html-to-markdown.js';
import { sourceOfChunks, type ChunkRow } from '../../chunk-source.js';
import type { DocumentFilter, DocumentSummary, LiveDocument, LiveDocumentHeader, StoredChunk } from '../../repository.js';
import { lowerTitle } from '../../title-match.js';
import type { Query } from '../client.js';
import { filterClause } from './filters.js';

const TAGS = `coalesce((SELECT array_agg(tag ORDER BY tag) FROM document_tags t WHERE t.document_id = d.id), '{}') AS tags`;

const SUMMARY = `SELECT d.id, l.name AS library, l.version, d.title, d.source, d.kind, d.bytes, d.chunk_count AS "chunkCount",
  d.created_at AS "createdAt", d.updated_at AS "updatedAt", ${TAGS}
  FROM documents d JOIN libraries l ON l.id = d.library_id`;

/** A page of live documents matching `filter` (its title as ../../title-match.ts says), by library, version, source; `hasMore` when more follow. */
export async function listDocuments(
  query: Query,
  filter: DocumentFilter,
  limit: number,
  offset: number,
): Promise<{ documents: DocumentSummary[]; hasMore: boolean }> {
  const { title, ...filters } = filter;
  const where = filterClause(filters, 1);
  const params = [...where.params];
  let titleSql = '';
  if (title !== undefined) {
    params.push(lowerTitle(title));
    titleSql = ` AND strpos(lower(d.title COLLATE "und-x-icu"), $${params.length}) > 0`;
  }
  params.push(limit + 1, offset);
  const rows = await query<DocumentSummary>(
    `${SUMMARY} WHERE d.live_version > 0 AND ${where.sql}${titleSql} ORDER BY l.name, l.version, d.source LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { documents: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** One live document's summary, or undefined. */
export async function getDocumentSummary(query: Query, id: number): Promise<DocumentSummary | undefined> {
  const [row] = await query<DocumentSummary>(`${SUMMARY} WHERE d.id = $1 AND d.live_version > 0`, [id]);
  return row;
}

/** The text of a document's live version ('' without one). */
export async function documentText(query: Query, id: number): Promise<string> {
  const rows = await query<ChunkRow>(
    `SELECT c.heading, c.text, c.overlap, c.lead, c.trail FROM chunks c JOIN documents d ON d.id = c.document_id
     WHERE c.document_id = $1 AND c.version = d.live_version ORDER BY c.ord`,
    [id],
  );
  return sourceOfChunks(rows);
}

/** The live version of `source` in the library, or undefined. */
export async function findLiveDocument(query: Query, libraryId: number, source: string): Promise<LiveDocument | undefined> {
  const [row] = await query<LiveDocument>(
    'SELECT id, content_hash AS "contentHash", live_version AS "liveVersion" FROM documents WHERE library_id = $1 AND source = $2 AND live_version > 0',
    [libraryId, source],
  );
  return row;
}

/** A page of a library's live documents after `afterId` in id order (all, or those with chunks lacking a vector). */
export function liveDocuments(
  query: Query,
  libraryId: number,
  afterId: number,
  limit: number,
  onlyUnembedded: boolean,
): Promise<LiveDocumentHeader[]> {
  return query<LiveDocumentHeader>(
    `SELECT d.id, d.library_id AS "libraryId", d.source, d.kind, d.title, d.content_hash AS "contentHash", d.bytes,
            d.page_kind AS "pageKind", d.live_version AS "liveVersion", d.chunk_count AS "chunkCount", ${TAGS}
     FROM documents d WHERE d.library_id = $1 AND d.live_version > 0 AND d.id > $2
       AND (NOT $4 OR EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id AND c.version = d.live_version AND NOT c.embedded))
     ORDER BY d.id LIMIT $3`,
    [libraryId, afterId, limit, onlyUnembedded],
  );
}

/** Up to `limit` chunks of one version from position `fromOrd` on, in order. */
export function versionChunks(query: Query, documentId: number, version: number, fromOrd: number, limit: number): Promise<StoredChunk[]> {
  return query<StoredChunk>(
    'SELECT id, ord, heading, text, overlap, lead, trail, embedded FROM chunks WHERE document_id = $1 AND version = $2 AND ord >= $3 ORDER BY ord LIMIT $4',
    [documentId, version, fromOrd, limit],
  );
}

/** The links of one version of a document, in page order. */
export function versionLinks(query: Query, documentId: number, version: number): Promise<Link[]> {
  return query<Link>('SELECT text, href FROM document_links WHERE document_id = $1 AND version = $2 ORDER BY ord', [documentId, version]);
}

/** The links of a document's live version, in page order. */
export function liveLinks(query: Query, documentId: number): Promise<Link[]> {
  return query<Link>(
    `SELECT k.text, k.href FROM document_links k JOIN documents d ON d.id = k.document_id AND k.version = d.live_version
     WHERE k.document_id = $1 ORDER BY k.ord`,
    [documentId],
  );
}
