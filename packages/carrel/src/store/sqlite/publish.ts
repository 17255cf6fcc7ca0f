/**
 * Publishing a run: in ONE transaction, every finished version the run staged becomes its
 * document's live version, the versions they replace become garbage, the run's embedder binding and
 * chunking plan are applied to its library, the pack it installs (if any) is recorded with the documents
 * its last version dropped retired (`packs.ts`), a connector sync's deletions, version markers and
 * cursor are recorded (`connectors.ts`), and (when the run works for a task) the task is completed. The work is
 * proportional to the number of documents, not chunks: chunks already sit in place, invisible.
 *
 * A cancel and a publish therefore decide atomically: the task's completion is a compare-and-set
 * inside this transaction, so either the cancel committed first (the completion fails, nothing is
 * published, the library is as it was) or the publish did (the task is completed and a cancel finds
 * it terminal).
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { ConnectorSyncWrite } from '../records.js';
import { applyConnectorSync } from './connectors.js';
import { getLibrary } from './libraries.js';
import { applyRunPack } from './packs.js';
import { deleteVectorsOfChunks } from './vectors.js';
import { getRun } from './runs.js';
import { stmt } from './statements.js';
import { dropSyncPlan } from './sync-plans.js';
import type { PublishOutcome } from '../records.js';

interface StageRow {
  version: number;
  document_id: number;
  status: 'created' | 'updated' | 'copy';
  base_version: number;
  kind: string;
  title: string;
  content_hash: string;
  bytes: number;
  tags: string;
  page_kind: string;
  chunk_count: number;
  complete: number;
  live_version: number;
}

/**
 * Publishes the run. `completeTask`, when given, runs inside the transaction before anything is
 * written and must return false if the task can no longer complete (cancelled, lease lost). `sync`,
 * for a connector's sync, is applied after the documents.
 */
export function publishRun(db: Database, runId: number, completeTask?: () => boolean, sync?: ConnectorSyncWrite): PublishOutcome {
  return db
    .transaction((): PublishOutcome => {
      const run = getRun(db, runId);
      if (!run || run.state !== 'staging') return { published: false, reason: 'cancelled' };
      const library = getLibrary(db, run.libraryId)!;
      const binds = run.bindEmbedder !== null && run.bindDims !== null;
      if (binds && !run.rebind && library.embedder !== null && (library.embedder !== run.bindEmbedder || library.dims !== run.bindDims)) {
        return { published: false, reason: 'conflict', bound: { embedder: library.embedder, dims: library.dims! } };
      }
      if (completeTask && !completeTask()) return { published: false, reason: 'cancelled' };

      const now = Date.now();
      const stages = stmt<[number], StageRow>(
        db,
        `SELECT s.*, d.live_version FROM document_stages s JOIN documents d ON d.id = s.document_id WHERE s.run_id = ? ORDER BY s.version`,
      ).all(runId);
      const garbage = stmt(db, 'INSERT OR IGNORE INTO garbage_versions (document_id, version) VALUES (?, ?)');
      const makeLive = stmt(
        db,
        'UPDATE documents SET kind = ?, title = ?, content_hash = ?, bytes = ?, page_kind = ?, chunk_count = ?, live_version = ?, updated_at = ? WHERE id = ?',
      );
      const clearTags = stmt(db, 'DELETE FROM document_tags WHERE document_id = ?');
      const addTags = stmt(db, 'INSERT OR IGNORE INTO document_tags (tag, document_id) SELECT value, ? FROM json_each(?)');
      let documents = 0;
      let skipped = 0;
      for (const s of stages) {
        // An unfinished streamed version, or a re-embedded copy of content that changed meanwhile.
        if (s.complete === 0 || (s.status === 'copy' && s.live_version !== s.base_version)) {
          garbage.run(s.document_id, s.version);
          // A model switch must not leave vectors of the old model live: the skipped document's
          // chunks wait for the next reindex instead.
          if (run.rebind && s.live_version > 0) unembed(db, s.document_id, s.live_version);
          skipped++;
          continue;
        }
        if (s.live_version > 0) garbage.run(s.document_id, s.live_version);
        makeLive.run(s.kind, s.title, s.content_hash, s.bytes, s.page_kind, s.chunk_count, s.version, now, s.document_id);
        clearTags.run(s.document_id);
        addTags.run(s.document_id, s.tags);
        documents++;
      }
      if (sync) applyConnectorSync(db, library.id, sync, now);
      stmt(db, 'DELETE FROM document_stages WHERE run_id = ?').run(runId);
      const retired = applyRunPack(db, runId, library.id, now);
      dropSyncPlan(db, runId);
      stmt(db, "UPDATE ingest_runs SET state = 'published' WHERE id = ?").run(runId);
      stmt(db, 'UPDATE libraries SET pending_run = NULL, updated_at = ? WHERE id = ?').run(now, library.id);
      if (binds) stmt(db, 'UPDATE libraries SET embedder = ?, dims = ? WHERE id = ?').run(run.bindEmbedder, run.bindDims, library.id);
      if (run.bindChunking !== null) stmt(db, 'UPDATE libraries SET chunking = ? WHERE id = ?').run(run.bindChunking, library.id);
      return { published: true, documents, skipped, retired };
    })
    .immediate();
}

/** Drops the vectors of one version and marks its chunks as lacking one. */
function unembed(db: Database, documentId: number, version: number): void {
  const ids = stmt<[number, number], { id: number }>(db, 'SELECT id FROM chunks WHERE document_id = ? AND version = ? AND embedded = 1')
    .all(documentId, version)
    .map((r) => r.id);
  deleteVectorsOfChunks(db, ids);
  stmt(db, 'UPDATE chunks SET embedded = 0 WHERE document_id = ? AND version = ?').run(documentId, version);
}
