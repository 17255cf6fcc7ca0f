/**
 * Document writes. A document (its row, tags, chunks, FTS entries and vectors) is written in ONE
 * transaction, replacing any previous version of the same source atomically: a reader, or a
 * process killed mid-write, sees either the old document or the new one, never a mix.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
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
  vector: Int8Array | null;
}

/** Returns the stored content hash of a source in a library, or undefined if absent. */
export function findDocumentHash(db: Database, libraryId: number, source: string): string | undefined {
  return db
    .prepare<[number, string], { content_hash: string }>('SELECT content_hash FROM documents WHERE library_id = ? AND source = ?')
    .get(libraryId, source)?.content_hash;
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
  private readonly insertChunk;

  constructor(
    private readonly db: Database,
    private readonly header: DocumentHeader,
    private readonly dims: number | null,
  ) {
    this.insertChunk = db.prepare('INSERT INTO chunks (document_id, ord, heading, text, embedded) VALUES (?, ?, ?, ?, ?)');
  }

  /** Opens the transaction and clears the previous version of the document, if any. */
  begin(): this {
    const { db, header } = this;
    if (this.dims !== null) ensureVectorTable(db, this.dims);
    db.exec('BEGIN IMMEDIATE');
    this.open = true;
    const now = Date.now();
    const existing = db
      .prepare<[number, string], { id: number }>('SELECT id FROM documents WHERE library_id = ? AND source = ?')
      .get(header.libraryId, header.source);
    if (existing) {
      this.documentId = existing.id;
      const chunkIds = db.prepare<[number], { id: number }>('SELECT id FROM chunks WHERE document_id = ?').all(existing.id).map((r) => r.id);
      deleteVectorsOfChunks(db, chunkIds);
      db.prepare('DELETE FROM chunks WHERE document_id = ?').run(existing.id);
      db.prepare('DELETE FROM document_tags WHERE document_id = ?').run(existing.id);
      db.prepare('UPDATE documents SET kind = ?, title = ?, content_hash = ?, bytes = ?, chunk_count = 0, updated_at = ? WHERE id = ?').run(
        header.kind,
        header.title,
        header.contentHash,
        header.bytes,
        now,
        existing.id,
      );
    } else {
      const info = db
        .prepare(
          'INSERT INTO documents (library_id, source, kind, title, content_hash, bytes, chunk_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)',
        )
        .run(header.libraryId, header.source, header.kind, header.title, header.contentHash, header.bytes, now, now);
      this.documentId = Number(info.lastInsertRowid);
    }
    const tag = db.prepare('INSERT OR IGNORE INTO document_tags (tag, document_id) VALUES (?, ?)');
    for (const t of header.tags) tag.run(t, this.documentId);
    return this;
  }

  /** Appends chunks (and their vectors) in order. */
  append(chunks: readonly ChunkWrite[]): void {
    const vectors: { chunkId: number; vector: Int8Array }[] = [];
    for (const c of chunks) {
      const info = this.insertChunk.run(this.documentId, this.ord++, c.heading, c.text, c.vector ? 1 : 0);
      if (c.vector) vectors.push({ chunkId: Number(info.lastInsertRowid), vector: c.vector });
    }
    if (vectors.length > 0) {
      if (this.dims === null) throw new Error('DocumentWriter: vectors given but no dimension bound');
      insertVectors(this.db, this.dims, this.header.libraryId, vectors);
    }
  }

  /** Commits; returns the document id and its chunk count. */
  commit(): { documentId: number; chunkCount: number } {
    this.db.prepare('UPDATE documents SET chunk_count = ? WHERE id = ?').run(this.ord, this.documentId);
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

/** Writes a whole document in one transaction. */
export function writeDocument(db: Database, header: DocumentHeader, dims: number | null, chunks: readonly ChunkWrite[]): { documentId: number; chunkCount: number } {
  const writer = new DocumentWriter(db, header, dims).begin();
  try {
    writer.append(chunks);
    return writer.commit();
  } finally {
    writer.rollback();
  }
}

/** Deletes a document with its chunks, FTS entries, vectors, tags and ratings. Returns whether it existed. */
export function deleteDocument(db: Database, documentId: number): boolean {
  return db.transaction(() => {
    const chunkIds = db.prepare<[number], { id: number }>('SELECT id FROM chunks WHERE document_id = ?').all(documentId).map((r) => r.id);
    deleteVectorsOfChunks(db, chunkIds);
    return db.prepare('DELETE FROM documents WHERE id = ?').run(documentId).changes > 0;
  }).immediate();
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
export function storeChunkVectors(db: Database, libraryId: number, dims: number, rows: readonly { chunkId: number; vector: Int8Array }[]): void {
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
