/**
 * Connectors, their sync state and their schedules (see `../../connectors.ts` and
 * `../../connector-schedules.ts`). A sync's cursor and markers are written by
 * {@link applyConnectorSync} in its run's publish transaction. A schedule slot goes to exactly one
 * caller across every node: {@link claimScheduleSlot} is a compare-and-set on `next_run_at`, and a
 * second UPDATE of the same row waits for the first to commit, then no longer matches.
 *
 * @module
 */
import type { Schedule } from '../../../connectors/schedule.js';
import type { ConnectorRecord, ConnectorSyncWrite, NewConnector } from '../../repository.js';
import type { Query } from '../client.js';
import { findLibrary } from './libraries.js';
import { retireSource } from './garbage.js';

interface ConnectorRow extends Omit<ConnectorRecord, 'options' | 'schedule'> {
  options: string;
  schedule: string | null;
  scheduleTz: string | null;
}

const CONNECTOR = `SELECT id, name, kind, library, version, options, cursor, last_sync_at AS "lastSyncAt", last_outcome AS "lastOutcome",
  created_at AS "createdAt", schedule, schedule_tz AS "scheduleTz", next_run_at AS "nextRunAt", last_slot_at AS "lastSlotAt",
  last_slot_task AS "lastSlotTask" FROM connectors`;

const toRecord = ({ options, schedule, scheduleTz, ...r }: ConnectorRow): ConnectorRecord => ({
  ...r,
  options: JSON.parse(options) as Record<string, unknown>,
  schedule: schedule === null ? null : { cron: schedule, timezone: scheduleTz },
});

/** Stores a new connector; undefined (nothing written) when the name is taken. */
export async function insertConnector(query: Query, c: NewConnector): Promise<ConnectorRecord | undefined> {
  const [row] = await query<{ id: number }>(
    `INSERT INTO connectors (name, kind, library, version, options, schedule, schedule_tz, next_run_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (name) DO NOTHING RETURNING id`,
    [
      c.name,
      c.kind,
      c.library,
      c.version,
      JSON.stringify(c.options),
      c.schedule?.cron ?? null,
      c.schedule?.timezone ?? null,
      c.nextRunAt,
      Date.now(),
    ],
  );
  if (!row) return undefined;
  if (c.sealSecret) await setConnectorSecret(query, row.id, c.sealSecret(row.id));
  return getConnector(query, row.id);
}

/** The connector's sealed token, or undefined. */
export async function connectorSecret(query: Query, connectorId: number): Promise<Uint8Array | undefined> {
  const [row] = await query<{ sealed: Buffer }>('SELECT sealed FROM connector_secrets WHERE connector_id = $1', [connectorId]);
  return row?.sealed;
}

/** Every sealed token, by connector id. */
export async function connectorSecrets(query: Query): Promise<Map<number, Uint8Array>> {
  const rows = await query<{ connectorId: number; sealed: Buffer }>('SELECT connector_id AS "connectorId", sealed FROM connector_secrets');
  return new Map(rows.map((r) => [r.connectorId, r.sealed]));
}

/** Replaces the connector's sealed token; false when there is no such connector. */
export async function setConnectorSecret(query: Query, connectorId: number, sealed: Uint8Array): Promise<boolean> {
  const written = await query(
    `INSERT INTO connector_secrets (connector_id, sealed) SELECT id, $2 FROM connectors WHERE id = $1
     ON CONFLICT (connector_id) DO UPDATE SET sealed = excluded.sealed RETURNING connector_id`,
    [connectorId, Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)],
  );
  return written.length > 0;
}

/** Replaces a connector's options and clears its cursor (see `../../connectors.ts` for why). */
export async function updateConnectorOptions(query: Query, connectorId: number, options: Record<string, unknown>): Promise<void> {
  await query('UPDATE connectors SET options = $1, cursor = NULL WHERE id = $2', [JSON.stringify(options), connectorId]);
}

/** The connector with this id, or undefined. */
export async function getConnector(query: Query, id: number): Promise<ConnectorRecord | undefined> {
  const [row] = await query<ConnectorRow>(`${CONNECTOR} WHERE id = $1`, [id]);
  return row && toRecord(row);
}

/** The connector with this name, or undefined. */
export async function findConnector(query: Query, name: string): Promise<ConnectorRecord | undefined> {
  const [row] = await query<ConnectorRow>(`${CONNECTOR} WHERE name = $1`, [name]);
  return row && toRecord(row);
}

/** Every connector, by name. */
export async function listConnectors(query: Query): Promise<ConnectorRecord[]> {
  return (await query<ConnectorRow>(`${CONNECTOR} ORDER BY name`)).map(toRecord);
}

/** How many sources the connector holds. */
export async function connectorItemCount(query: Query, connectorId: number): Promise<number> {
  const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM connector_items WHERE connector_id = $1', [connectorId]);
  return row!.n;
}

/** The connector's sources with their version markers. */
export async function connectorMarkers(query: Query, connectorId: number): Promise<Map<string, string>> {
  const rows = await query<{ source: string; marker: string }>('SELECT source, marker FROM connector_items WHERE connector_id = $1', [
    connectorId,
  ]);
  return new Map(rows.map((r) => [r.source, r.marker]));
}

/** Removes a connector (with `withDocuments`, the documents it brought). Returns the documents deleted. */
export async function deleteConnector(query: Query, connector: ConnectorRecord, withDocuments: boolean): Promise<number> {
  let deleted = 0;
  if (withDocuments) {
    const library = await findLibrary(query, connector.library, connector.version);
    if (library) {
      for (const source of (await connectorMarkers(query, connector.id)).keys()) {
        if (await retireSource(query, library.id, source)) deleted++;
      }
    }
  }
  await query('DELETE FROM connectors WHERE id = $1', [connector.id]);
  return deleted;
}

/** Inside a publish: deletes the documents of sources gone (only those the connector brought), records markers and cursor. */
export async function applyConnectorSync(query: Query, libraryId: number, sync: ConnectorSyncWrite, now: number): Promise<void> {
  const [exists] = await query('SELECT 1 FROM connectors WHERE id = $1 FOR UPDATE', [sync.connectorId]);
  if (!exists) return;
  const forgotten = await query<{ source: string }>(
    'DELETE FROM connector_items WHERE connector_id = $1 AND source = ANY($2::text[]) RETURNING source',
    [sync.connectorId, sync.deletions],
  );
  for (const { source } of forgotten) await retireSource(query, libraryId, source);
  await query(
    `INSERT INTO connector_items (connector_id, source, marker) SELECT $1, source, marker FROM unnest($2::text[], $3::text[]) AS m (source, marker)
     ON CONFLICT (connector_id, source) DO UPDATE SET marker = excluded.marker`,
    [sync.connectorId, sync.markers.map(([source]) => source), sync.markers.map(([, marker]) => marker)],
  );
  await query('UPDATE connectors SET cursor = $1, last_sync_at = $2, last_outcome = $3 WHERE id = $4', [
    sync.cursor,
    now,
    sync.outcome,
    sync.connectorId,
  ]);
}

/** Records how a sync that did not publish ended. */
export async function recordSyncFailure(query: Query, connectorId: number, outcome: string): Promise<void> {
  await query('UPDATE connectors SET last_sync_at = $1, last_outcome = $2 WHERE id = $3', [Date.now(), outcome, connectorId]);
}

/** Sets (or with null, clears) a connector's schedule and its next slot. */
export async function setConnectorSchedule(
  query: Query,
  connectorId: number,
  schedule: Schedule | null,
  nextRunAt: number | null,
): Promise<void> {
  await query('UPDATE connectors SET schedule = $1, schedule_tz = $2, next_run_at = $3 WHERE id = $4', [
    schedule?.cron ?? null,
    schedule?.timezone ?? null,
    schedule === null ? null : nextRunAt,
    connectorId,
  ]);
}

/** The scheduled connectors whose next slot is at or before `now`, earliest first. */
export async function dueConnectors(query: Query, now: number): Promise<ConnectorRecord[]> {
  return (
    await query<ConnectorRow>(`${CONNECTOR} WHERE next_run_at IS NOT NULL AND next_run_at <= $1 ORDER BY next_run_at, id`, [now])
  ).map(toRecord);
}

/** Claims slot `slot`, moving the next slot to `next`: true for exactly one caller (see module comment). */
export async function claimScheduleSlot(query: Query, connectorId: number, slot: number, next: number | null): Promise<boolean> {
  const rows = await query(
    'UPDATE connectors SET next_run_at = $1, last_slot_at = $2, last_slot_task = NULL WHERE id = $3 AND next_run_at = $2 RETURNING id',
    [next, slot, connectorId],
  );
  return rows.length === 1;
}

/** Records the sync task a claimed slot started or joined. */
export async function recordSlotTask(query: Query, connectorId: number, slot: number, taskId: string): Promise<void> {
  await query('UPDATE connectors SET last_slot_task = $1 WHERE id = $2 AND last_slot_at = $3', [taskId, connectorId, slot]);
}
