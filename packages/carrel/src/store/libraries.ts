/**
 * Library rows: find or create a (name, version), bind it to an embedder, list them.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';

/** A library as stored: name, version, and the embedder its vectors were built with. */
export interface LibraryRecord {
  id: number;
  name: string;
  version: string;
  /** Embedder model id, or null while the library has no vectors yet. */
  embedder: string | null;
  dims: number | null;
  createdAt: number;
  updatedAt: number;
}

interface LibraryRow {
  id: number;
  name: string;
  version: string;
  embedder: string | null;
  dims: number | null;
  created_at: number;
  updated_at: number;
}

const toRecord = (r: LibraryRow): LibraryRecord => ({
  id: r.id,
  name: r.name,
  version: r.version,
  embedder: r.embedder,
  dims: r.dims,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Returns the library, or undefined. */
export function findLibrary(db: Database, name: string, version: string): LibraryRecord | undefined {
  const row = db.prepare<[string, string], LibraryRow>('SELECT * FROM libraries WHERE name = ? AND version = ?').get(name, version);
  return row ? toRecord(row) : undefined;
}

/** Returns the library by id, or undefined. */
export function getLibrary(db: Database, id: number): LibraryRecord | undefined {
  const row = db.prepare<[number], LibraryRow>('SELECT * FROM libraries WHERE id = ?').get(id);
  return row ? toRecord(row) : undefined;
}

/** Returns the library, creating it (unbound to any embedder) if it does not exist. */
export function ensureLibrary(db: Database, name: string, version: string): LibraryRecord {
  const now = Date.now();
  db.prepare(
    'INSERT INTO libraries (name, version, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (name, version) DO NOTHING',
  ).run(name, version, now, now);
  return findLibrary(db, name, version)!;
}

/** Records the embedder the library's vectors are built with. */
export function bindLibraryEmbedder(db: Database, id: number, embedder: string | null, dims: number | null): void {
  db.prepare('UPDATE libraries SET embedder = ?, dims = ?, updated_at = ? WHERE id = ?').run(embedder, dims, Date.now(), id);
}

/** All libraries, by name then version. */
export function listLibraries(db: Database): LibraryRecord[] {
  return db.prepare<[], LibraryRow>('SELECT * FROM libraries ORDER BY name, version').all().map(toRecord);
}
