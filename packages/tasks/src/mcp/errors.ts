/**
 * The one place where errors become JSON-RPC errors. Engine errors carry their own code and data;
 * the MCP layer's own expected conditions are defined here; the SDK's `ProtocolError`s pass
 * through. Anything else is unexpected: it is reported and answered with -32603.
 *
 * @module
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { TaskEngineError } from '../errors.js';

/** The caller created tasks faster than its per-owner rate allows. */
export class TaskRateLimitError extends Error {
  readonly code = ProtocolErrorCode.InvalidRequest;
  constructor(readonly retryAfterMs: number) {
    super(`Too many tasks created: retry in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'TaskRateLimitError';
  }
}

/** The caller's token lacks a scope the tool requires. */
export class InsufficientScopeError extends Error {
  readonly code = ProtocolErrorCode.InvalidRequest;
  constructor(
    readonly tool: string,
    readonly missing: readonly string[],
  ) {
    super(`Tool '${tool}' requires the scope(s) ${missing.join(', ')}; use a token that grants them`);
    this.name = 'InsufficientScopeError';
  }
}

/** A tool's task mode forbids how it was called (spec 2025-11-25: -32601 at tool level). */
export class TaskModeError extends Error {
  readonly code = ProtocolErrorCode.MethodNotFound;
  constructor(message: string) {
    super(message);
    this.name = 'TaskModeError';
  }
}

/**
 * Converts any thrown value into the JSON-RPC error the client sees. `requestAborted` marks a request
 * the client cancelled (or whose connection closed) while it waited: expected, so not reported; the
 * SDK delivers no reply to a cancelled request anyway.
 */
export function toProtocolError(error: unknown, onUnexpected: (error: unknown) => void, requestAborted = false): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof TaskEngineError) return new ProtocolError(error.code, error.message, error.data);
  if (error instanceof TaskRateLimitError) return new ProtocolError(error.code, error.message, { retryAfterMs: error.retryAfterMs });
  if (error instanceof InsufficientScopeError) return new ProtocolError(error.code, error.message, { requiredScopes: error.missing });
  if (error instanceof TaskModeError) return new ProtocolError(error.code, error.message);
  if (requestAborted) return new ProtocolError(ProtocolErrorCode.InvalidRequest, 'The request was cancelled');
  onUnexpected(error);
  return new ProtocolError(ProtocolErrorCode.InternalError, 'Internal error');
}
