/**
 * Turns whatever a handler returned or threw into one `Outcome` before anything touches the
 * store, and decides whether a failure may be retried.
 *
 * @module
 */
import { JsonRpcCode, TaskFailure } from '../errors.js';
import type { Outcome, TaskErrorObject } from '../task.js';

export type AttemptResult = { kind: 'result'; outcome: Outcome } | { kind: 'error'; error: TaskErrorObject; retryable: boolean };

export function fromReturn(value: unknown): AttemptResult {
  return { kind: 'result', outcome: { result: value === undefined ? null : value } };
}

/** Any thrown value becomes a JSON-RPC error object; errors with a numeric `code` keep it. */
export function fromThrow(thrown: unknown): AttemptResult {
  if (thrown instanceof TaskFailure) {
    const error: TaskErrorObject = { code: thrown.code, message: thrown.message };
    if (thrown.data !== undefined) error.data = thrown.data;
    return { kind: 'error', error, retryable: thrown.retryable };
  }
  if (thrown instanceof Error) {
    const { code, data } = thrown as Error & { code?: unknown; data?: unknown };
    const error: TaskErrorObject = {
      code: Number.isInteger(code) ? (code as number) : JsonRpcCode.InternalError,
      message: thrown.message || thrown.name,
    };
    if (data !== undefined) error.data = data;
    return { kind: 'error', error, retryable: true };
  }
  return { kind: 'error', error: { code: JsonRpcCode.InternalError, message: String(thrown) }, retryable: true };
}
