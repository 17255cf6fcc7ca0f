/**
 * What a connector sync leaves in a data dir, read from its database file: the live documents,
 * the connector's items and cursor, and staged rows. The crash tests compare a crashed-then-resumed
 * sync with one that never crashed by it.
 *
 * @module
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface SyncState {
  documents: { source: string; content_hash: string; chunk_count: number }[];
  items: { source: string; marker: string }[];
  cursor: string | null;
  staged: number;
}

/** The state of the data dir's one connector (see module comment). */
export function syncState(dataDir: string): SyncState {
  const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
  try {
    return {
      documents: db
        .prepare<[], SyncState['documents'][number]>(
          'SELECT source, content_hash, chunk_count FROM documents WHERE live_version > 0 ORDER BY source',
        )
        .all(),
      items: db.prepare<[], SyncState['items'][number]>('SELECT source, marker FROM connector_items ORDER BY source').all(),
      cursor: db.prepare<[], { cursor: string | null }>('SELECT cursor FROM connectors').get()!.cursor,
      staged: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM document_stages').get()!.n,
    };
  } finally {
    db.close();
  }
}
