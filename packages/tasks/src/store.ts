/**
 * The contract every backend implements: each method is one atomic operation named after the
 * transition it performs. Guards (which statuses a move may start from) come from `task.ts`;
 * validation, ids, owners, sizes and limits are the engine's job, so backends stay storage.
 *
 * Implementations: `backends/memory`, `backends/sqlite`, `backends/postgres`. All of them pass
 * the one contract suite in `test/contract/`.
 *
 * @module
 */
import { InvalidArgumentError, TaskNotFoundError, TaskTerminalError } from './errors.js';
import { isTerminal, type Outcome, type TaskErrorObject, type TaskProgress, type TaskRecord, type TaskStatus } from './task.js';

/** A task as the engine hands it to `insert`: everything but the fields the store manages (`seq`, status, lease, …). */
export interface NewTask {
  id: string;
  owner: string;
  handler: string;
  input: unknown;
  createdAt: number;
  ttlMs: number | null;
  expiresAt: number | null;
  pollIntervalMs: number;
  maxAttempts: number;
  runAt: number;
  uniqueKey: string | null;
  uniqueUntil: number | null;
  parentId: string | null;
  meta: Record<string, unknown>;
  /** The task this one retries; null for a task created afresh. */
  retryOf: string | null;
}

export interface InsertResult {
  task: TaskRecord;
  /** False when a live unique key matched: `task` is the existing task and nothing was written. */
  created: boolean;
}

/** A page request: newest first (`seq` descending), only tasks older than `beforeSeq` when given. */
export interface ListQuery {
  /** The owner whose tasks are listed; null lists every owner's (an operator's view, never a caller's). */
  owner: string | null;
  statuses?: readonly TaskStatus[];
  /** Only tasks of these handlers. */
  handlers?: readonly string[];
  /**
   * Only tasks whose id or input (its JSON text) contains this, letters compared without case
   * (every letter in memory and on PostgreSQL, ASCII letters on SQLite).
   */
  text?: string;
  parentId?: string;
  limit: number;
  /** The `seq` of the last task of the previous page. */
  beforeSeq?: number;
}

/**
 * What changed, published after the change commits. Carries no payloads (PostgreSQL NOTIFY has
 * an 8000-byte limit); listeners re-read the task when they need more.
 */
export interface TaskChange {
  taskId: string;
  owner: string;
  parentId: string | null;
  status: TaskStatus;
  kind: TaskChangeKind;
}

/**
 * - `created`: a new task exists (claimable once `runAt` passes).
 * - `runnable`: an existing task became claimable again (retry scheduled, lease released or rescued, input answered with no live handler).
 * - `status`: the status changed (including to a terminal status).
 * - `progress`: progress or status message changed.
 * - `input`: input requests or responses changed.
 * - `deleted`: the task was reaped.
 */
export type TaskChangeKind = 'created' | 'runnable' | 'status' | 'progress' | 'input' | 'deleted';

export type RequestInputResult = { answered: true; response: unknown } | { answered: false };

export interface RespondResult {
  task: TaskRecord;
  /** Keys that were outstanding and are now answered; other keys were ignored. */
  accepted: string[];
}

/**
 * A handler's successful result, ready to be committed by the application inside its own write
 * transaction (`completeInTransaction` of `@carrel/tasks/sqlite` or `@carrel/tasks/postgres`),
 * so that its final write and the task's completion commit together or not at all. Made by
 * `TaskContext.completion(result)`; plain data, so it can be posted to a worker thread.
 */
export interface TaskCompletion {
  readonly taskId: string;
  /** The attempt's lease holder: the completion wins only while this worker still holds the live task. */
  readonly worker: string;
  /** The result as it will be stored (its JSON form). */
  readonly outcome: { readonly result: unknown };
}

/**
 * For the `completeInTransaction` functions: a completion may come from another thread (a
 * structured clone), so its shape is checked, not its class.
 */
export function assertTaskCompletion(completion: unknown): asserts completion is TaskCompletion {
  const { taskId, worker, outcome } = (completion ?? {}) as Partial<TaskCompletion>;
  if (
    typeof taskId !== 'string' ||
    typeof worker !== 'string' ||
    typeof outcome !== 'object' ||
    outcome === null ||
    !('result' in outcome)
  ) {
    throw new InvalidArgumentError('completion', 'a TaskCompletion made by ctx.completion(result)');
  }
}

/** `insert`'s checks, made in the same atomic step as the insert. */
export interface InsertOptions {
  /** Live tasks the owner may have; null for no cap. */
  maxLivePerOwner: number | null;
  now: number;
}

export interface ClaimArgs {
  worker: string;
  /** Only tasks for these handlers are claimed. */
  handlers: readonly string[];
  limit: number;
  leaseMs: number;
  now: number;
  /** Only these tasks are claimed (a node that runs just the tasks it was given); omitted: any task. */
  ids?: readonly string[];
}

export interface HeartbeatArgs {
  worker: string;
  ids: readonly string[];
  leaseMs: number;
  now: number;
}

export interface CompleteArgs {
  id: string;
  /** The lease holder: nothing is written unless this worker still holds the task. */
  worker: string;
  status: 'completed' | 'failed';
  outcome: Outcome;
  statusMessage: string | null;
  now: number;
}

export interface RetryArgs {
  id: string;
  worker: string;
  runAt: number;
  error: TaskErrorObject;
  statusMessage: string;
  now: number;
}

export interface ReleaseArgs {
  id: string;
  worker: string;
  now: number;
}

export interface CancelArgs {
  id: string;
  /** Only a task visible to this owner at `now` is cancelled (`isVisibleTo`); any other is reported missing. */
  owner: string;
  statusMessage: string;
  now: number;
}

export interface CancelResult {
  /** The task after the call; null if it is missing, foreign or expired. */
  task: TaskRecord | null;
  /** False when the task was already terminal or is missing, foreign or expired. */
  changed: boolean;
}

export interface ProgressArgs {
  id: string;
  worker: string;
  /** Null leaves the stored progress as it is. */
  progress: TaskProgress | null;
  /** Null leaves the stored status message as it is. */
  statusMessage: string | null;
  now: number;
}

export interface RequestInputArgs {
  id: string;
  worker: string;
  key: string;
  request: unknown;
  now: number;
}

export interface ForgetInputArgs {
  id: string;
  key: string;
  now: number;
}

export interface RespondArgs {
  id: string;
  /** Answers by input request key. */
  responses: Record<string, unknown>;
  now: number;
}

export interface LeaseHoldersArgs {
  now: number;
}

export interface RescueArgs {
  now: number;
  /**
   * Workers known to be dead (the engine saw their process is gone): their leases are handled as
   * expired ones now, without waiting for them to run out.
   */
  deadWorkers?: readonly string[];
}

export interface ReapArgs {
  now: number;
  limit: number;
}

/** `countTasks`: whose tasks. */
export interface CountTasksArgs {
  /** Null counts every owner's tasks (an operator's view). */
  owner: string | null;
}

/** How many stored tasks (live and retained) have one handler and status; `leased` splits `working` into running and waiting. */
export interface TaskCount {
  handler: string;
  status: TaskStatus;
  /** Whether a worker holds the tasks' lease: for `working`, running (true) or waiting to be claimed (false). */
  leased: boolean;
  count: number;
}

/** `finishedTasks`: the tasks that became terminal in [since, until), newest first, at most `limit`. */
export interface FinishedTasksArgs {
  owner: string | null;
  since: number;
  until: number;
  limit: number;
}

/** The timing facts of a finished task, without its payloads. */
export interface FinishedTask {
  handler: string;
  status: 'completed' | 'failed' | 'cancelled';
  node: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number;
}

export interface TakeTokenArgs {
  /** Whose bucket: the owner creating tasks. */
  owner: string;
  /** Tokens added per minute (> 0). */
  perMinute: number;
  /** Tokens the bucket holds at most, and holds after a quiet period (≥ 1). */
  burst: number;
  now: number;
}

export interface TaskStore {
  /** Short backend name for messages and benchmarks: `memory`, `sqlite`, `postgres`. */
  readonly name: string;

  /** Applies pending migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * Inserts a task. In the same atomic step: a unique key whose window has passed is released,
   * a live unique key returns the existing task (`created: false`, enforced by a constraint),
   * `maxLivePerOwner` is checked (throws `TaskLimitError`), and a child is refused unless its
   * parent is live ({@link assertLiveParent}), in a way that orders it with a cancel of the parent:
   * either the cancel finds the child, or the insert finds the parent cancelled.
   */
  insert(task: NewTask, options: InsertOptions): Promise<InsertResult>;

  get(id: string): Promise<TaskRecord | null>;
  list(query: ListQuery): Promise<TaskRecord[]>;

  /** Stored tasks counted by handler, status and whether they are leased: one grouped query. */
  countTasks(args: CountTasksArgs): Promise<TaskCount[]>;

  /** The timing facts of tasks that finished in a window, newest first: the raw material of queue statistics. */
  finishedTasks(args: FinishedTasksArgs): Promise<FinishedTask[]>;

  /**
   * Leases up to `limit` claimable tasks: status `working`, no lease, `runAt <= now`, handler in
   * `handlers`. Increments `attempt`. Concurrent claimers never receive the same task.
   */
  claim(args: ClaimArgs): Promise<TaskRecord[]>;

  /** Extends the leases this worker holds on live tasks; returns the ids still held. */
  heartbeat(args: HeartbeatArgs): Promise<string[]>;

  /**
   * Writes the terminal outcome of an attempt, if the task is live and leased by `worker`.
   * Returns null when the result must be discarded (cancelled, reaped, lease lost).
   * Releases a unique key that has no time window.
   */
  complete(args: CompleteArgs): Promise<TaskRecord | null>;

  /** Schedules another attempt: back to `working`, lease cleared, `runAt` set, error kept. */
  retry(args: RetryArgs): Promise<boolean>;

  /** Gives a lease back without spending the attempt (graceful shutdown). */
  release(args: ReleaseArgs): Promise<boolean>;

  /**
   * Sets a live task and its live descendants to `cancelled`. `changed` is false when the task was
   * already terminal (then `task` is its unchanged record) or is missing, foreign or expired (`task`
   * null). The engine's cancel is this one call, so a backend should decide it in as few round trips
   * as it can: it is what a cancel's latency is made of.
   */
  cancel(args: CancelArgs): Promise<CancelResult>;

  /** Records progress and/or a status message for a task this worker holds. */
  progress(args: ProgressArgs): Promise<boolean>;

  /**
   * Asks for input under `key` on a task this worker holds: returns the stored answer if there is
   * one; otherwise stores the request (once per key) and moves the task to `input_required`.
   * Returns null if the worker no longer holds the task.
   */
  requestInput(args: RequestInputArgs): Promise<RequestInputResult | null>;

  /**
   * Answers outstanding input requests; unknown or already answered keys are ignored. When no
   * request is left outstanding the task returns to `working`; if its lease has expired it is made
   * claimable again without spending an attempt. Returns null if the task is missing.
   */
  respond(args: RespondArgs): Promise<RespondResult | null>;

  /**
   * Removes the request and the answer stored under `key`, whatever the task's status, as though
   * it had never been asked: a sensitive answer (a token) is kept only until its handler has it. A
   * backend overwrites what it can of the removed bytes (SQLite's secure_delete). Returns false
   * when the task is missing or holds nothing under `key`.
   */
  forgetInput(args: ForgetInputArgs): Promise<boolean>;

  /** The workers holding a lease on a live task that has not expired at `now`, each once. */
  leaseHolders(args: LeaseHoldersArgs): Promise<string[]>;

  /**
   * Handles leases that expired, or are held by one of `deadWorkers` (their worker died): a waiting `input_required` task is unleased
   * without spending the attempt; a `working` task is made claimable again, or `failed` when its
   * attempts are spent. Returns how many tasks it touched.
   */
  rescueExpiredLeases(args: RescueArgs): Promise<number>;

  /** Deletes up to `limit` tasks whose TTL has passed, whatever their status; returns their ids. */
  reapExpired(args: ReapArgs): Promise<string[]>;

  /** Listens to committed changes from every process using this store. Returns an unsubscribe. */
  subscribe(listener: (change: TaskChange) => void): () => void;

  /**
   * Spends one token of `owner`'s task-creation bucket (refilled at `perMinute`, holding at most
   * `burst`), kept in the store so that every process sharing it spends from the same bucket: a
   * cluster's rate limit, not one node's. A bucket taken under another limit refills by the new
   * one from now on. Returns 0 when a token was spent, else the milliseconds until one will be.
   */
  takeToken(args: TakeTokenArgs): Promise<number>;
}

/**
 * Refuses a child whose parent (`parent`, as stored, looked up by `parentId`) is gone or finished.
 * A handler on one node can spawn after another node cancelled its task and before the abort
 * arrives; without this the child would run on, under a cancelled parent, with nobody to cancel it.
 */
export function assertLiveParent(parentId: string, parent: { status: TaskStatus } | null | undefined): void {
  if (!parent) throw new TaskNotFoundError(parentId);
  if (isTerminal(parent.status)) throw new TaskTerminalError(parentId, parent.status);
}
