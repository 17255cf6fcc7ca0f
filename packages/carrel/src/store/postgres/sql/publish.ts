/**
 * Publishing a run, in the caller's transaction (which holds the store's write lock): the same
 * steps as `../../publish.ts` (see there for what a publish decides and why a cancel and a
 * publish decide atomically), set-wise: one statement per step whatever the number of documents.
 * The live-version UPDATE moves the library's vector generation (the trigger of migration 0001),
 * so every node's copy of its vectors is re-read before its next KNN.
 *
 * @module
 */
import type { ConnectorSyncWrite, PublishOutcome } from '../../repository.js';
import type { Query } from '../client.js';
import { applyConnectorSync } from './connectors.js';
import { getLibrary } from './libraries.js';
import { applyRunPack } from './packs.js';
import { dropRunExtras, lockStagingRun } from './runs.js';
import { unembedVersions } from './vectors.js';

/**
 * Publishes the run. `completeTask`, when given, runs before anything is written and returns
 * false if the task can no longer complete; `sync` is applied after the documents.
 */
export async function publishRun(
  query: Query,
  runId: number,
  completeTask?: () => Promise<boolean>,
  sync?: ConnectorSyncWrite,
): Promise<PublishOutcome> {
  const run = await lockStagingRun(query, runId);
  if (!run) return { published: false, reason: 'cancelled' };
  const library = (await getLibrary(query, run.libraryId))!;
  const binds = run.bindEmbedder !== null && run.bindDims !== null;
  if (binds && !run.rebind && library.embedder !== null && (library.embedder !== run.bindEmbedder || library.dims !== run.bindDims)) {
    return { published: false, reason: 'conflict', bound: { embedder: library.embedder, dims: library.dims! } };
  }
  if (completeTask && !(await completeTask())) return { published: false, reason: 'cancelled' };

  const now = Date.now();
  // Stages that do not publish: an unfinished streamed version, or a re-embedded copy of content that changed meanwhile.
  const stages = await query<{ documentId: number; liveVersion: number; skip: boolean }>(
    `WITH stages AS (
       SELECT s.*, d.live_version, (NOT s.complete OR (s.status = 'copy' AND d.live_version <> s.base_version)) AS skip
       FROM document_stages s JOIN documents d ON d.id = s.document_id WHERE s.run_id = $1
     ), garbage AS (
       INSERT INTO garbage_versions (document_id, version)
       SELECT document_id, version FROM stages WHERE skip
       UNION ALL SELECT document_id, live_version FROM stages WHERE NOT skip AND live_version > 0
       ON CONFLICT DO NOTHING
     ), live AS (
       UPDATE documents d SET kind = s.kind, title = s.title, content_hash = s.content_hash, bytes = s.bytes, page_kind = s.page_kind,
              chunk_count = s.chunk_count, live_version = s.version, updated_at = $2
       FROM stages s WHERE d.id = s.document_id AND NOT s.skip
     )
     SELECT document_id AS "documentId", live_version AS "liveVersion", skip FROM stages`,
    [runId, now],
  );
  const skipped = stages.filter((s) => s.skip);
  // A model switch must not leave vectors of the old model live: a skipped document's chunks wait for the next reindex instead.
  if (run.rebind) {
    await unembedVersions(
      query,
      skipped.filter((s) => s.liveVersion > 0),
      library.id,
    );
  }
  // The published documents' tags, in two statements: an INSERT does not see what a DELETE of its own statement removes.
  const published = `document_stages s JOIN documents d ON d.id = s.document_id AND d.live_version = s.version WHERE s.run_id = $1`;
  await query(`DELETE FROM document_tags t USING ${published} AND t.document_id = s.document_id`, [runId]);
  await query(`INSERT INTO document_tags (tag, document_id) SELECT DISTINCT unnest(s.tags), s.document_id FROM ${published}`, [runId]);
  if (sync) await applyConnectorSync(query, library.id, sync, now);
  await query('DELETE FROM document_stages WHERE run_id = $1', [runId]);
  const retired = await applyRunPack(query, runId, library.id, now);
  await dropRunExtras(query, runId);
  await query("UPDATE ingest_runs SET state = 'published' WHERE id = $1", [runId]);
  await query(
    `UPDATE libraries SET pending_run = NULL, updated_at = $2,
       embedder = CASE WHEN $3 THEN $4 ELSE embedder END, dims = CASE WHEN $3 THEN $5::int ELSE dims END, chunking = coalesce($6, chunking)
     WHERE id = $1`,
    [library.id, now, binds, run.bindEmbedder, run.bindDims, run.bindChunking],
  );
  return { published: true, documents: stages.length - skipped.length, skipped: skipped.length, retired };
}
