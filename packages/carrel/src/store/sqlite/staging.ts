/**
 * Staging: a run writes new versions of documents (rows, chunks, FTS entries, vectors) that no
 * reader sees until the run publishes. Each call is one short transaction and none waits on an
 * embedder: the caller embeds first, then stages. Every write first checks that the run is still
 * staging, so the writes of a run discarded meanwhile (its task was cancelled) fail with a cancel.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { ChunkWrite } from '../records.js';
import { appendChunks, documentRow } from './documents.js';
import { insertLinks } from './links.js';
import { assertStaging } from './runs.js';
import { stmt } from './statements.js';
import type { ExistingStage, StagedDocument, StagedVersion } from '../records.js';

/** The run's staged version of `source`, or undefined. */
export function findStage(db: Database, runId: number, libraryId: number, source: string): ExistingStage | undefined {
  const row = stmt<[number, number, string], Omit<ExistingStage, 'complete'> & { complete: number }>(
    db,
    `SELECT s.document_id AS documentId, s.version, s.status, s.content_hash AS contentHash, s.chunk_count AS chunkCount,
            s.chunks_without_vectors AS chunksWithoutVectors, s.complete
     FROM document_stages s JOIN documents d ON d.id = s.document_id WHERE s.run_id = ? AND d.library_id = ? AND d.source = ?`,
  ).get(runId, libraryId, source);
  return row ? { ...row, complete: row.complete === 1 } : undefined;
}

/** Stages whole documents in ONE transaction; a document staged before by this run is replaced. */
export function stageDocuments(db: Database, runId: number, dims: number | null, docs: readonly StagedDocument[]): StagedVersion[] {
  return db
    .transaction(() => {
      assertStaging(db, runId);
      return docs.map((d) => {
        const { documentId, version } = newStage(db, runId, d, true);
        const chunkCount = appendChunks(db, { documentId, version, libraryId: d.header.libraryId }, dims, 0, d.chunks);
        return { documentId, version, chunkCount };
      });
    })
    .immediate();
}

/** Starts a version written in several calls (a streamed file); it publishes only once finished. */
export function beginStage(db: Database, runId: number, doc: Omit<StagedDocument, 'chunks'>): { documentId: number; version: number } {
  return db
    .transaction(() => {
      assertStaging(db, runId);
      return newStage(db, runId, { ...doc, chunks: [] }, false);
    })
    .immediate();
}

/** Appends chunks to a version begun with {@link beginStage}; returns the next position. */
export function appendStage(
  db: Database,
  runId: number,
  at: { documentId: number; version: number; libraryId: number },
  dims: number | null,
  ord: number,
  chunks: readonly ChunkWrite[],
): number {
  return db
    .transaction(() => {
      assertStaging(db, runId);
      const next = appendChunks(db, at, dims, ord, chunks);
      const without = chunks.filter((c) => c.vector === null).length;
      stmt(db, 'UPDATE document_stages SET chunk_count = ?, chunks_without_vectors = chunks_without_vectors + ? WHERE version = ?').run(
        next,
        without,
        at.version,
      );
      return next;
    })
    .immediate();
}

/** Marks a version begun with {@link beginStage} complete. */
export function finishStage(db: Database, runId: number, version: number): void {
  db.transaction(() => {
    assertStaging(db, runId);
    stmt(db, 'UPDATE document_stages SET complete = 1 WHERE version = ?').run(version);
  }).immediate();
}

/** Inserts the stage row (the version) and its links, first turning this run's earlier stage of the document into garbage. */
function newStage(db: Database, runId: number, doc: StagedDocument, complete: boolean): { documentId: number; version: number } {
  const documentId = documentRow(db, doc.header);
  const previous = stmt<[number, number], { version: number }>(
    db,
    'SELECT version FROM document_stages WHERE run_id = ? AND document_id = ?',
  ).get(runId, documentId);
  if (previous) {
    stmt(db, 'INSERT OR IGNORE INTO garbage_versions (document_id, version) VALUES (?, ?)').run(documentId, previous.version);
    stmt(db, 'DELETE FROM document_stages WHERE version = ?').run(previous.version);
  }
  const h = doc.header;
  const info = stmt(
    db,
    `INSERT INTO document_stages (run_id, document_id, status, base_version, kind, title, content_hash, bytes, tags, page_kind, chunk_count, chunks_without_vectors, complete)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    documentId,
    doc.status,
    doc.baseVersion,
    h.kind,
    h.title,
    h.contentHash,
    h.bytes,
    JSON.stringify(h.tags),
    h.pageKind,
    doc.chunks.length,
    doc.chunks.filter((c) => c.vector === null).length,
    complete ? 1 : 0,
  );
  const version = Number(info.lastInsertRowid);
  if (doc.links) insertLinks(db, documentId, version, doc.links);
  return { documentId, version };
}
