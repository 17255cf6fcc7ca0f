/**
 * Discarding runs and collecting garbage. A discarded run's staged versions, the versions a publish
 * replaced, and deleted documents are invisible at once; their chunks, FTS entries and vectors are
 * deleted here afterwards in batches of a bounded number of chunks, each its own short transaction,
 * so no write waits long behind the collector. Document rows and hidden libraries left with
 * nothing go last.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { isAbandoned } from '../run-holders.js';
import { discardRunRow } from './runs.js';
import { stmt } from './statements.js';
import { deleteLinks } from './links.js';
import { deleteVectorsOfChunks } from './vectors.js';

/** Discards a staging run (no-op for a run that already published or was discarded). Returns whether it was staging. */
export function discardRun(db: Database, runId: number): boolean {
  return db
    .transaction(() => {
      const staging = stmt<[number], { id: number }>(db, "SELECT id FROM ingest_runs WHERE id = ? AND state = 'staging'").get(runId);
      if (staging) discardRunRow(db, runId);
      return staging !== undefined;
    })
    .immediate();
}

/**
 * Discards staging runs that no task will resume and whose process is gone: held by a process of
 * this host that no longer exists, or silent since `staleBefore` (a process elsewhere that died).
 */
export function discardAbandonedRuns(db: Database, staleBefore: number): number {
  const ids = stmt<[], { id: number; holder: string; heartbeatAt: number }>(
    db,
    "SELECT id, holder, heartbeat_at AS heartbeatAt FROM ingest_runs WHERE state = 'staging' AND task_id IS NULL",
  )
    .all()
    .filter((r) => isAbandoned(r, staleBefore))
    .map((r) => r.id);
  for (const id of ids) discardRun(db, id);
  return ids.length;
}

/** Whether any garbage is waiting. */
export function hasGarbage(db: Database): boolean {
  return stmt(db, 'SELECT 1 FROM garbage_versions LIMIT 1').get() !== undefined;
}

/**
 * Deletes up to `maxChunks` garbage chunks (with their FTS entries and vectors, and a finished
 * version's links) in one transaction,
 * then the document rows and hidden libraries nothing refers to any more. Returns how many chunks
 * it deleted; 0 with no garbage left means done.
 */
export function collectGarbage(db: Database, maxChunks: number): number {
  return db
    .transaction(() => {
      let deleted = 0;
      const entries = stmt<[], { document_id: number; version: number }>(
        db,
        'SELECT document_id, version FROM garbage_versions LIMIT 100',
      ).all();
      for (const { document_id, version } of entries) {
        const room = maxChunks - deleted;
        if (room <= 0) break;
        const ids = stmt<[number, number, number], { id: number }>(
          db,
          'SELECT id FROM chunks WHERE document_id = ? AND version = ? LIMIT ?',
        )
          .all(document_id, version, room)
          .map((r) => r.id);
        if (ids.length > 0) {
          deleteVectorsOfChunks(db, ids);
          stmt(db, 'DELETE FROM chunks WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids));
          deleted += ids.length;
        }
        // Fewer than asked for: this version has no chunk left.
        if (ids.length < room) {
          deleteLinks(db, document_id, version);
          stmt(db, 'DELETE FROM garbage_versions WHERE document_id = ? AND version = ?').run(document_id, version);
        }
      }
      // Rows of documents that never published or were deleted, once no version of theirs remains.
      stmt(
        db,
        `DELETE FROM documents WHERE live_version = 0
           AND NOT EXISTS (SELECT 1 FROM document_stages s WHERE s.document_id = documents.id)
           AND NOT EXISTS (SELECT 1 FROM garbage_versions g WHERE g.document_id = documents.id)
           AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = documents.id)`,
      ).run();
      // Libraries created by runs that never published, once they hold no document.
      stmt(
        db,
        `DELETE FROM libraries WHERE pending_run IS NOT NULL
           AND pending_run NOT IN (SELECT id FROM ingest_runs WHERE state = 'staging')
           AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.library_id = libraries.id)`,
      ).run();
      return deleted;
    })
    .immediate();
}
