/**
 * Knowledge packs as stored (migration 0008): the pack installed in a library with the sources of
 * its documents. An install stages its pack with its run (`stagePack`) and the run's publish applies
 * it (`applyRunPack`) in the transaction that makes the documents live: the pack is recorded, and
 * the documents an earlier version of it brought but this one dropped are retired, all at once.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { retireDocument } from './documents.js';
import { assertStaging } from './runs.js';
import { stmt } from './statements.js';
import type { PackRecord, PackableDocument, StagedPack } from '../records.js';

interface PackRow {
  library: string;
  libraryVersion: string;
  name: string;
  version: string;
  sha256: string;
  sources: string;
  installedAt: number;
}

const PACKS = `SELECT l.name AS library, l.version AS libraryVersion, p.name, p.version, p.sha256, p.sources, p.installed_at AS installedAt
  FROM packs p JOIN libraries l ON l.id = p.library_id`;

const toRecord = ({ sources, ...r }: PackRow): PackRecord => ({ ...r, documents: (JSON.parse(sources) as string[]).length });

/** Records the pack run `runId` installs; its publish applies it. */
export function stagePack(db: Database, runId: number, pack: StagedPack): void {
  db.transaction(() => {
    assertStaging(db, runId);
    stmt(db, 'INSERT OR REPLACE INTO run_packs (run_id, name, version, sha256, sources) VALUES (?, ?, ?, ?, ?)').run(
      runId,
      pack.name,
      pack.version,
      pack.sha256,
      JSON.stringify(pack.sources),
    );
  }).immediate();
}

/**
 * Inside the publish of run `runId` on library `libraryId`: records the pack the run installs (if
 * any) and retires the documents its previous version had and it has not. Returns how many were retired.
 */
export function applyRunPack(db: Database, runId: number, libraryId: number, now: number): number {
  const staged = stmt<[number], Omit<StagedPack, 'sources'> & { sources: string }>(
    db,
    'SELECT name, version, sha256, sources FROM run_packs WHERE run_id = ?',
  ).get(runId);
  if (!staged) return 0;
  const kept = new Set(JSON.parse(staged.sources) as string[]);
  let retired = 0;
  for (const source of packSources(db, libraryId, staged.name)) if (!kept.has(source) && retireSource(db, libraryId, source)) retired++;
  stmt(
    db,
    `INSERT INTO packs (library_id, name, version, sha256, sources, installed_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (library_id, name) DO UPDATE SET version = excluded.version, sha256 = excluded.sha256, sources = excluded.sources, installed_at = excluded.installed_at`,
  ).run(libraryId, staged.name, staged.version, staged.sha256, staged.sources, now);
  dropRunPack(db, runId);
  return retired;
}

/** Forgets the pack a run was to install (the run is published or discarded). */
export function dropRunPack(db: Database, runId: number): void {
  stmt(db, 'DELETE FROM run_packs WHERE run_id = ?').run(runId);
}

/** The sources of the documents pack `name` brought to the library (none if it is not installed). */
export function packSources(db: Database, libraryId: number, name: string): string[] {
  const row = stmt<[number, string], { sources: string }>(db, 'SELECT sources FROM packs WHERE library_id = ? AND name = ?').get(
    libraryId,
    name,
  );
  return row ? (JSON.parse(row.sources) as string[]) : [];
}

/** Installed packs, by library and name; of one library when `libraryId` is given. */
export function listPacks(db: Database, libraryId?: number): PackRecord[] {
  const where = libraryId === undefined ? '' : ' WHERE p.library_id = ?';
  return stmt<number[], PackRow>(db, `${PACKS}${where} ORDER BY l.name, l.version, p.name`)
    .all(...(libraryId === undefined ? [] : [libraryId]))
    .map(toRecord);
}

/**
 * Removes pack `name` from the library in ONE transaction: its documents are retired (the collector
 * deletes their chunks afterwards) and its record goes. Returns the documents retired, or undefined
 * if the pack is not installed there.
 */
export function removePack(db: Database, libraryId: number, name: string): number | undefined {
  return db
    .transaction((): number | undefined => {
      const row = stmt<[number, string], { sources: string }>(db, 'SELECT sources FROM packs WHERE library_id = ? AND name = ?').get(
        libraryId,
        name,
      );
      if (!row) return undefined;
      let retired = 0;
      for (const source of JSON.parse(row.sources) as string[]) if (retireSource(db, libraryId, source)) retired++;
      stmt(db, 'DELETE FROM packs WHERE library_id = ? AND name = ?').run(libraryId, name);
      return retired;
    })
    .immediate();
}

/** Retires the live document of `source` in the library; whether there was one. */
function retireSource(db: Database, libraryId: number, source: string): boolean {
  const doc = stmt<[number, string], { id: number }>(db, 'SELECT id FROM documents WHERE library_id = ? AND source = ?').get(
    libraryId,
    source,
  );
  return doc !== undefined && retireDocument(db, doc.id);
}

/** The library's live documents, by source, with their tags and chunk ids. */
export function packableDocuments(db: Database, libraryId: number): PackableDocument[] {
  return stmt<[number], { id: number; source: string; title: string; tags: string; chunkIds: string }>(
    db,
    `SELECT d.id, d.source, d.title,
            (SELECT json_group_array(tag) FROM (SELECT tag FROM document_tags t WHERE t.document_id = d.id ORDER BY tag)) AS tags,
            (SELECT json_group_array(id) FROM (SELECT id FROM chunks c WHERE c.document_id = d.id AND c.version = d.live_version ORDER BY c.ord)) AS chunkIds
     FROM documents d WHERE d.library_id = ? AND d.live_version > 0 ORDER BY d.source`,
  )
    .all(libraryId)
    .map((r) => ({ ...r, tags: JSON.parse(r.tags) as string[], chunkIds: JSON.parse(r.chunkIds) as number[] }));
}
