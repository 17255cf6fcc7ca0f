/**
 * Runs: every write of documents happens in one (see `../../runs.ts` for the model). Each function
 * here runs inside the caller's transaction; a staging write's first statement is
 * {@link assertStaging}, whose UPDATE locks the run's row until the write commits, so a publish or
 * discard of the same run (which lock it too) waits for it, and the other way round.
 *
 * @module
 */
import { IngestCancelledError } from '../../../errors.js';
import type { OpenedRun, OpenRunArgs, RunRecord } from '../../repository.js';
import { THIS_PROCESS } from '../../run-holders.js';
import type { Query } from '../client.js';
import { findLibrary } from './libraries.js';

const RUN = `SELECT id, task_id AS "taskId", library_id AS "libraryId", state, bind_embedder AS "bindEmbedder", bind_dims AS "bindDims",
  bind_chunking AS "bindChunking", rebind, holder, created_at AS "createdAt", heartbeat_at AS "heartbeatAt" FROM ingest_runs`;

/** Starts a run on `library@version` (creating the library hidden), or resumes the staging run of `taskId` / `runId`. */
export async function openRun(query: Query, args: OpenRunArgs): Promise<OpenedRun> {
  const now = Date.now();
  const resume = async (run: RunRecord) => {
    await query('UPDATE ingest_runs SET heartbeat_at = $1, holder = $2 WHERE id = $3', [now, THIS_PROCESS, run.id]);
    return { ...run, heartbeatAt: now, holder: THIS_PROCESS };
  };
  if (args.runId !== undefined && args.runId !== null) {
    const run = await lockStagingRun(query, args.runId);
    const library = run && (await findLibrary(query, args.library, args.version));
    if (!run || !library || library.id !== run.libraryId) throw new IngestCancelledError();
    return { run: await resume(run), library, resumed: true };
  }
  if (args.taskId !== null) {
    const [run] = await query<RunRecord>(`${RUN} WHERE task_id = $1 AND state = 'staging' FOR UPDATE`, [args.taskId]);
    const library = run && (await findLibrary(query, args.library, args.version));
    if (run && library && library.id === run.libraryId) return { run: await resume(run), library, resumed: true };
    // The task was re-run with other arguments: never mix libraries in one run.
    if (run) await discardRunRow(query, run.id);
  }
  const [created] = await query<{ id: number }>(
    "INSERT INTO ingest_runs (task_id, library_id, state, holder, created_at, heartbeat_at) VALUES ($1, 0, 'staging', $2, $3, $3) RETURNING id",
    [args.taskId, THIS_PROCESS, now],
  );
  const runId = created!.id;
  await query(
    'INSERT INTO libraries (name, version, created_at, updated_at, pending_run) VALUES ($1, $2, $3, $3, $4) ON CONFLICT (name, version) DO NOTHING',
    [args.library, args.version, now, runId],
  );
  // A library still hidden (its creating run has not published) is now this run's to show or drop.
  await query('UPDATE libraries SET pending_run = $3 WHERE name = $1 AND version = $2 AND pending_run IS NOT NULL', [
    args.library,
    args.version,
    runId,
  ]);
  const library = (await findLibrary(query, args.library, args.version))!;
  await query('UPDATE ingest_runs SET library_id = $1 WHERE id = $2', [library.id, runId]);
  return { run: (await getRun(query, runId))!, library, resumed: false };
}

/** The run, or undefined. */
export async function getRun(query: Query, id: number): Promise<RunRecord | undefined> {
  const [row] = await query<RunRecord>(`${RUN} WHERE id = $1`, [id]);
  return row;
}

/** The run, locked until the transaction ends, if it is still staging. */
export async function lockStagingRun(query: Query, id: number): Promise<RunRecord | undefined> {
  const [row] = await query<RunRecord>(`${RUN} WHERE id = $1 AND state = 'staging' FOR UPDATE`, [id]);
  return row;
}

/** The staging run of a task, or undefined. */
export async function stagingRunOfTask(query: Query, taskId: string): Promise<RunRecord | undefined> {
  const [row] = await query<RunRecord>(`${RUN} WHERE task_id = $1 AND state = 'staging'`, [taskId]);
  return row;
}

/** Every run still staging. */
export function stagingRuns(query: Query): Promise<RunRecord[]> {
  return query<RunRecord>(`${RUN} WHERE state = 'staging' ORDER BY id`);
}

/** Fails with a cancel if the run is no longer staging; records that it is alive (and locks it: see module comment). */
export async function assertStaging(query: Query, runId: number): Promise<void> {
  const rows = await query("UPDATE ingest_runs SET heartbeat_at = $1 WHERE id = $2 AND state = 'staging' RETURNING id", [
    Date.now(),
    runId,
  ]);
  if (rows.length === 0) throw new IngestCancelledError();
}

/** Records the embedder binding the run's vectors were made with. */
export async function setRunBinding(query: Query, runId: number, embedder: string, dims: number, rebind: boolean): Promise<void> {
  await assertStaging(query, runId);
  await query('UPDATE ingest_runs SET bind_embedder = $1, bind_dims = $2, rebind = $3 WHERE id = $4', [embedder, dims, rebind, runId]);
}

/** Records the chunking plan the run's chunks are cut with. */
export async function setRunChunking(query: Query, runId: number, chunking: string): Promise<void> {
  await assertStaging(query, runId);
  await query('UPDATE ingest_runs SET bind_chunking = $1 WHERE id = $2', [chunking, runId]);
}

/** Marks a run discarded: its staged versions become garbage, its pack and sync plan are forgotten. */
export async function discardRunRow(query: Query, runId: number): Promise<void> {
  await query(
    `WITH stages AS (DELETE FROM document_stages WHERE run_id = $1 RETURNING document_id, version)
     INSERT INTO garbage_versions (document_id, version) SELECT document_id, version FROM stages ON CONFLICT DO NOTHING`,
    [runId],
  );
  await dropRunExtras(query, runId);
  await query("UPDATE ingest_runs SET state = 'discarded' WHERE id = $1", [runId]);
}

/** Forgets the pack a run was to install and its sync plan (the run is published or discarded). */
export async function dropRunExtras(query: Query, runId: number): Promise<void> {
  await query('DELETE FROM run_packs WHERE run_id = $1', [runId]);
  await query('DELETE FROM sync_plan_items WHERE run_id = $1', [runId]);
  await query('DELETE FROM sync_plans WHERE run_id = $1', [runId]);
}
