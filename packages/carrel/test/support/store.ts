/**
 * Writing documents straight into a store, as a finished run would: for store-level tests that
 * need data without going through the ingest worker.
 */
import type { Database } from 'better-sqlite3';
import type { ChunkWrite, DocumentHeader } from '../../src/store/repository.js';
import { publishRun } from '../../src/store/sqlite/publish.js';
import { openRun } from '../../src/store/sqlite/runs.js';
import { stageDocuments } from '../../src/store/sqlite/staging.js';

/** A library's id, creating the library (listed at once) if needed. */
export function libraryId(db: Database, name: string, version = ''): number {
  const { run, library } = openRun(db, { taskId: null, library: name, version });
  publishRun(db, run.id);
  return library.id;
}

/** Writes documents into a library in one run and publishes it; returns their ids. */
export function writeLive(
  db: Database,
  libraryId: number,
  dims: number | null,
  docs: { header: Omit<DocumentHeader, 'libraryId'>; chunks: ChunkWrite[] }[],
): number[] {
  const library = db
    .prepare<[number], { name: string; version: string }>('SELECT name, version FROM libraries WHERE id = ?')
    .get(libraryId)!;
  const { run } = openRun(db, { taskId: null, library: library.name, version: library.version });
  const staged = stageDocuments(
    db,
    run.id,
    dims,
    docs.map((d) => ({ header: { ...d.header, libraryId }, status: 'created', baseVersion: 0, chunks: d.chunks })),
  );
  const outcome = publishRun(db, run.id);
  if (!outcome.published) throw new Error(`publish failed: ${outcome.reason}`);
  return staged.map((s) => s.documentId);
}
