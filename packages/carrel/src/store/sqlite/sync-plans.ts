/**
 * A connector sync's plan (migration 0011): what its discovery listed, kept with the sync's run
 * while the run stages. Its fetch batches read their items from here and settle each item's fate
 * (taken, failed, gone) after staging it; its apply reads the settled plan and hands the cursor,
 * markers and deletions to the publish (`publish.ts`), which drops the plan with the run's stages.
 * Every write checks that the run is still staging, as staging does.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { assertStaging } from './runs.js';
import { stmt } from './statements.js';
import type { PlanItem, PlanItemState, SyncPlanHeader } from '../records.js';

/**
 * Writes the run's plan in ONE transaction, replacing one an earlier attempt of the discovery
 * wrote. The pending items come first, in the order they are to be read.
 */
export function writeSyncPlan(db: Database, runId: number, header: SyncPlanHeader, items: readonly PlanItem[]): void {
  db.transaction(() => {
    assertStaging(db, runId);
    dropSyncPlan(db, runId);
    stmt(db, 'INSERT INTO sync_plans (run_id, connector_id, cursor, complete, unchanged, reads) VALUES (?, ?, ?, ?, ?, ?)').run(
      runId,
      header.connectorId,
      header.cursor,
      header.complete ? 1 : 0,
      header.unchanged,
      header.reads,
    );
    const insert = stmt(db, 'INSERT INTO sync_plan_items (run_id, ord, source, version, state) VALUES (?, ?, ?, ?, ?)');
    items.forEach((item, ord) => insert.run(runId, ord, item.source, item.version, item.state));
  }).immediate();
}

/** The run's plan header, or undefined when its discovery has not written one. */
export function syncPlanHeader(db: Database, runId: number): SyncPlanHeader | undefined {
  const row = stmt<[number], { connectorId: number; cursor: string | null; complete: number; unchanged: number; reads: number }>(
    db,
    'SELECT connector_id AS connectorId, cursor, complete, unchanged, reads FROM sync_plans WHERE run_id = ?',
  ).get(runId);
  return row && { ...row, complete: row.complete === 1 };
}

/** The plan's items at `ord` from … to - 1, in order, with their ord. */
export function syncPlanItems(db: Database, runId: number, from: number, to: number): (PlanItem & { ord: number })[] {
  return stmt<[number, number, number], PlanItem & { ord: number }>(
    db,
    'SELECT ord, source, version, state FROM sync_plan_items WHERE run_id = ? AND ord >= ? AND ord < ? ORDER BY ord',
  ).all(runId, from, to);
}

/** Records the fates of items a fetch batch has staged, in ONE transaction. */
export function settleSyncPlanItems(db: Database, runId: number, fates: readonly { ord: number; state: PlanItemState }[]): void {
  db.transaction(() => {
    assertStaging(db, runId);
    const settle = stmt(db, 'UPDATE sync_plan_items SET state = ? WHERE run_id = ? AND ord = ?');
    for (const { ord, state } of fates) settle.run(state, runId, ord);
  }).immediate();
}

/** Forgets the run's plan (the run is published or discarded). */
export function dropSyncPlan(db: Database, runId: number): void {
  stmt(db, 'DELETE FROM sync_plan_items WHERE run_id = ?').run(runId);
  stmt(db, 'DELETE FROM sync_plans WHERE run_id = ?').run(runId);
}
