/**
 * Runs: every write of documents happens in one. A run stages document versions that nobody sees
 * (`staging.ts`), then publishes them all at once (`publish.ts`) or is discarded (`garbage.ts`).
 * A run that works for a task is found again by the task's id, so a re-run of the task after a
 * crash resumes what was already staged instead of starting over.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { IngestCancelledError } from '../../errors.js';
import { findLibrary } from './libraries.js';
import { THIS_PROCESS } from '../run-holders.js';
import { dropRunPack } from './packs.js';
import { stmt } from './statements.js';
import { dropSyncPlan } from './sync-plans.js';
import type { OpenRunArgs, OpenedRun, RunRecord } from '../records.js';

interface RunRow {
  id: number;
  task_id: string | null;
  library_id: number;
  state: RunRecord['state'];
  bind_embedder: string | null;
  bind_dims: number | null;
  bind_chunking: string | null;
  rebind: number;
  holder: string;
  created_at: number;
  heartbeat_at: number;
}

const toRecord = (r: RunRow): RunRecord => ({
  id: r.id,
  taskId: r.task_id,
  libraryId: r.library_id,
  state: r.state,
  bindEmbedder: r.bind_embedder,
  bindDims: r.bind_dims,
  bindChunking: r.bind_chunking,
  rebind: r.rebind === 1,
  holder: r.holder,
  createdAt: r.created_at,
  heartbeatAt: r.heartbeat_at,
});

/**
 * Starts a run on the library `name@version`, or resumes the staging run of `taskId` (or `runId`).
 * A library that does not exist yet is created hidden (`pending_run`) and shows once the run publishes.
 */
export function openRun(db: Database, args: OpenRunArgs): OpenedRun {
  return db
    .transaction((): OpenedRun => {
      const now = Date.now();
      if (args.runId !== undefined && args.runId !== null) {
        const row = stmt<[number], RunRow>(db, "SELECT * FROM ingest_runs WHERE id = ? AND state = 'staging'").get(args.runId);
        const library = row && findLibrary(db, args.library, args.version);
        if (!row || !library || library.id !== row.library_id) throw new IngestCancelledError();
        stmt(db, 'UPDATE ingest_runs SET heartbeat_at = ?, holder = ? WHERE id = ?').run(now, THIS_PROCESS, row.id);
        return { run: toRecord({ ...row, heartbeat_at: now, holder: THIS_PROCESS }), library, resumed: true };
      }
      if (args.taskId !== null) {
        const row = stmt<[string], RunRow>(db, "SELECT * FROM ingest_runs WHERE task_id = ? AND state = 'staging'").get(args.taskId);
        const library = row && findLibrary(db, args.library, args.version);
        if (row && library && library.id === row.library_id) {
          stmt(db, 'UPDATE ingest_runs SET heartbeat_at = ?, holder = ? WHERE id = ?').run(now, THIS_PROCESS, row.id);
          return { run: toRecord({ ...row, heartbeat_at: now, holder: THIS_PROCESS }), library, resumed: true };
        }
        // The task was re-run with other arguments (it cannot be, but never mix libraries in one run).
        if (row) discardRunRow(db, row.id);
      }
      const info = stmt(
        db,
        "INSERT INTO ingest_runs (task_id, library_id, state, holder, created_at, heartbeat_at) VALUES (?, 0, 'staging', ?, ?, ?)",
      ).run(args.taskId, THIS_PROCESS, now, now);
      const runId = Number(info.lastInsertRowid);
      stmt(
        db,
        'INSERT INTO libraries (name, version, created_at, updated_at, pending_run) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING',
      ).run(args.library, args.version, now, now, runId);
      const library = findLibrary(db, args.library, args.version)!;
      // A library still hidden (its creating run has not published) is now this run's to show or drop.
      stmt(db, 'UPDATE libraries SET pending_run = ? WHERE id = ? AND pending_run IS NOT NULL').run(runId, library.id);
      stmt(db, 'UPDATE ingest_runs SET library_id = ? WHERE id = ?').run(library.id, runId);
      return { run: getRun(db, runId)!, library, resumed: false };
    })
    .immediate();
}

/** The run, or undefined. */
export function getRun(db: Database, id: number): RunRecord | undefined {
  const row = stmt<[number], RunRow>(db, 'SELECT * FROM ingest_runs WHERE id = ?').get(id);
  return row ? toRecord(row) : undefined;
}

/** The staging run of a task, or undefined. */
export function stagingRunOfTask(db: Database, taskId: string): RunRecord | undefined {
  const row = stmt<[string], RunRow>(db, "SELECT * FROM ingest_runs WHERE task_id = ? AND state = 'staging'").get(taskId);
  return row ? toRecord(row) : undefined;
}

/** Runs still staging: for the caller to decide which were abandoned. */
export function stagingRuns(db: Database): RunRecord[] {
  return stmt<[], RunRow>(db, "SELECT * FROM ingest_runs WHERE state = 'staging'").all().map(toRecord);
}

/**
 * Inside a staging write: fails with a cancel if the run is no longer staging (it was discarded
 * because its task was cancelled), and records that the run is alive.
 */
export function assertStaging(db: Database, runId: number): void {
  const changed = stmt(db, "UPDATE ingest_runs SET heartbeat_at = ? WHERE id = ? AND state = 'staging'").run(Date.now(), runId).changes;
  if (changed === 0) throw new IngestCancelledError();
}

/** Records the embedder binding the run's vectors were made with; applied when it publishes. */
export function setRunBinding(db: Database, runId: number, embedder: string, dims: number, rebind: boolean): void {
  db.transaction(() => {
    assertStaging(db, runId);
    stmt(db, 'UPDATE ingest_runs SET bind_embedder = ?, bind_dims = ?, rebind = ? WHERE id = ?').run(embedder, dims, rebind ? 1 : 0, runId);
  }).immediate();
}

/** Records the chunking plan the run's chunks are cut with; applied when it publishes. */
export function setRunChunking(db: Database, runId: number, chunking: string): void {
  db.transaction(() => {
    assertStaging(db, runId);
    stmt(db, 'UPDATE ingest_runs SET bind_chunking = ? WHERE id = ?').run(chunking, runId);
  }).immediate();
}

/**
 * Marks a run discarded: its staged versions become garbage, and a library it created (still
 * hidden) goes once it holds no document. Call inside a write transaction.
 */
export function discardRunRow(db: Database, runId: number): void {
  stmt(
    db,
    'INSERT OR IGNORE INTO garbage_versions (document_id, version) SELECT document_id, version FROM document_stages WHERE run_id = ?',
  ).run(runId);
  stmt(db, 'DELETE FROM document_stages WHERE run_id = ?').run(runId);
  dropRunPack(db, runId);
  dropSyncPlan(db, runId);
  stmt(db, "UPDATE ingest_runs SET state = 'discarded' WHERE id = ?").run(runId);
}
