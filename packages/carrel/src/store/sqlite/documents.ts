/**
 * Documents and their chunks as stored. A document row is the stable identity of a source in a
 * library (its id never changes); its content lives in versions. The live version's chunks are the
 * ones readers see (`chunks.version = documents.live_version`); other versions are being staged by
 * a run or are garbage waiting for the collector. Writers here are used by `staging.ts`,
 * `publish.ts` and `garbage.ts`; nothing else writes documents.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { stmt } from './statements.js';
import { ensureVectorTable, insertVectors } from './vectors.js';
import type { ChunkWrite, DocumentHeader, LiveDocument, LiveDocumentHeader, StoredChunk } from '../records.js';

/** The live version of `source` in the library, or undefined if it has none. */
export function findLiveDocument(db: Database, libraryId: number, source: string): LiveDocument | undefined {
  return stmt<[number, string], LiveDocument>(
    db,
    'SELECT id, content_hash AS contentHash, live_version AS liveVersion FROM documents WHERE library_id = ? AND source = ? AND live_version > 0',
  ).get(libraryId, source);
}

/** The id of the document row for the header's source, created (with no live version) if missing. */
export function documentRow(db: Database, header: DocumentHeader): number {
  const now = Date.now();
  stmt(
    db,
    `INSERT INTO documents (library_id, source, kind, title, content_hash, bytes, chunk_count, created_at, updated_at, live_version)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, 0) ON CONFLICT (library_id, source) DO NOTHING`,
  ).run(header.libraryId, header.source, header.kind, header.title, header.contentHash, header.bytes, now, now);
  return stmt<[number, string], { id: number }>(db, 'SELECT id FROM documents WHERE library_id = ? AND source = ?').get(
    header.libraryId,
    header.source,
  )!.id;
}

/** Inserts chunks of one version from position `ord` on, with their FTS entries and vectors; returns the next position. */
export function appendChunks(
  db: Database,
  at: { documentId: number; version: number; libraryId: number },
  dims: number | null,
  ord: number,
  chunks: readonly ChunkWrite[],
): number {
  const insert = stmt(
    db,
    'INSERT INTO chunks (document_id, version, ord, heading, text, overlap, lead, trail, embedded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // Inserted here rather than by a trigger: an AFTER INSERT trigger measured 3-4x slower.
  const index = stmt(db, 'INSERT INTO chunks_fts (rowid, heading, text) VALUES (?, ?, ?)');
  const vectors: { chunkId: number; vector: Int8Array }[] = [];
  for (const c of chunks) {
    const info = insert.run(at.documentId, at.version, ord++, c.heading, c.text, c.overlap, c.lead, c.trail, c.vector ? 1 : 0);
    index.run(info.lastInsertRowid, c.heading, c.text);
    if (c.vector) vectors.push({ chunkId: Number(info.lastInsertRowid), vector: c.vector });
  }
  if (vectors.length > 0) {
    if (dims === null) throw new Error('appendChunks: vectors given but no dimension bound');
    ensureVectorTable(db, dims);
    insertVectors(db, dims, at.libraryId, vectors, false);
  }
  return ord;
}

/**
 * Deletes a document: its live version stops being visible at once and becomes garbage, which the
 * collector removes in bounded batches. Returns whether the document existed (and was live).
 */
export function retireDocument(db: Database, documentId: number): boolean {
  const live = stmt<[number], { v: number }>(db, 'SELECT live_version AS v FROM documents WHERE id = ? AND live_version > 0').get(
    documentId,
  );
  if (!live) return false;
  stmt(db, 'INSERT OR IGNORE INTO garbage_versions (document_id, version) VALUES (?, ?)').run(documentId, live.v);
  stmt(db, 'UPDATE documents SET live_version = 0, updated_at = ? WHERE id = ?').run(Date.now(), documentId);
  return true;
}

/**
 * The library's live documents after `afterId`, in id order: all of them, or only those whose live
 * version has chunks without a vector.
 */
export function liveDocuments(
  db: Database,
  libraryId: number,
  afterId: number,
  limit: number,
  onlyUnembedded: boolean,
): LiveDocumentHeader[] {
  const rows = stmt<[number, number, number], Omit<LiveDocumentHeader, 'tags'> & { tags: string }>(
    db,
    `SELECT d.id, d.library_id AS libraryId, d.source, d.kind, d.title, d.content_hash AS contentHash, d.bytes, d.page_kind AS pageKind,
            d.live_version AS liveVersion, d.chunk_count AS chunkCount,
            (SELECT json_group_array(tag) FROM document_tags t WHERE t.document_id = d.id) AS tags
     FROM documents d WHERE d.library_id = ? AND d.live_version > 0 AND d.id > ?
     ${onlyUnembedded ? 'AND EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id AND c.version = d.live_version AND c.embedded = 0)' : ''}
     ORDER BY d.id LIMIT ?`,
  ).all(libraryId, afterId, limit);
  return rows.map((r) => ({ ...r, tags: JSON.parse(r.tags) as string[] }));
}

/** Up to `limit` chunks of one version from position `fromOrd` on, in order. */
export function versionChunks(db: Database, documentId: number, version: number, fromOrd: number, limit: number): StoredChunk[] {
  return stmt<[number, number, number, number], Omit<StoredChunk, 'embedded'> & { embedded: number }>(
    db,
    'SELECT id, ord, heading, text, overlap, lead, trail, embedded FROM chunks WHERE document_id = ? AND version = ? AND ord >= ? ORDER BY ord LIMIT ?',
  )
    .all(documentId, version, fromOrd, limit)
    .map((c) => ({ ...c, embedded: c.embedded === 1 }));
}
