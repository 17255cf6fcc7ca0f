/**
 * Connector sync plans, kept with their run while it stages (see `../../sync-plans.ts`).
 *
 * @module
 */
import type { PlanItem, PlanItemState, SyncPlanHeader } from '../../repository.js';
import type { Query } from '../client.js';
import { assertStaging } from './runs.js';

/** Writes the run's plan, replacing an earlier one; pending items first, in reading order. */
export async function writeSyncPlan(query: Query, runId: number, header: SyncPlanHeader, items: readonly PlanItem[]): Promise<void> {
  await assertStaging(query, runId);
  await query('DELETE FROM sync_plan_items WHERE run_id = $1', [runId]);
  await query(
    `INSERT INTO sync_plans (run_id, connector_id, cursor, complete, unchanged, reads) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (run_id) DO UPDATE SET connector_id = excluded.connector_id, cursor = excluded.cursor, complete = excluded.complete,
       unchanged = excluded.unchanged, reads = excluded.reads`,
    [runId, header.connectorId, header.cursor, header.complete, header.unchanged, header.reads],
  );
  await query(
    `INSERT INTO sync_plan_items (run_id, ord, source, version, state)
     SELECT $1, ord - 1, source, version, state FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS i (source, version, state, ord)`,
    [runId, items.map((i) => i.source), items.map((i) => i.version), items.map((i) => i.state)],
  );
}

/** The run's plan header, or undefined. */
export async function syncPlanHeader(query: Query, runId: number): Promise<SyncPlanHeader | undefined> {
  const [row] = await query<SyncPlanHeader>(
    'SELECT connector_id AS "connectorId", cursor, complete, unchanged, reads FROM sync_plans WHERE run_id = $1',
    [runId],
  );
  return row;
}

/** The plan's items at `from` … `to` - 1, in order; the bounds may be any safe integer (bigint: past `ord`'s integer range). */
export function syncPlanItems(query: Query, runId: number, from: number, to: number): Promise<(PlanItem & { ord: number })[]> {
  return query<PlanItem & { ord: number }>(
    'SELECT ord, source, version, state FROM sync_plan_items WHERE run_id = $1 AND ord >= $2::bigint AND ord < $3::bigint ORDER BY ord',
    [runId, from, to],
  );
}

/** Records the fates of items a fetch batch staged. */
export async function settleSyncPlanItems(
  query: Query,
  runId: number,
  fates: readonly { ord: number; state: PlanItemState }[],
): Promise<void> {
  await assertStaging(query, runId);
  await query(
    `UPDATE sync_plan_items i SET state = f.state FROM unnest($2::int[], $3::text[]) AS f (ord, state) WHERE i.run_id = $1 AND i.ord = f.ord`,
    [runId, fates.map((f) => f.ord), fates.map((f) => f.state)],
  );
}
