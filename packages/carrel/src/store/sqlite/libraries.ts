/**
 * Library rows: find and list them. A run creates a library and binds it to its embedder
 * (`runs.ts`, `publish.ts`).
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { LibraryRecord } from '../records.js';

interface LibraryRow {
  id: number;
  name: string;
  version: string;
  embedder: string | null;
  dims: number | null;
  chunking: string | null;
  created_at: number;
  updated_at: number;
}

const toRecord = (r: LibraryRow): LibraryRecord => ({
  id: r.id,
  name: r.name,
  version: r.version,
  embedder: r.embedder,
  dims: r.dims,
  chunking: r.chunking,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Returns the library (listed or not yet), or undefined. */
export function findLibrary(db: Database, name: string, version: string): LibraryRecord | undefined {
  const row = db.prepare<[string, string], LibraryRow>('SELECT * FROM libraries WHERE name = ? AND version = ?').get(name, version);
  return row ? toRecord(row) : undefined;
}

/** Returns the library by id, or undefined. */
export function getLibrary(db: Database, id: number): LibraryRecord | undefined {
  const row = db.prepare<[number], LibraryRow>('SELECT * FROM libraries WHERE id = ?').get(id);
  return row ? toRecord(row) : undefined;
}

/** All libraries, by name then version; one created by a run that has not published yet is not listed. */
export function listLibraries(db: Database): LibraryRecord[] {
  return db.prepare<[], LibraryRow>('SELECT * FROM libraries WHERE pending_run IS NULL ORDER BY name, version').all().map(toRecord);
}

/** Returns the library if it is listed (not waiting for the run that created it to publish). */
export function findListedLibrary(db: Database, name: string, version: string): LibraryRecord | undefined {
  const row = db
    .prepare<[string, string], LibraryRow>('SELECT * FROM libraries WHERE name = ? AND version = ? AND pending_run IS NULL')
    .get(name, version);
  return row ? toRecord(row) : undefined;
}

/** Whether a listed library has this name (and this version, when one is given). */
export function libraryExists(db: Database, name: string, version: string | undefined): boolean {
  const row =
    version === undefined
      ? db.prepare<[string], { one: number }>('SELECT 1 AS one FROM libraries WHERE name = ? AND pending_run IS NULL LIMIT 1').get(name)
      : db
          .prepare<[string, string], { one: number }>(
            'SELECT 1 AS one FROM libraries WHERE name = ? AND version = ? AND pending_run IS NULL',
          )
          .get(name, version);
  return row !== undefined;
}
