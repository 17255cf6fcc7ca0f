/**
 * The task record and its state machine: every status, every legal move, in one place.
 *
 * ```
 *            ┌──────────────── input_required ───────────────┐
 *            │                  ▲        │                   │
 *            ▼                  │        ▼                   ▼
 *  create ─▶ working ───────────┘     working ─▶ completed | failed | cancelled
 * ```
 *
 * `working` covers queued, running and waiting-for-retry: a failed attempt that will be
 * retried stays `working` with a status message. `completed`, `failed` and `cancelled` are
 * terminal and never change again. Backends enforce these moves with compare-and-set updates
 * whose expected statuses come from the constants below, so no backend re-derives the rules.
 *
 * @module
 */

/** Every status a task can have; the same five in both MCP protocol eras. */
export const TASK_STATUSES = ['working', 'input_required', 'completed', 'failed', 'cancelled'] as const;

export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses from which a task can still move. */
export const LIVE_STATUSES = ['working', 'input_required'] as const satisfies readonly TaskStatus[];

/** Statuses that never change again. */
export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly TaskStatus[];

export type LiveStatus = (typeof LIVE_STATUSES)[number];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  working: ['input_required', 'completed', 'failed', 'cancelled'],
  input_required: ['working', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** Whether `from → to` is a legal move. Staying in `working` (retry, progress) is not a move. */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a task must be in for a move to `to` to be legal: the compare-and-set guard. */
export function statusesLeadingTo(to: TaskStatus): TaskStatus[] {
  return TASK_STATUSES.filter((from) => canTransition(from, to));
}

export function isTerminal(status: TaskStatus): status is TerminalStatus {
  return TRANSITIONS[status].length === 0;
}

/**
 * Whether `owner` may see and act on `task` at `now`: its own, and not past its retention (an
 * expired task is gone to its owner before the reaper deletes it). A foreign or expired task is
 * reported as not found. Backends that decide this inside a statement write the same test as
 * `owner = $owner AND (expires_at IS NULL OR expires_at > $now)`; the contract suite checks
 * every backend against it.
 */
export function isVisibleTo(task: Pick<TaskRecord, 'owner' | 'expiresAt'>, owner: string, now: number): boolean {
  return task.owner === owner && (task.expiresAt === null || task.expiresAt > now);
}

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === 'string' && (TASK_STATUSES as readonly string[]).includes(value);
}

/** A JSON-RPC-shaped error: what a failed task stores and what `tasks/result` replays. */
export interface TaskErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * What a finished attempt produced, normalized before it touches the store: the handler's
 * return value, or the error it threw. Stored once; protocol layers project it per era.
 */
export type Outcome = { result: unknown } | { error: TaskErrorObject };

export interface TaskProgress {
  current: number;
  total?: number;
  message?: string;
}

/** One outstanding or answered request for input, keyed by the handler's own key. */
export interface InputRequestRecord {
  request: unknown;
  requestedAt: number;
}

export interface Lease {
  worker: string;
  expiresAt: number;
}

/**
 * The protocol-neutral task record, as the store holds it. Times are epoch milliseconds.
 * `meta` is opaque to the engine: protocol layers keep their own facts there (era, progress token).
 */
export interface TaskRecord {
  id: string;
  /**
   * The store's creation order: assigned at insert, only ever grows, never reused (a per-store
   * counter in memory, a sequence in SQLite, an identity column in PostgreSQL). Lists are ordered
   * by it, newest first, and their cursors point into it; `createdAt` cannot do that, as tasks
   * created in the same millisecond share it.
   */
  seq: number;
  owner: string;
  handler: string;
  input: unknown;
  status: TaskStatus;
  statusMessage: string | null;
  progress: TaskProgress | null;
  createdAt: number;
  updatedAt: number;
  /** Retention from creation; null keeps the task until it is deleted. */
  ttlMs: number | null;
  expiresAt: number | null;
  pollIntervalMs: number;
  /** How many times a handler has been started for this task. */
  attempt: number;
  maxAttempts: number;
  /** Not claimable before this time (retry backoff). */
  runAt: number;
  lease: Lease | null;
  uniqueKey: string | null;
  /** The unique key is held until this time; null holds it until the task is terminal. */
  uniqueUntil: number | null;
  outcome: Outcome | null;
  /** The error of the most recent failed attempt, kept while the task retries. */
  lastError: TaskErrorObject | null;
  inputRequests: Record<string, InputRequestRecord>;
  inputResponses: Record<string, unknown>;
  parentId: string | null;
  meta: Record<string, unknown>;
  /** When a worker first claimed the task (its first attempt); null until then, and for tasks stored before this was kept. */
  startedAt: number | null;
  /** When the task became terminal; null while it is live. */
  finishedAt: number | null;
  /** The worker that claimed the task last (see `TaskEngine.worker`); null until claimed. */
  node: string | null;
  /** The task this one retries (`TaskEngine.retry`); null for a task created afresh. */
  retryOf: string | null;
}

/** The keys of input requests that have no answer yet. */
export function outstandingInputKeys(task: Pick<TaskRecord, 'inputRequests' | 'inputResponses'>): string[] {
  return Object.keys(task.inputRequests).filter((key) => !Object.hasOwn(task.inputResponses, key));
}

/**
 * Stores `value` under a client-chosen `key` as an own, enumerable property. Plain assignment
 * would treat `__proto__` as the prototype rather than a key.
 */
export function setOwnEntry<T>(entries: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(entries, key, { value, enumerable: true, writable: true, configurable: true });
}
