/**
 * Connectors as stored: their configuration, the cursor of their last sync, and the sources they
 * brought into their library with a version marker each. A sync's cursor and markers are written
 * by {@link applyConnectorSync} inside the publish transaction of the sync's run (`publish.ts`),
 * so they change exactly when the documents they describe do.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { findLibrary } from './libraries.js';
import { retireDocument } from './documents.js';
import { stmt } from './statements.js';
import type { ConnectorRecord, ConnectorSyncWrite, NewConnector } from '../records.js';

interface ConnectorRow {
  id: number;
  name: string;
  kind: string;
  library: string;
  version: string;
  options: string;
  cursor: string | null;
  last_sync_at: number | null;
  last_outcome: string | null;
  created_at: number;
  schedule: string | null;
  schedule_tz: string | null;
  next_run_at: number | null;
  last_slot_at: number | null;
  last_slot_task: string | null;
}

const toRecord = (r: ConnectorRow): ConnectorRecord => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  library: r.library,
  version: r.version,
  options: JSON.parse(r.options) as Record<string, unknown>,
  cursor: r.cursor,
  lastSyncAt: r.last_sync_at,
  lastOutcome: r.last_outcome,
  createdAt: r.created_at,
  schedule: r.schedule === null ? null : { cron: r.schedule, timezone: r.schedule_tz },
  nextRunAt: r.next_run_at,
  lastSlotAt: r.last_slot_at,
  lastSlotTask: r.last_slot_task,
});

/** Stores a new connector; returns undefined (and writes nothing) when the name is taken. */
export function insertConnector(db: Database, c: NewConnector): ConnectorRecord | undefined {
  const info = stmt(
    db,
    `INSERT INTO connectors (name, kind, library, version, options, schedule, schedule_tz, next_run_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
  ).run(
    c.name,
    c.kind,
    c.library,
    c.version,
    JSON.stringify(c.options),
    c.schedule?.cron ?? null,
    c.schedule?.timezone ?? null,
    c.nextRunAt,
    Date.now(),
  );
  if (info.changes === 0) return undefined;
  const id = Number(info.lastInsertRowid);
  if (c.sealSecret) setConnectorSecret(db, id, c.sealSecret(id));
  return getConnector(db, id);
}

/** The connector's sealed token, or undefined. */
export function connectorSecret(db: Database, connectorId: number): Uint8Array | undefined {
  return stmt<[number], { sealed: Buffer }>(db, 'SELECT sealed FROM connector_secrets WHERE connector_id = ?').get(connectorId)?.sealed;
}

/** Every sealed token, by connector id. */
export function connectorSecrets(db: Database): Map<number, Uint8Array> {
  const rows = stmt<[], { connector_id: number; sealed: Buffer }>(db, 'SELECT connector_id, sealed FROM connector_secrets').all();
  return new Map(rows.map((r) => [r.connector_id, r.sealed]));
}

/** Replaces the connector's sealed token; false when there is no such connector. Call inside a write transaction. */
export function setConnectorSecret(db: Database, connectorId: number, sealed: Uint8Array): boolean {
  if (!getConnector(db, connectorId)) return false;
  stmt(
    db,
    'INSERT INTO connector_secrets (connector_id, sealed) VALUES (?, ?) ON CONFLICT (connector_id) DO UPDATE SET sealed = excluded.sealed',
  ).run(connectorId, sealed);
  return true;
}

/**
 * Replaces a connector's options. Its cursor is cleared: a cursor says where a sync of the old
 * options left off (a git commit seen through the old globs), so the next sync compares every item
 * against its stored marker instead; unchanged items stay unchanged.
 */
export function updateConnectorOptions(db: Database, connectorId: number, options: Record<string, unknown>): void {
  stmt(db, 'UPDATE connectors SET options = ?, cursor = NULL WHERE id = ?').run(JSON.stringify(options), connectorId);
}

/** The connector with this id, or undefined. */
export function getConnector(db: Database, id: number): ConnectorRecord | undefined {
  const row = stmt<[number], ConnectorRow>(db, 'SELECT * FROM connectors WHERE id = ?').get(id);
  return row && toRecord(row);
}

/** The connector with this name, or undefined. */
export function findConnector(db: Database, name: string): ConnectorRecord | undefined {
  const row = stmt<[string], ConnectorRow>(db, 'SELECT * FROM connectors WHERE name = ?').get(name);
  return row && toRecord(row);
}

/** Every connector, by name. */
export function listConnectors(db: Database): ConnectorRecord[] {
  return stmt<[], ConnectorRow>(db, 'SELECT * FROM connectors ORDER BY name').all().map(toRecord);
}

/** How many sources the connector holds. */
export function connectorItemCount(db: Database, connectorId: number): number {
  return stmt<[number], { n: number }>(db, 'SELECT count(*) AS n FROM connector_items WHERE connector_id = ?').get(connectorId)!.n;
}

/** The connector's sources with their version markers. */
export function connectorMarkers(db: Database, connectorId: number): Map<string, string> {
  const rows = stmt<[number], { source: string; marker: string }>(
    db,
    'SELECT source, marker FROM connector_items WHERE connector_id = ?',
  ).all(connectorId);
  return new Map(rows.map((r) => [r.source, r.marker]));
}

/**
 * Removes a connector and (by cascade) its token; with `withDocuments`, the documents it brought
 * go too (at once for every reader; the collector removes their chunks). Call inside a write
 * transaction. Returns the number of documents deleted.
 */
export function deleteConnector(db: Database, connector: ConnectorRecord, withDocuments: boolean): number {
  let deleted = 0;
  if (withDocuments) {
    const library = findLibrary(db, connector.library, connector.version);
    if (library) for (const source of connectorMarkers(db, connector.id).keys()) if (retireSource(db, library.id, source)) deleted++;
  }
  stmt(db, 'DELETE FROM connectors WHERE id = ?').run(connector.id);
  return deleted;
}

/**
 * Applies a sync inside its run's publish transaction: deletes the documents of the sources that
 * are gone (only those this connector brought), records the new markers and the cursor. A
 * connector removed while it synced has nothing left to record.
 */
export function applyConnectorSync(db: Database, libraryId: number, sync: ConnectorSyncWrite, now: number): void {
  if (!getConnector(db, sync.connectorId)) return;
  const forget = stmt(db, 'DELETE FROM connector_items WHERE connector_id = ? AND source = ?');
  for (const source of sync.deletions) {
    if (forget.run(sync.connectorId, source).changes > 0) retireSource(db, libraryId, source);
  }
  const mark = stmt(
    db,
    'INSERT INTO connector_items (connector_id, source, marker) VALUES (?, ?, ?) ON CONFLICT (connector_id, source) DO UPDATE SET marker = excluded.marker',
  );
  for (const [source, marker] of sync.markers) mark.run(sync.connectorId, source, marker);
  stmt(db, 'UPDATE connectors SET cursor = ?, last_sync_at = ?, last_outcome = ? WHERE id = ?').run(
    sync.cursor,
    now,
    sync.outcome,
    sync.connectorId,
  );
}

/** Records how a sync that did not publish ended. */
export function recordSyncFailure(db: Database, connectorId: number, outcome: string): void {
  stmt(db, 'UPDATE connectors SET last_sync_at = ?, last_outcome = ? WHERE id = ?').run(Date.now(), outcome, connectorId);
}

/** Retires the live document of `source` in the library; returns whether there was one. */
function retireSource(db: Database, libraryId: number, source: string): boolean {
  const row = stmt<[number, string], { id: number }>(db, 'SELECT id FROM documents WHERE library_id = ? AND source = ?').get(
    libraryId,
    source,
  );
  return row !== undefined && retireDocument(db, row.id);
}
