/**
 * Counts for `status`: per library, documents, chunks, and chunks still lacking a vector.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { LibraryStatus } from '../records.js';

/** Per-library counts of what readers see, by name then version. */
export function libraryStatus(db: Database): LibraryStatus[] {
  return db
    .prepare<[], LibraryStatus>(
      `SELECT l.name, l.version, l.embedder, l.dims, l.chunking,
              (SELECT count(*) FROM documents d WHERE d.library_id = l.id AND d.live_version > 0) AS documents,
              (SELECT count(*) FROM documents d JOIN chunks c ON c.document_id = d.id AND c.version = d.live_version WHERE d.library_id = l.id) AS chunks,
              (SELECT count(*) FROM documents d JOIN chunks c ON c.document_id = d.id AND c.version = d.live_version
                WHERE d.library_id = l.id AND c.embedded = 0) AS chunksWithoutVectors
       FROM libraries l WHERE l.pending_run IS NULL ORDER BY l.name, l.version`,
    )
    .all();
}
