/**
 * Libraries: find and list them, and the per-library counts `status` shows. A run creates a
 * library hidden (`runs.ts`); its publish shows it and binds it to its embedder (`publish.ts`).
 *
 * @module
 */
import type { LibraryRecord, LibraryStatus } from '../../repository.js';
import type { Query } from '../client.js';

const LIBRARY = `SELECT id, name, version, embedder, dims, chunking, created_at AS "createdAt", updated_at AS "updatedAt" FROM libraries`;

/** The library `name@version`, listed or not yet, or undefined. */
export async function findLibrary(query: Query, name: string, version: string): Promise<LibraryRecord | undefined> {
  const [row] = await query<LibraryRecord>(`${LIBRARY} WHERE name = $1 AND version = $2`, [name, version]);
  return row;
}

/** The library by id, or undefined. */
export async function getLibrary(query: Query, id: number): Promise<LibraryRecord | undefined> {
  const [row] = await query<LibraryRecord>(`${LIBRARY} WHERE id = $1`, [id]);
  return row;
}

/** Listed libraries (not waiting for the run that created them), by name then version. */
export function listLibraries(query: Query): Promise<LibraryRecord[]> {
  return query<LibraryRecord>(`${LIBRARY} WHERE pending_run IS NULL ORDER BY name, version`);
}

/** The listed library `name@version`, or undefined. */
export async function findListedLibrary(query: Query, name: string, version: string): Promise<LibraryRecord | undefined> {
  const [row] = await query<LibraryRecord>(`${LIBRARY} WHERE name = $1 AND version = $2 AND pending_run IS NULL`, [name, version]);
  return row;
}

/** Whether a listed library has this name (and this version, when one is given). */
export async function libraryExists(query: Query, name: string, version: string | undefined): Promise<boolean> {
  const rows = await query(
    'SELECT 1 FROM libraries WHERE name = $1 AND ($2::text IS NULL OR version = $2) AND pending_run IS NULL LIMIT 1',
    [name, version ?? null],
  );
  return rows.length > 0;
}

/** Per listed library, counts of what readers see, by name then version. */
export function libraryStatus(query: Query): Promise<LibraryStatus[]> {
  return query<LibraryStatus>(
    `SELECT l.name, l.version, l.embedder, l.dims, l.chunking,
            count(DISTINCT d.id)::int AS documents, count(c.id)::int AS chunks,
            (count(c.id) FILTER (WHERE NOT c.embedded))::int AS "chunksWithoutVectors"
     FROM libraries l
     LEFT JOIN documents d ON d.library_id = l.id AND d.live_version > 0
     LEFT JOIN chunks c ON c.document_id = d.id AND c.version = d.live_version
     WHERE l.pending_run IS NULL GROUP BY l.id ORDER BY l.name, l.version`,
  );
}
