/**
 * The one place where errors become JSON-RPC errors. Engine errors carry their own code and data;
 * the MCP layer's own expected conditions are defined here; the SDK's `ProtocolError`s pass
 * through, and its request-validation failures are made readable (`fromSdkValidation`). Anything
 * else is unexpected: it is reported and answered with -32603.
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

/** The caller lacks a scope the operation (a tool, or a task method) requires. */
export class InsufficientScopeError extends Error {
  readonly code = ProtocolErrorCode.InvalidRequest;
  constructor(
    /** A tool's name, or the request's method. */
    readonly operation: string,
    readonly missing: readonly string[],
  ) {
    super(`'${operation}' requires the scope(s) ${missing.join(', ')}; use a token that grants them`);
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

/** One schema problem: where (a path into the params) and what. */
export interface ParamIssue {
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined;
  message: string;
}

/** -32602 naming each bad field of a request's params: `Invalid params for <method>: <field>: <problem>; …`. */
export function invalidParams(method: string, issues: readonly ParamIssue[]): ProtocolError {
  const fields = issues.map((issue) => {
    const path = (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part));
    if (path[0] === 'params') path.shift(); // the SDK validates the whole request; the client wrote params
    return `${path.join('.') || '(params)'}: ${issue.message}`;
  });
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params for ${method}: ${fields.join('; ')}`);
}

/**
 * The SDK's own request validation, made readable, or undefined for any other error. SDK 2.4
 * answers a spec method whose params fail the schema (`initialize`, `logging/setLevel`,
 * `tools/list`…) with a plain Error whose message is zod's JSON dump of the issues, which becomes
 * -32603 (typescript-sdk#2284, fix proposed in PR #2492), and an invalid `tools/call` with -32602
 * carrying the same dump. Either way the client sent bad params: -32602 naming the fields.
 */
export function fromSdkValidation(error: unknown, method: string): ProtocolError | undefined {
  if (!(error instanceof Error)) return undefined;
  const isProtocolError = error instanceof ProtocolError;
  if (isProtocolError && error.code !== ProtocolErrorCode.InvalidParams) return undefined;
  // A plain Error must be the dump alone; the SDK's -32602 prefixes it ("Invalid tools/call request: [").
  const start = isProtocolError ? error.message.indexOf('[') : 0;
  const issues = start === -1 ? undefined : parseIssues(error.message.slice(start));
  return issues ? invalidParams(method, issues) : undefined;
}

function parseIssues(text: string): ParamIssue[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const isIssue = (item: unknown) =>
    typeof item === 'object' &&
    item !== null &&
    typeof (item as ParamIssue).message === 'string' &&
    Array.isArray((item as ParamIssue).path);
  return Array.isArray(value) && value.length > 0 && value.every(isIssue) ? (value as ParamIssue[]) : undefined;
}
