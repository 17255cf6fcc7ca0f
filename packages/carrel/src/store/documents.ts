/**
 * Document writes. A document (its row, tags, chunks, FTS entries and vectors) is written inside ONE
 * transaction, replacing any previous version of the same source atomically: a reader, or a
 * process killed mid-write, sees either the old document or the new one, never a mix.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { stmt } from './statements.js';
import { deleteVectorsOfChunks, deleteVectorsOfLibrary, ensureVectorTable, insertVectors } from './vectors.js';

/** Where a document came from. */
export type DocumentKind = 'raw' | 'file' | 'url';

/** The document-level fields of a write. */
export interface DocumentHeader {
  libraryId: number;
  source: string;
  kind: DocumentKind;
  title: string;
  contentHash: string;
  bytes: number;
  tags: readonly string[];
}

/** One chunk to store, with its vector when the embedder produced one. */
export interface ChunkWrite {
  heading: string;
  text: string;
  /** Leading characters that repeat the previous chunk (0 for the first). */
  overlap: number;
  vector: Int8Array | null;
}

/** Returns the stored content hash of a source in a library, or undefined if absent. */
export function findDocumentHash(db: Database, libraryId: number, source: string): string | undefined {
  return stmt<[number, string], { content_hash: string }>(db, 'SELECT content_hash FROM documents WHERE library_id = ? AND source = ?').get(
    libraryId,
    source,
  )?.content_hash;
}

/** Inserts the document row, or clears the previous version of the same source; returns its id. */
function replaceDocumentRow(db: Database, header: DocumentHeader): number {
  const now = Date.now();
  const existing = stmt<[number, string], { id: number }>(db, 'SELECT id FROM documents WHERE library_id = ? AND source = ?').get(
    header.libraryId,
    header.source,
  );
  let documentId: number;
  if (existing) {
    documentId = existing.id;
    const chunkIds = stmt<[number], { id: number }>(db, 'SELECT id FROM chunks WHERE document_id = ?')
      .all(documentId)
      .map((r) => r.id);
    deleteVectorsOfChunks(db, chunkIds);
    stmt(db, 'DELETE FROM chunks WHERE document_id = ?').run(documentId);
    stmt(db, 'DELETE FROM document_tags WHERE document_id = ?').run(documentId);
    stmt(db, 'UPDATE documents SET kind = ?, title = ?, content_hash = ?, bytes = ?, chunk_count = 0, updated_at = ? WHERE id = ?').run(
      header.kind,
      header.title,
      header.contentHash,
      header.bytes,
      now,
      documentId,
    );
  } else {
    const info = stmt(
      db,
      'INSERT INTO documents (library_id, source, kind, title, content_hash, bytes, chunk_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)',
    ).run(header.libraryId, header.source, header.kind, header.title, header.contentHash, header.bytes, now, now);
    documentId = Number(info.lastInsertRowid);
  }
  const tag = stmt(db, 'INSERT OR IGNORE INTO document_tags (tag, document_id) VALUES (?, ?)');
  for (const t of header.tags) tag.run(t, documentId);
  return documentId;
}

/** Inserts chunks from position `ord` on, with their vectors; returns the next position. */
function appendChunks(
  db: Database,
  documentId: number,
  libraryId: number,
  dims: number | null,
  ord: number,
  chunks: readonly ChunkWrite[],
): number {
  const insert = stmt(db, 'INSERT INTO chunks (document_id, ord, heading, text, overlap, embedded) VALUES (?, ?, ?, ?, ?, ?)');
  const index = stmt(db, 'INSERT INTO chunks_fts (rowid, heading, text) VALUES (?, ?, ?)');
  const vectors: { chunkId: number; vector: Int8Array }[] = [];
  for (const c of chunks) {
    const info = insert.run(documentId, ord++, c.heading, c.text, c.overlap, c.vector ? 1 : 0);
    index.run(info.lastInsertRowid, c.heading, c.text);
    if (c.vector) vectors.push({ chunkId: Number(info.lastInsertRowid), vector: c.vector });
  }
  if (vectors.length > 0) {
    if (dims === null) throw new Error('appendChunks: vectors given but no dimension bound');
    insertVectors(db, dims, libraryId, vectors, false);
  }
  return ord;
}

const setChunkCount = (db: Database, documentId: number, count: number) =>
  stmt(db, 'UPDATE documents SET chunk_count = ? WHERE id = ?').run(count, documentId);

/** A whole document to write. */
export interface DocumentWrite {
  header: DocumentHeader;
  chunks: readonly ChunkWrite[];
}

/**
 * Writes whole documents, all in ONE transaction: each document replaces its previous version
 * atomically, and a crash or cancel leaves every document either fully old or fully new. Grouping
 * a batch of documents into one commit keeps FTS5 from flushing a tiny segment per document,
 * which is what keeps ingest throughput flat as the store grows.
 */
export function writeDocuments(
  db: Database,
  dims: number | null,
  docs: readonly DocumentWrite[],
): { documentId: number; chunkCount: number }[] {
  if (dims !== null) ensureVectorTable(db, dims);
  return db
    .transaction(() =>
      docs.map((d) => {
        const documentId = replaceDocumentRow(db, d.header);
        const chunkCount = appendChunks(db, documentId, d.header.libraryId, dims, 0, d.chunks);
        setChunkCount(db, documentId, chunkCount);
        return { documentId, chunkCount };
      }),
    )
    .immediate();
}

/**
 * Writes one document incrementally inside a single IMMEDIATE transaction, so a 200 MB file can
 * be streamed in batches of chunks while the commit stays all-or-nothing. Used only from the
 * ingest worker, whose connection has no other user while the transaction is open.
 */
export class DocumentWriter {
  private documentId = 0;
  private ord = 0;
  private open = false;

  constructor(
    private readonly db: Database,
    private readonly header: DocumentHeader,
    private readonly dims: number | null,
  ) {}

  /** Opens the transaction and clears the previous version of the document, if any. */
  begin(): this {
    if (this.dims !== null) ensureVectorTable(this.db, this.dims);
    this.db.exec('BEGIN IMMEDIATE');
    this.open = true;
    this.documentId = replaceDocumentRow(this.db, this.header);
    return this;
  }

  /** Appends chunks (and their vectors) in order. */
  append(chunks: readonly ChunkWrite[]): void {
    this.ord = appendChunks(this.db, this.documentId, this.header.libraryId, this.dims, this.ord, chunks);
  }

  /** Commits; returns the document id and its chunk count. */
  commit(): { documentId: number; chunkCount: number } {
    setChunkCount(this.db, this.documentId, this.ord);
    this.db.exec('COMMIT');
    this.open = false;
    return { documentId: this.documentId, chunkCount: this.ord };
  }

  /** Rolls back if still open (safe to call after commit). */
  rollback(): void {
    if (this.open && this.db.inTransaction) this.db.exec('ROLLBACK');
    this.open = false;
  }
}

/** Deletes a document with its chunks, FTS entries, vectors, tags and ratings. Returns whether it existed. */
export function deleteDocument(db: Database, documentId: number): boolean {
  return db
    .transaction(() => {
      const chunkIds = db
        .prepare<[number], { id: number }>('SELECT id FROM chunks WHERE document_id = ?')
        .all(documentId)
        .map((r) => r.id);
      deleteVectorsOfChunks(db, chunkIds);
      return db.prepare('DELETE FROM documents WHERE id = ?').run(documentId).changes > 0;
    })
    .immediate();
}

/** A chunk that still needs a vector. */
export interface PendingChunk {
  id: number;
  heading: string;
  text: string;
}

/** Next chunks of a library without a vector, in id order after `afterId`. */
export function pendingChunks(db: Database, libraryId: number, afterId: number, limit: number): PendingChunk[] {
  return db
    .prepare<[number, number, number], PendingChunk>(
      `SELECT c.id, c.heading, c.text FROM chunks c JOIN documents d ON d.id = c.document_id
       WHERE d.library_id = ? AND c.embedded = 0 AND c.id > ? ORDER BY c.id LIMIT ?`,
    )
    .all(libraryId, afterId, limit);
}

/** Stores vectors for existing chunks and marks them embedded, in one transaction. */
export function storeChunkVectors(
  db: Database,
  libraryId: number,
  dims: number,
  rows: readonly { chunkId: number; vector: Int8Array }[],
): void {
  ensureVectorTable(db, dims);
  db.transaction(() => {
    insertVectors(db, dims, libraryId, rows);
    const mark = db.prepare('UPDATE chunks SET embedded = 1 WHERE id = ?');
    for (const r of rows) mark.run(r.chunkId);
  }).immediate();
}

/** Drops every vector of a library and marks its chunks as needing one (start of a model switch). */
export function clearLibraryVectors(db: Database, libraryId: number): void {
  db.transaction(() => {
    deleteVectorsOfLibrary(db, libraryId);
    db.prepare('UPDATE chunks SET embedded = 0 WHERE document_id IN (SELECT id FROM documents WHERE library_id = ?)').run(libraryId);
  }).immediate();
}
