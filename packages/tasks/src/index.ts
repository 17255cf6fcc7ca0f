/**
 * `@carrel/tasks`: a durable MCP Tasks runtime. Any export added here is public API.
 * The SQLite and PostgreSQL backends are subpath exports (`@carrel/tasks/sqlite`,
 * `@carrel/tasks/postgres`), so this entry point has no native dependency.
 *
 * @module
 */
export { TaskEngine } from './engine/engine.js';
export type { CreateTaskRequest, ListTasksRequest, QueueStatsRequest, TaskEngineOptions, TaskEvent, TaskPage } from './engine/engine.js';
export type { HandlerQueue, HandlerSeries, NodeSeries, QueueStats } from './engine/queue-stats.js';
export { exponentialBackoff } from './engine/backoff.js';
export type { Backoff, ExponentialBackoffOptions } from './engine/backoff.js';
export { defineWorkflow } from './engine/workflow.js';
export type {
  WorkflowBatchArgs,
  WorkflowDefinition,
  WorkflowFanOutStep,
  WorkflowStep,
  WorkflowStepArgs,
  WorkflowTaskStep,
} from './engine/workflow.js';
export type {
  ChildProgress,
  ChildTask,
  InputOptions,
  SpawnOptions,
  TaskContext,
  TaskHandlerDefinition,
  TaskHandlerFn,
  AnyTaskHandler,
} from './handler.js';
export { MemoryTaskStore } from './backends/memory/index.js';
export type {
  CancelArgs,
  CancelResult,
  ClaimArgs,
  CompleteArgs,
  CountTasksArgs,
  FinishedTask,
  FinishedTasksArgs,
  HeartbeatArgs,
  InsertOptions,
  InsertResult,
  ListQuery,
  NewTask,
  ProgressArgs,
  ReapArgs,
  ReleaseArgs,
  ForgetInputArgs,
  RequestInputArgs,
  RequestInputResult,
  RescueArgs,
  RespondArgs,
  RespondResult,
  RetryArgs,
  TaskChange,
  TaskCompletion,
  TaskChangeKind,
  TaskCount,
  TaskStore,
} from './store.js';
export {
  canTransition,
  isTaskStatus,
  isTerminal,
  LIVE_STATUSES,
  outstandingInputKeys,
  statusesLeadingTo,
  TASK_STATUSES,
  TERMINAL_STATUSES,
} from './task.js';
export type {
  InputRequestRecord,
  Lease,
  LiveStatus,
  Outcome,
  TaskErrorObject,
  TaskProgress,
  TaskRecord,
  TaskStatus,
  TerminalStatus,
} from './task.js';
export {
  ChildTaskError,
  DuplicateTaskIdError,
  EngineStoppedError,
  HandlerNotAllowedError,
  InvalidArgumentError,
  InvalidCursorError,
  JsonRpcCode,
  PayloadTooLargeError,
  SchemaNotMigratedError,
  SchemaTooNewError,
  StoreUnavailableError,
  TaskAbortedError,
  TaskEngineError,
  TaskFailure,
  TaskLimitError,
  TaskNotFoundError,
  TaskNotRetryableError,
  TaskTerminalError,
} from './errors.js';
export type { AbortReason, TaskErrorKind } from './errors.js';
