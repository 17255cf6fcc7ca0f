/**
 * Ratings of documents (optionally of one chunk): 1 to 5, with an optional comment. They belong to
 * the document, so they outlive new versions of it; a rating of a chunk of a replaced version keeps
 * its document and loses the chunk.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { NotFoundError } from '../../errors.js';
import { checkRating } from '../rating-scale.js';

/**
 * Records a rating of a live document (and of a chunk of its live version) in one transaction.
 * Returns the rating id.
 */
export function addRating(db: Database, documentId: number, rating: number, options: { chunkId?: number; comment?: string } = {}): number {
  checkRating(rating);
  return db
    .transaction(() => {
      if (!db.prepare('SELECT 1 FROM documents WHERE id = ? AND live_version > 0').get(documentId))
        throw new NotFoundError('Document', documentId);
      if (
        options.chunkId !== undefined &&
        !db
          .prepare(
            'SELECT 1 FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = ? AND c.document_id = ? AND c.version = d.live_version',
          )
          .get(options.chunkId, documentId)
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
