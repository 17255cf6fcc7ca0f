/**
 * The PostgreSQL errors the knowledge base expects, keyed by SQLSTATE: retry the transaction, or
 * the domain error a caller understands. Anything else propagates unchanged.
 *
 * Codes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 *
 * @module
 */
import { isServerUnavailable } from '@carrel/tasks/postgres';
import { DatabaseUnavailableError, StoreBusyError } from '../../errors.js';

/** How many times a transaction that hit a retryable error is run in all. */
export const MAX_TRANSACTION_RUNS = 5;

const RETRY = new Set([
  '40P01', // deadlock_detected
  '40001', // serialization_failure: only under an isolation level a server default may set
]);

/** `lock_not_available`: the write lock stayed taken past `lock_timeout`. */
const LOCK_TIMEOUT = '55P03';

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}

/** Whether running the same transaction again may succeed. */
export function shouldRetry(error: unknown): boolean {
  return RETRY.has(sqlState(error) ?? '');
}

/** The domain error for an expected, non-retryable error (the write lock waited for `waitedMs`); anything else unchanged. */
export function translateError(error: unknown, waitedMs: number): unknown {
  if (sqlState(error) === LOCK_TIMEOUT) return new StoreBusyError(waitedMs);
  // The engine's own list of what a server that is away looks like: one meaning on both schemas.
  if (isServerUnavailable(error)) return new DatabaseUnavailableError(error);
  return error;
}
