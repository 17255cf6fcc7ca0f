/**
 * Ratings of documents (optionally of one chunk): 1 to 5, with an optional comment.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { InvalidInputError, NotFoundError } from '../errors.js';

/** Records a rating; validates it and that the chunk belongs to the document. Returns the rating id. */
export function addRating(db: Database, documentId: number, rating: number, options: { chunkId?: number; comment?: string } = {}): number {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new InvalidInputError('rating', 'an integer from 1 to 5');
  return db
    .transaction(() => {
      if (!db.prepare('SELECT 1 FROM documents WHERE id = ?').get(documentId)) throw new NotFoundError('Document', documentId);
      if (
        options.chunkId !== undefined &&
        !db.prepare('SELECT 1 FROM chunks WHERE id = ? AND document_id = ?').get(options.chunkId, documentId)
      ) {
        throw new NotFoundError('Chunk of this document', options.chunkId);
      }
      const info = db
        .prepare('INSERT INTO ratings (document_id, chunk_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(documentId, options.chunkId ?? null, rating, options.comment ?? null, Date.now());
      return Number(info.lastInsertRowid);
    })
    .immediate();
}
