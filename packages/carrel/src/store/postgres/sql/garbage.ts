/**
 * Retiring documents, discarding runs and collecting garbage (see `../../garbage.ts`): what
 * readers stop seeing at once, and the bounded batches that delete it afterwards. A chunk's
 * vector goes with it (ON DELETE CASCADE).
 *
 * @module
 */
import type { Query } from '../client.js';
import { discardRunRow, lockStagingRun } from './runs.js';

/** How many of a library's latest vector generations the change log keeps (migration 0002). */
const LOGGED_GENERATIONS = 100;

/** Retires a document's live version (garbage from now on). Returns whether it was live. */
export async function retireDocument(query: Query, documentId: number): Promise<boolean> {
  const rows = await query<{ version: number }>(
    `WITH live AS (SELECT id, live_version FROM documents WHERE id = $1 AND live_version > 0 FOR UPDATE),
     retired AS (UPDATE documents d SET live_version = 0, updated_at = $2 FROM live WHERE d.id = live.id)
     INSERT INTO garbage_versions (document_id, version) SELECT id, live_version FROM live ON CONFLICT DO NOTHING RETURNING version`,
    [documentId, Date.now()],
  );
  return rows.length > 0;
}

/** Retires the live document of `source` in the library; whether there was one. */
export async function retireSource(query: Query, libraryId: number, source: string): Promise<boolean> {
  const [doc] = await query<{ id: number }>('SELECT id FROM documents WHERE library_id = $1 AND source = $2', [libraryId, source]);
  return doc !== undefined && retireDocument(query, doc.id);
}

/** Discards a staging run. Returns whether it was staging. */
export async function discardRun(query: Query, runId: number): Promise<boolean> {
  const run = await lockStagingRun(query, runId);
  if (run) await discardRunRow(query, runId);
  return run !== undefined;
}

/** Whether any garbage waits. */
export async function hasGarbage(query: Query): Promise<boolean> {
  return (await query('SELECT 1 FROM garbage_versions LIMIT 1')).length > 0;
}

/**
 * Deletes up to `maxChunks` garbage chunks, then the links and entries of the versions left with
 * none, then the document rows and hidden libraries nothing refers to any more. Returns how many
 * chunks it deleted; 0 with no garbage left means done.
 */
export async function collectGarbage(query: Query, maxChunks: number): Promise<number> {
  const [deleted] = await query<{ n: number }>(
    `WITH doomed AS (
       SELECT c.id FROM (SELECT document_id, version FROM garbage_versions LIMIT 100) g
       JOIN chunks c ON c.document_id = g.document_id AND c.version = g.version LIMIT $1
     ), gone AS (DELETE FROM chunks WHERE id IN (SELECT id FROM doomed) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [maxChunks],
  );
  // Versions with no chunk left (seen by this new statement's snapshot) are done.
  await query(
    `WITH done AS (
       DELETE FROM garbage_versions g WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = g.document_id AND c.version = g.version)
       RETURNING document_id, version
     )
     DELETE FROM document_links k USING done WHERE k.document_id = done.document_id AND k.version = done.version`,
  );
  await query(
    `DELETE FROM documents d WHERE live_version = 0
       AND NOT EXISTS (SELECT 1 FROM document_stages s WHERE s.document_id = d.id)
       AND NOT EXISTS (SELECT 1 FROM garbage_versions g WHERE g.document_id = d.id)
       AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)`,
  );
  // The vector-change log keeps its last generations per library; a copy further behind is read whole.
  await query('UPDATE libraries SET vector_log_from = vector_generation - $1 WHERE vector_log_from < vector_generation - $1', [
    LOGGED_GENERATIONS,
  ]);
  await query('DELETE FROM vector_changes c USING libraries l WHERE c.library_id = l.id AND c.generation <= l.vector_log_from');
  await query(
    `DELETE FROM libraries l WHERE pending_run IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ingest_runs r WHERE r.id = l.pending_run AND r.state = 'staging')
       AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.library_id = l.id)`,
  );
  return deleted!.n;
}
