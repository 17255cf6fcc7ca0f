/**
 * What readers must not see: chunks of versions that are staged (a run has not published them) or
 * garbage (replaced, discarded or deleted, waiting for the collector). Both are found through two
 * small tables, so asking whether any exist costs two index probes; the retrievers take their
 * exact, slower paths only while some do.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { stmt } from './statements.js';

/** Whether any stored chunk is hidden from readers right now. */
export function hasHiddenChunks(db: Database): boolean {
  return (
    stmt(db, 'SELECT 1 FROM document_stages LIMIT 1').get() !== undefined ||
    stmt(db, 'SELECT 1 FROM garbage_versions LIMIT 1').get() !== undefined
  );
}

/** The ids of every hidden chunk. */
export function hiddenChunkIds(db: Database): Set<number> {
  const rows = stmt<[], { id: number }>(
    db,
    `SELECT c.id FROM document_stages s JOIN chunks c ON c.document_id = s.document_id AND c.version = s.version
     UNION ALL
     SELECT c.id FROM garbage_versions g JOIN chunks c ON c.document_id = g.document_id AND c.version = g.version`,
  ).all();
  return new Set(rows.map((r) => r.id));
}

/** The ids of the visible chunks of one library. */
export function visibleChunkIds(db: Database, libraryId: number): number[] {
  const row = stmt<[number], { ids: string }>(
    db,
    `SELECT json_group_array(c.id) AS ids FROM documents d JOIN chunks c ON c.document_id = d.id AND c.version = d.live_version
     WHERE d.library_id = ? AND d.live_version > 0`,
  ).get(libraryId)!;
  return JSON.parse(row.ids) as number[];
}
