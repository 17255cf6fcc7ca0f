/**
 * The `carrel_tasks` row and its mapping to and from `TaskRecord`, plus the status guards the
 * SQL uses. JSON values are stored as TEXT; `NULL` columns map to `null` fields.
 *
 * @module
 */
import type { TaskChange, TaskChangeKind } from '../../store.js';
import { isTaskStatus, LIVE_STATUSES, statusesLeadingTo, type TaskRecord, type TaskStatus } from '../../task.js';

/** A `carrel_tasks` row as better-sqlite3 returns it. */
export interface TaskRow {
  id: string;
  seq: number;
  owner: string;
  handler: string;
  input: string;
  status: TaskStatus;
  status_message: string | null;
  progress: string | null;
  created_at: number;
  updated_at: number;
  ttl_ms: number | null;
  expires_at: number | null;
  poll_interval_ms: number;
  attempt: number;
  max_attempts: number;
  run_at: number;
  lease_worker: string | null;
  lease_expires_at: number | null;
  unique_key: string | null;
  unique_until: number | null;
  unique_slot: string | null;
  outcome: string | null;
  last_error: string | null;
  input_requests: string;
  input_responses: string;
  parent_id: string | null;
  meta: string;
  started_at: number | null;
  finished_at: number | null;
  node: string | null;
  retry_of: string | null;
}

/** The columns a change needs, as `RETURNING` hands them back. */
export type ChangeColumns = Pick<TaskRow, 'id' | 'owner' | 'parent_id' | 'status'>;

export const CHANGE_COLUMNS = 'id, owner, parent_id, status';

export function toRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    seq: row.seq,
    owner: row.owner,
    handler: row.handler,
    input: JSON.parse(row.input),
    status: row.status,
    statusMessage: row.status_message,
    progress: parseOrNull(row.progress),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ttlMs: row.ttl_ms,
    expiresAt: row.expires_at,
    pollIntervalMs: row.poll_interval_ms,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lease: row.lease_worker === null ? null : { worker: row.lease_worker, expiresAt: row.lease_expires_at ?? 0 },
    uniqueKey: row.unique_key,
    uniqueUntil: row.unique_until,
    outcome: parseOrNull(row.outcome),
    lastError: parseOrNull(row.last_error),
    inputRequests: JSON.parse(row.input_requests),
    inputResponses: JSON.parse(row.input_responses),
    parentId: row.parent_id,
    meta: JSON.parse(row.meta),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    node: row.node,
    retryOf: row.retry_of,
  };
}

export function changeOf(row: ChangeColumns, kind: TaskChangeKind): TaskChange {
  return { taskId: row.id, owner: row.owner, parentId: row.parent_id, status: row.status, kind };
}

/** JSON text for a column; `undefined` (which JSON cannot hold) is stored as JSON `null`. */
export function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** JSON text, or SQL `NULL` for a `null` field. */
export function jsonOrNull(value: unknown): string | null {
  return value === null ? null : json(value);
}

function parseOrNull<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/**
 * A list of statuses from `task.ts` as an SQL literal list (`'working', 'input_required'`), for
 * the `status IN (…)` of a compare-and-set. Built once at prepare time from the constants, so the
 * SQL never restates the state machine; each value is checked to be a status before quoting.
 */
export function sqlStatuses(statuses: readonly TaskStatus[]): string {
  if (statuses.length === 0 || !statuses.every(isTaskStatus)) throw new Error(`Not a list of task statuses: ${JSON.stringify(statuses)}`);
  return statuses.map((status) => `'${status}'`).join(', ');
}

/** A worker's lease counts only on a live task. */
export const HELD = sqlStatuses(LIVE_STATUSES);
/** Where `cancel` may start from. */
export const CANCELLABLE = sqlStatuses(statusesLeadingTo('cancelled'));
