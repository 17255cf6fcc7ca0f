/**
 * Ratings of live documents (and of a chunk of their live version): see `../../ratings.ts`.
 *
 * @module
 */
import { NotFoundError } from '../../../errors.js';
import type { Query } from '../client.js';

/** Records a rating (already checked) of a live document; NotFoundError otherwise. Returns its id. */
export async function addRating(
  query: Query,
  documentId: number,
  rating: number,
  options: { chunkId?: number; comment?: string },
): Promise<number> {
  const [doc] = await query('SELECT 1 FROM documents WHERE id = $1 AND live_version > 0 FOR SHARE', [documentId]);
  if (!doc) throw new NotFoundError('Document', documentId);
  if (options.chunkId !== undefined) {
    const [chunk] = await query(
      'SELECT 1 FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id = $1 AND c.document_id = $2 AND c.version = d.live_version',
      [options.chunkId, documentId],
    );
    if (!chunk) throw new NotFoundError('Chunk of this document', options.chunkId);
  }
  const [row] = await query<{ id: number }>(
    'INSERT INTO ratings (document_id, chunk_id, rating, comment, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [documentId, options.chunkId ?? null, rating, options.comment ?? null, Date.now()],
  );
  return row!.id;
}
