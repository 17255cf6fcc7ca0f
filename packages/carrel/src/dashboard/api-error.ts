/**
 * The dashboard API's one error shape, `{ error: { code, message } }`, and the one place domain
 * errors of the task engine and the knowledge base become HTTP statuses. Anything else is a 500
 * whose message says nothing about internals (the cause is logged).
 *
 * @module
 */
import { InvalidArgumentError, InvalidCursorError, TaskNotFoundError, TaskNotRetryableError, TaskTerminalError } from '@carrel/tasks';
import { KnowledgeBaseError } from '../errors.js';

/** An expected refusal: its status, a snake_case code the page can branch on, and a sentence for a person. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The JSON response of an error thrown while answering; `log` hears unexpected ones. */
export function errorResponse(error: unknown, log: (error: unknown) => void): Response {
  const known = asApiError(error);
  if (known) return Response.json({ error: { code: known.code, message: known.message } }, { status: known.status });
  log(error);
  return Response.json({ error: { code: 'internal', message: 'The server failed to answer; the cause is in its log.' } }, { status: 500 });
}

function asApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof TaskNotFoundError) return new ApiError(404, 'not_found', 'No such task.');
  if (error instanceof TaskTerminalError) return new ApiError(409, 'terminal', error.message);
  if (error instanceof TaskNotRetryableError) return new ApiError(409, 'not_retryable', error.message);
  if (error instanceof InvalidArgumentError || error instanceof InvalidCursorError) return new ApiError(400, 'bad_request', error.message);
  if (error instanceof KnowledgeBaseError) {
    if (error.kind === 'not_found') return new ApiError(404, 'not_found', error.problem);
    if (error.kind === 'invalid_argument') return new ApiError(400, 'bad_request', error.problem);
  }
  return undefined;
}
