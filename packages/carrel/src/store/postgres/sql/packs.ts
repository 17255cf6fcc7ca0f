/**
 * Knowledge packs (see `../../packs.ts`): staged with a run, applied by its publish, removed with
 * the documents they brought.
 *
 * @module
 */
import type { PackableDocument, PackRecord, StagedPack } from '../../repository.js';
import type { Query } from '../client.js';
import { retireSource } from './garbage.js';
import { assertStaging } from './runs.js';

const PACKS = `SELECT l.name AS library, l.version AS "libraryVersion", p.name, p.version, p.sha256, cardinality(p.sources) AS documents,
  p.installed_at AS "installedAt" FROM packs p JOIN libraries l ON l.id = p.library_id`;

/** Records the pack run `runId` installs; its publish applies it. */
export async function stagePack(query: Query, runId: number, pack: StagedPack): Promise<void> {
  await assertStaging(query, runId);
  await query(
    `INSERT INTO run_packs (run_id, name, version, sha256, sources) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (run_id) DO UPDATE SET name = excluded.name, version = excluded.version, sha256 = excluded.sha256, sources = excluded.sources`,
    [runId, pack.name, pack.version, pack.sha256, [...pack.sources]],
  );
}

/** Inside a publish: records the run's pack (if any), retiring what its previous version had and it has not. Returns how many were retired. */
export async function applyRunPack(query: Query, runId: number, libraryId: number, now: number): Promise<number> {
  const [staged] = await query<StagedPack>('SELECT name, version, sha256, sources FROM run_packs WHERE run_id = $1', [runId]);
  if (!staged) return 0;
  const kept = new Set(staged.sources);
  let retired = 0;
  for (const source of await packSources(query, libraryId, staged.name)) {
    if (!kept.has(source) && (await retireSource(query, libraryId, source))) retired++;
  }
  await query(
    `INSERT INTO packs (library_id, name, version, sha256, sources, installed_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (library_id, name) DO UPDATE SET version = excluded.version, sha256 = excluded.sha256, sources = excluded.sources, installed_at = excluded.installed_at`,
    [libraryId, staged.name, staged.version, staged.sha256, staged.sources, now],
  );
  return retired;
}

/** The sources of the documents pack `name` brought to the library (none if it is not installed). */
export async function packSources(query: Query, libraryId: number, name: string): Promise<string[]> {
  const [row] = await query<{ sources: string[] }>('SELECT sources FROM packs WHERE library_id = $1 AND name = $2', [libraryId, name]);
  return row?.sources ?? [];
}

/** Installed packs by library and name; of one library when `libraryId` is given. */
export function listPacks(query: Query, libraryId?: number): Promise<PackRecord[]> {
  return query<PackRecord>(`${PACKS} WHERE $1::bigint IS NULL OR p.library_id = $1 ORDER BY l.name, l.version, p.name`, [
    libraryId ?? null,
  ]);
}

/** Removes pack `name` from the library with its documents. Returns the documents retired, or undefined if not installed. */
export async function removePack(query: Query, libraryId: number, name: string): Promise<number | undefined> {
  const [row] = await query<{ sources: string[] }>('DELETE FROM packs WHERE library_id = $1 AND name = $2 RETURNING sources', [
    libraryId,
    name,
  ]);
  if (!row) return undefined;
  let retired = 0;
  for (const source of row.sources) if (await retireSource(query, libraryId, source)) retired++;
  return retired;
}

/** A library's live documents by source, with their tags and live chunk ids in order. */
export function packableDocuments(query: Query, libraryId: number): Promise<PackableDocument[]> {
  return query<PackableDocument>(
    `SELECT d.id, d.source, d.title,
            coalesce((SELECT array_agg(tag ORDER BY tag) FROM document_tags t WHERE t.document_id = d.id), '{}') AS tags,
            coalesce((SELECT array_agg(c.id ORDER BY c.ord) FROM chunks c WHERE c.document_id = d.id AND c.version = d.live_version), '{}') AS "chunkIds"
     FROM documents d WHERE d.library_id = $1 AND d.live_version > 0 ORDER BY d.source`,
    [libraryId],
  );
}
