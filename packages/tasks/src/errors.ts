/**
 * Domain errors of the task engine. Each carries the JSON-RPC code it maps to at the protocol
 * edge and a stable string `kind`, so the MCP layer and the CLI convert them in one place each.
 *
 * @module
 */
import type { TaskStatus } from './task.js';

/** JSON-RPC 2.0 error codes used by the engine's errors. */
export const JsonRpcCode = {
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

export type TaskErrorKind =
  | 'task_not_found'
  | 'task_terminal'
  | 'task_not_retryable'
  | 'handler_not_allowed'
  | 'invalid_argument'
  | 'payload_too_large'
  | 'invalid_cursor'
  | 'task_limit'
  | 'engine_stopped';

/** Base class: an expected condition with a JSON-RPC code and typed data. */
export abstract class TaskEngineError extends Error {
  abstract readonly kind: TaskErrorKind;
  abstract readonly code: number;
  readonly data: Record<string, unknown> | undefined;

  constructor(message: string, data?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.data = data;
  }
}

/** The task does not exist, has expired, or belongs to another owner: all three look the same. */
export class TaskNotFoundError extends TaskEngineError {
  readonly kind = 'task_not_found';
  readonly code = JsonRpcCode.InvalidParams;
  constructor(readonly taskId: string) {
    super(`Task not found: ${taskId}`, { taskId });
  }
}

/** The operation needs a live task, and this one is already terminal. */
export class TaskTerminalError extends TaskEngineError {
  readonly kind = 'task_terminal';
  readonly code = JsonRpcCode.InvalidParams;
  constructor(
    readonly taskId: string,
    readonly status: TaskStatus,
  ) {
    super(`Task ${taskId} is already in terminal status '${status}'`, { taskId, status });
  }
}

/** Only a failed or cancelled task can be retried; this one is live, or completed. */
export class TaskNotRetryableError extends TaskEngineError {
  readonly kind = 'task_not_retryable';
  readonly code = JsonRpcCode.InvalidParams;
  constructor(
    readonly taskId: string,
    readonly status: TaskStatus,
  ) {
    super(`Task ${taskId} is '${status}': only a failed or cancelled task can be retried`, { taskId, status });
  }
}

/** The handler name is not registered with this engine (handlers are an allowlist). */
export class HandlerNotAllowedError extends TaskEngineError {
  readonly kind = 'handler_not_allowed';
  readonly code = JsonRpcCode.InvalidParams;
  constructor(readonly handler: string) {
    super(`Unknown task handler '${handler}': register it with the engine before creating tasks for it`, { handler });
  }
}

/** An argument is malformed: names the argument and what was expected. */
export class InvalidArgumentError extends TaskEngineError {
  readonly kind = 'invalid_argument';
  readonly code = JsonRpcCode.InvalidParams;
  constructor(
    readonly argument: string,
    expected: string,
  ) {
    super(`Invalid ${argument}: expected ${expected}`, { argument });
  }
}

/** A JSON payload (input, result, input request or response) exceeds the configured limit. */
export class PayloadTooLargeError extends TaskEngineError {
  readonly kind = 'payload_too_large';
  readonly code = JsonRpcCode.InvalidParams;
  constructor(what: string, bytes: number, limit: number) {
    super(`The ${what} is ${bytes} bytes as JSON; the limit is ${limit} bytes`, { what, bytes, limit });
  }
}

/** A list cursor that this engine did not produce. */
export class InvalidCursorError extends TaskEngineError {
  readonly kind = 'invalid_cursor';
  readonly code = JsonRpcCode.InvalidParams;
  constructor(cursor: string) {
    super(`Invalid cursor: ${cursor.length > 64 ? `${cursor.slice(0, 64)}…` : cursor}`);
  }
}

/** The owner already has as many live tasks as the engine allows. */
export class TaskLimitError extends TaskEngineError {
  readonly kind = 'task_limit';
  readonly code = JsonRpcCode.InvalidRequest;
  constructor(
    readonly owner: string,
    readonly limit: number,
  ) {
    super(`Too many live tasks: the limit is ${limit} per owner; wait for some to finish or cancel them`, { limit });
  }
}

/** The engine was stopped; no new work is accepted through it. */
export class EngineStoppedError extends TaskEngineError {
  readonly kind = 'engine_stopped';
  readonly code = JsonRpcCode.InternalError;
  constructor() {
    super('The task engine is stopped');
  }
}

/**
 * Thrown by a handler to fail its attempt with a chosen JSON-RPC error. `retryable: false`
 * fails the task at once instead of spending the remaining attempts.
 */
export class TaskFailure extends Error {
  readonly code: number;
  readonly data: unknown;
  readonly retryable: boolean;

  constructor(message: string, options: { code?: number; data?: unknown; retryable?: boolean } = {}) {
    super(message);
    this.name = 'TaskFailure';
    this.code = options.code ?? JsonRpcCode.InternalError;
    this.data = options.data;
    this.retryable = options.retryable ?? true;
  }
}

/** What a child task's awaiter sees when the child did not complete. */
export class ChildTaskError extends Error {
  constructor(
    readonly taskId: string,
    readonly status: TaskStatus,
    readonly error: { code: number; message: string; data?: unknown } | null,
  ) {
    super(error ? `Child task ${taskId} ${status}: ${error.message}` : `Child task ${taskId} ${status}`);
    this.name = 'ChildTaskError';
  }
}

/** Why a running handler's signal was aborted. */
export type AbortReason = 'cancelled' | 'lease_lost' | 'shutdown' | 'expired';

/** The `signal.reason` a handler sees: names why its work should stop. */
export class TaskAbortedError extends Error {
  constructor(readonly reason: AbortReason) {
    super(`Task aborted: ${reason.replace('_', ' ')}`);
    this.name = 'TaskAbortedError';
  }
}

/**
 * The store's tables are missing: nothing has migrated this database yet. Operational, not a
 * client error: it names the fix for whoever runs the server.
 */
export class SchemaNotMigratedError extends Error {
  constructor(
    /** Which database: "The SQLite task database at …", "The PostgreSQL task schema …". */
    readonly location: string,
    options?: { cause?: unknown },
  ) {
    super(`${location} has no task schema yet: call store.migrate() (TaskEngine.start() does) before using the store`, options);
    this.name = 'SchemaNotMigratedError';
  }
}

/** The database was migrated by a newer version of this package. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly location: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(`${location} is at schema version ${found}, but this @carrel/tasks supports up to ${supported}: upgrade @carrel/tasks`);
    this.name = 'SchemaTooNewError';
  }
}

/**
 * The store cannot be reached right now: the connection was refused or cut, or the server is
 * shutting down or starting up (a restart, a failover). Transient: the same call may succeed a
 * moment later. What the engine does in the background (waiting for a task, recording a
 * handler's outcome) retries it; a caller's own request fails with it.
 */
export class StoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super(`The task store cannot be reached: ${errorMessage(options?.cause)}`, options);
    this.name = 'StoreUnavailableError';
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A task id was inserted twice. Ids are 128-bit random (`newTaskId`), so the caller reused one. */
export class DuplicateTaskIdError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('A task with this id already exists: task ids must be fresh for every insert', options);
    this.name = 'DuplicateTaskIdError';
  }
}
