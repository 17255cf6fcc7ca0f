/**
 * The `tasks` row as pg returns it (int8 already parsed to numbers, jsonb to values) and its
 * mapping to the protocol-neutral `TaskRecord`.
 *
 * @module
 */
import type { InputRequestRecord, Outcome, TaskErrorObject, TaskProgress, TaskRecord, TaskStatus } from '../../task.js';

/** One row of `tasks`, as read by the statements here. */
export interface TaskRow {
  id: string;
  seq: number;
  owner: string;
  handler: string;
  input: unknown;
  status: TaskStatus;
  status_message: string | null;
  progress: TaskProgress | null;
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
  outcome: Outcome | null;
  last_error: TaskErrorObject | null;
  input_requests: Record<string, InputRequestRecord>;
  input_responses: Record<string, unknown>;
  parent_id: string | null;
  meta: Record<string, unknown>;
  started_at: number | null;
  finished_at: number | null;
  node: string | null;
  retry_of: string | null;
}

/** The columns a `TaskRecord` is read from, for `RETURNING` and `SELECT` lists. */
export const TASK_COLUMNS =
  'id, seq, owner, handler, input, status, status_message, progress, created_at, updated_at, ttl_ms, expires_at, poll_interval_ms, attempt, max_attempts, run_at, lease_worker, lease_expires_at, unique_key, unique_until, outcome, last_error, input_requests, input_responses, parent_id, meta, started_at, finished_at, node, retry_of';

/** The same columns qualified by a table alias, for joins. */
export function taskColumns(alias: string): string {
  return TASK_COLUMNS.split(', ')
    .map((column) => `${alias}.${column}`)
    .join(', ');
}

/** The row as the store contract's `TaskRecord`. */
export function toRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    seq: row.seq,
    owner: row.owner,
    handler: row.handler,
    input: row.input,
    status: row.status,
    statusMessage: row.status_message,
    progress: row.progress,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ttlMs: row.ttl_ms,
    expiresAt: row.expires_at,
    pollIntervalMs: row.poll_interval_ms,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    lease: row.lease_worker === null ? null : { worker: row.lease_worker, expiresAt: row.lease_expires_at as number },
    uniqueKey: row.unique_key,
    uniqueUntil: row.unique_until,
    outcome: row.outcome,
    lastError: row.last_error,
    inputRequests: row.input_requests,
    inputResponses: row.input_responses,
    parentId: row.parent_id,
    meta: row.meta,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    node: row.node,
    retryOf: row.retry_of,
  };
}

/**
 * A value as a jsonb parameter. Serialized here because pg would turn a JS array into a
 * PostgreSQL array literal; `undefined` (not JSON) is stored as null.
 */
export function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
