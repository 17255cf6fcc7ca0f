/**
 * `TaskEngine`: the public face of `@carrel/tasks`. It validates and persists tasks, scopes
 * every read and write to an owner (another owner's task is indistinguishable from a missing
 * one), wakes waiters by push, and runs registered handlers on this node.
 *
 * ```ts
 * const engine = new TaskEngine({ store: new MemoryTaskStore(), handlers: { resize: async (input, ctx) => … } });
 * await engine.start();
 * const { task } = await engine.create({ handler: 'resize', input: { path }, owner: 'alice' });
 * const done = await engine.waitForTerminal(task.id, 'alice');
 * ```
 *
 * @module
 */
import { hostname } from 'node:os';
import {
  EngineStoppedError,
  HandlerNotAllowedError,
  InvalidArgumentError,
  TaskNotFoundError,
  TaskNotRetryableError,
  TaskTerminalError,
} from '../errors.js';
import type { AnyTaskHandler, SpawnOptions } from '../handler.js';
import { handlerDefinition } from '../handler.js';
import { decodeCursor, encodeCursor, newTaskId } from '../ids.js';
import type { TaskChangeKind, TaskStore } from '../store.js';
import { isTaskStatus, isTerminal, isVisibleTo, type TaskRecord, type TaskStatus } from '../task.js';
import { exponentialBackoff, type Backoff } from './backoff.js';
import { ChangeHub } from './change-hub.js';
import { Maintenance } from './maintenance.js';
import { finishedSeries, handlerQueues, type QueueStats } from './queue-stats.js';
import { assertName, assertPayload } from './payload.js';
import { Runner } from './runner.js';
import { deadLocalWorkers } from './dead-workers.js';
import type { WorkflowDefinition } from './workflow.js';
import { workflowHandlers } from './workflow-handlers.js';

export interface TaskEngineOptions {
  store: TaskStore;
  /** The allowlist: only these handler names can be created or run. */
  handlers: Record<string, AnyTaskHandler>;
  /**
   * Workflows by name: a task created with a workflow's name as its handler runs the workflow's
   * steps as its child tasks (see `defineWorkflow`). Each step runs under the handler `<workflow>/<step>`.
   */
  workflows?: Record<string, WorkflowDefinition>;
  /** Handlers run at once on this node (default 4). 0 makes the engine a client only: it creates and reads tasks but runs none. */
  concurrency?: number;
  /**
   * Which tasks this node runs: `any` claimable task of its handlers (default), or only those
   * handed to `assign()` and their children (a command-line process that runs the task it
   * started and leaves everything else to the servers sharing the store).
   */
  runs?: 'any' | 'assigned';
  /**
   * Rescue at once the leases of workers on this host whose process has ended, instead of when
   * their lease runs out (default false). Only for hosts where every process using the store
   * under this host name shares one process table (not containers sharing a host name).
   */
  rescueDeadLocalWorkers?: boolean;
  /** A lease not renewed for this long is taken to mean its worker died (default 30 s). */
  leaseMs?: number;
  /** Claim poll and wait re-check when no change notification arrives (default 1 s). */
  pollMs?: number;
  /** Lease rescue and TTL reaping interval (default 1 s). */
  maintenanceMs?: number;
  /** TTL given to tasks created without one (default 1 hour; null keeps them). */
  defaultTtlMs?: number | null;
  /** Longer requested TTLs are clamped to this (default 7 days). */
  maxTtlMs?: number;
  /** The polling hint handed to clients (default 1 s). */
  pollIntervalMs?: number;
  defaultMaxAttempts?: number;
  backoff?: Backoff;
  /** Largest input, result, input request or response, as JSON bytes (default 4 MiB). */
  maxPayloadBytes?: number;
  /** Live (working or input_required) tasks one owner may have (default 1000; null = no cap). */
  maxLiveTasksPerOwner?: number | null;
  /** Receives unexpected errors from background loops (default: console.error). */
  onError?: (error: unknown) => void;
}

export interface CreateTaskRequest {
  handler: string;
  input: unknown;
  owner: string;
  /** Retention from creation in ms; null keeps the task; omitted uses the engine default. */
  ttlMs?: number | null;
  /** A second create with the same key (same owner) inside the window returns the existing task. */
  uniqueKey?: string;
  /** How long the unique key is held from creation; omitted holds it until the task is terminal. */
  uniqueWindowMs?: number;
  maxAttempts?: number;
  parentId?: string;
  /** Opaque facts for the protocol layer (era, progress token); not interpreted by the engine. */
  meta?: Record<string, unknown>;
}

export interface ListTasksRequest {
  owner: string;
  status?: TaskStatus | readonly TaskStatus[];
  /** Only tasks of this handler, or of one of these. */
  handler?: string | readonly string[];
  /**
   * Only tasks whose id or input (as JSON text) contains this, letters compared without case
   * (every letter in memory and on PostgreSQL, ASCII letters on SQLite); 1 to 256 characters.
   */
  text?: string;
  /** Only the children of this task. */
  parentId?: string;
  limit?: number;
  cursor?: string;
}

/** What `queueStats` counts: whose tasks, and the window its time series cover. */
export interface QueueStatsRequest {
  /** The owner whose tasks are counted; null counts every owner's (an operator's view, never a caller's). */
  owner: string | null;
  /** The window's start (epoch ms): tasks that finished since then are bucketed. At most 7 days ago. */
  since: number;
  /** The width of one bucket in ms; the window holds at most 1,440 buckets. */
  bucketMs: number;
}

export interface TaskPage {
  tasks: TaskRecord[];
  nextCursor?: string;
}

export interface TaskEvent {
  kind: Exclude<TaskChangeKind, 'runnable'>;
  /** The task as it is now; null once deleted. */
  task: TaskRecord | null;
  taskId: string;
}

const MAX_LIST_LIMIT = 200;
const MAX_TEXT_LENGTH = 256;
/** Queue statistics' bounds: the window, its buckets, and the finished tasks read for its series. */
const MAX_STATS_WINDOW_MS = 7 * 24 * 3_600_000;
const MAX_STATS_BUCKETS = 1_440;
const MAX_STATS_FINISHED = 100_000;
const MAX_ATTEMPTS_LIMIT = 100;

export class TaskEngine {
  readonly store: TaskStore;
  readonly worker = `${hostname()}:${process.pid}:${newTaskId().slice(0, 8)}`;
  readonly #handlers: ReadonlyMap<string, AnyTaskHandler>;
  readonly #hub: ChangeHub;
  readonly #runner: Runner | null;
  readonly #maintenance: Maintenance;
  readonly #o: Required<
    Omit<TaskEngineOptions, 'store' | 'handlers' | 'workflows' | 'backoff' | 'onError' | 'runs' | 'rescueDeadLocalWorkers'>
  > & {
    onError: (error: unknown) => void;
  };
  #state: 'new' | 'started' | 'stopped' = 'new';

  constructor(options: TaskEngineOptions) {
    this.store = options.store;
    const handlers = new Map(Object.entries(options.handlers));
    for (const [name, handler] of workflowHandlers(options.workflows ?? {})) {
      if (handlers.has(name)) throw new InvalidArgumentError(`workflows`, `names no handler has ('${name}' is taken)`);
      handlers.set(name, handler);
    }
    this.#handlers = handlers;
    this.#o = {
      concurrency: options.concurrency ?? 4,
      leaseMs: options.leaseMs ?? 30_000,
      pollMs: options.pollMs ?? 1_000,
      maintenanceMs: options.maintenanceMs ?? 1_000,
      defaultTtlMs: options.defaultTtlMs === undefined ? 3_600_000 : options.defaultTtlMs,
      maxTtlMs: options.maxTtlMs ?? 7 * 24 * 3_600_000,
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      defaultMaxAttempts: options.defaultMaxAttempts ?? 3,
      maxPayloadBytes: options.maxPayloadBytes ?? 4 * 1024 * 1024,
      maxLiveTasksPerOwner: options.maxLiveTasksPerOwner === undefined ? 1_000 : options.maxLiveTasksPerOwner,
      onError: options.onError ?? ((error) => console.error('[carrel/tasks]', error)),
    };
    this.#hub = new ChangeHub(this.store, this.#o.pollMs, this.#o.onError);
    const now = () => Date.now();
    this.#maintenance = new Maintenance({
      store: this.store,
      intervalMs: this.#o.maintenanceMs,
      reapBatch: 500,
      now,
      ...(options.rescueDeadLocalWorkers === true && { deadWorkers: (holders: string[]) => deadLocalWorkers(holders) }),
      onError: this.#o.onError,
    });
    this.#runner =
      this.#o.concurrency > 0
        ? new Runner({
            store: this.store,
            hub: this.#hub,
            handlers: this.#handlers,
            worker: this.worker,
            concurrency: this.#o.concurrency,
            assignedOnly: options.runs === 'assigned',
            leaseMs: this.#o.leaseMs,
            heartbeatMs: Math.max(10, Math.floor(this.#o.leaseMs / 3)),
            pollMs: this.#o.pollMs,
            backoff: options.backoff ?? exponentialBackoff(),
            now,
            assertPayload: (what, value) => this.#assertPayload(what, value),
            createChild: (parent, handler, input, spawn) => this.#createChild(parent, handler, input, spawn),
            adoptChild: (parent, child) => {
              if (this.#runner?.isAssigned(parent.id)) this.#runner.assign(child.id);
            },
            onError: this.#o.onError,
          })
        : null;
  }

  /** Migrates the store and starts running handlers and upkeep on this node. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error(`TaskEngine.start() called on a ${this.#state} engine`);
    await this.store.migrate();
    this.#state = 'started';
    this.#maintenance.start();
    this.#runner?.start();
  }

  /**
   * Stops claiming work, gives running handlers `drainMs` to finish, then aborts the rest and
   * hands their leases back so another node (or the next start) resumes them without spending an
   * attempt; handlers that ignore the abort get `graceMs` more. The store stays open.
   */
  async stop({ drainMs = 0, graceMs = 2_000 }: { drainMs?: number; graceMs?: number } = {}): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    await this.#runner?.stop(drainMs, graceMs);
    await this.#maintenance.stop();
    this.#hub.close();
  }

  /** Persists a task before returning it. `created` is false when a live unique key matched. */
  async create(request: CreateTaskRequest): Promise<{ task: TaskRecord; created: boolean }> {
    return this.#create(request, null);
  }

  async #create(request: CreateTaskRequest, retryOf: string | null): Promise<{ task: TaskRecord; created: boolean }> {
    this.#assertOpen();
    const definition = this.#handlers.get(request.handler);
    if (!definition) throw new HandlerNotAllowedError(String(request.handler));
    assertOwner(request.owner);
    const ttlMs = this.#ttl(request.ttlMs);
    const maxAttempts = request.maxAttempts ?? handlerDefinition(definition).maxAttempts ?? this.#o.defaultMaxAttempts;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT)
      throw new InvalidArgumentError('maxAttempts', `an integer from 1 to ${MAX_ATTEMPTS_LIMIT}`);
    if (request.uniqueKey !== undefined) assertName('uniqueKey', request.uniqueKey, 512);
    if (request.uniqueWindowMs !== undefined && !(Number.isInteger(request.uniqueWindowMs) && request.uniqueWindowMs > 0)) {
      throw new InvalidArgumentError('uniqueWindowMs', 'a positive integer number of milliseconds');
    }
    if (request.meta !== undefined && (typeof request.meta !== 'object' || request.meta === null || Array.isArray(request.meta)))
      throw new InvalidArgumentError('meta', 'a plain object');
    if (request.parentId !== undefined) await this.get(request.parentId, request.owner);
    this.#assertPayload('input', request.input);
    this.#assertPayload('meta', request.meta ?? {});
    const now = Date.now();
    return this.store.insert(
      {
        id: newTaskId(),
        owner: request.owner,
        handler: request.handler,
        input: request.input === undefined ? null : request.input,
        createdAt: now,
        ttlMs,
        expiresAt: ttlMs === null ? null : now + ttlMs,
        pollIntervalMs: this.#o.pollIntervalMs,
        maxAttempts,
        runAt: now,
        uniqueKey: request.uniqueKey ?? null,
        uniqueUntil: request.uniqueKey !== undefined && request.uniqueWindowMs !== undefined ? now + request.uniqueWindowMs : null,
        parentId: request.parentId ?? null,
        meta: request.meta ?? {},
        retryOf,
      },
      { maxLivePerOwner: this.#o.maxLiveTasksPerOwner, now },
    );
  }

  /** The owner's task; throws `TaskNotFoundError` for a missing, expired or foreign one. */
  async get(id: string, owner: string): Promise<TaskRecord> {
    this.#assertOpen();
    const task = isTaskIdShaped(id) ? await this.store.get(id) : null;
    if (!task || !isVisibleTo(task, owner, Date.now())) throw new TaskNotFoundError(String(id));
    return task;
  }

  /**
   * Any owner's task: an operator's view, like {@link listAcrossOwners}, never a caller's. Throws
   * `TaskNotFoundError` for a missing or expired one.
   */
  async getAcrossOwners(id: string): Promise<TaskRecord> {
    this.#assertOpen();
    const task = isTaskIdShaped(id) ? await this.store.get(id) : null;
    if (!task || !isVisibleTo(task, task.owner, Date.now())) throw new TaskNotFoundError(String(id));
    return task;
  }

  /** The owner's tasks, newest first. The cursor stays valid while new tasks are created. */
  async list(request: ListTasksRequest): Promise<TaskPage> {
    this.#assertOpen();
    assertOwner(request.owner);
    return this.#list(request.owner, request);
  }

  /**
   * Every owner's tasks, newest first: an operator's view (`carrel tasks list --all-owners`), for
   * code that speaks for whoever runs the node, never for a caller. Every other method is scoped to
   * one owner.
   */
  async listAcrossOwners(request: Omit<ListTasksRequest, 'owner'> = {}): Promise<TaskPage> {
    this.#assertOpen();
    return this.#list(null, request);
  }

  /**
   * A new task with the failed or cancelled task's handler, input, owner, attempts, retention and
   * meta, linked to it by `retryOf`; the old task is left exactly as it was. Throws
   * `TaskNotRetryableError` for a live or completed task, `TaskNotFoundError` for one the owner cannot see.
   */
  async retry(id: string, owner: string): Promise<TaskRecord> {
    const old = await this.get(id, owner);
    if (old.status !== 'failed' && old.status !== 'cancelled') throw new TaskNotRetryableError(old.id, old.status);
    const { task } = await this.#create(
      { handler: old.handler, input: old.input, owner, ttlMs: old.ttlMs, maxAttempts: old.maxAttempts, meta: old.meta },
      old.id,
    );
    return task;
  }

  /**
   * How many tasks each handler has in each state now (live and retained ones), and over the
   * window from `since`, per bucket of finish time: completed and failed counts and wait and run
   * time percentiles per handler, and completions per node. Its cost is bounded by the window:
   * at most 7 days, 1,440 buckets, and the newest 100,000 finished tasks (`truncated` beyond).
   */
  async queueStats({ owner, since, bucketMs }: QueueStatsRequest): Promise<QueueStats> {
    this.#assertOpen();
    if (owner !== null) assertOwner(owner);
    const now = Date.now();
    if (!Number.isInteger(since) || since >= now || now - since > MAX_STATS_WINDOW_MS)
      throw new InvalidArgumentError('since', 'an epoch-millisecond time in the past, at most 7 days ago');
    if (!Number.isInteger(bucketMs) || bucketMs <= 0 || Math.ceil((now - since) / bucketMs) > MAX_STATS_BUCKETS)
      throw new InvalidArgumentError(
        'bucketMs',
        `a positive integer number of milliseconds, at most ${MAX_STATS_BUCKETS} buckets in the window`,
      );
    const buckets = Math.ceil((now - since) / bucketMs);
    const until = since + buckets * bucketMs;
    const [counts, finished] = await Promise.all([
      this.store.countTasks({ owner }),
      this.store.finishedTasks({ owner, since, until, limit: MAX_STATS_FINISHED + 1 }),
    ]);
    const truncated = finished.length > MAX_STATS_FINISHED;
    const window = { start: since, bucketMs, buckets };
    return {
      now,
      handlers: handlerQueues(counts),
      series: { ...window, ...finishedSeries(finished.slice(0, MAX_STATS_FINISHED), window), truncated },
    };
  }

  /**
   * Runs the task on this node: with `runs: 'assigned'` a node claims only the tasks it was given
   * (and their children); with `runs: 'any'` this only wakes the claim loop. The task must be the
   * owner's. Returns at once; follow it with `waitForTerminal`.
   */
  async assign(id: string, owner: string): Promise<void> {
    await this.get(id, owner);
    this.#runner?.assign(id);
  }

  async #list(owner: string | null, request: Omit<ListTasksRequest, 'owner'>): Promise<TaskPage> {
    const limit = request.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
      throw new InvalidArgumentError('limit', `an integer from 1 to ${MAX_LIST_LIMIT}`);
    const statuses = request.status === undefined ? undefined : typeof request.status === 'string' ? [request.status] : [...request.status];
    if (statuses && (statuses.length === 0 || !statuses.every(isTaskStatus)))
      throw new InvalidArgumentError('status', 'one or more of working, input_required, completed, failed, cancelled');
    const handlers =
      request.handler === undefined ? undefined : typeof request.handler === 'string' ? [request.handler] : [...request.handler];
    if (handlers && (handlers.length === 0 || !handlers.every((h) => typeof h === 'string' && h.length > 0)))
      throw new InvalidArgumentError('handler', 'one or more handler names');
    const { text, parentId } = request;
    if (text !== undefined && (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT_LENGTH))
      throw new InvalidArgumentError('text', `a string of 1 to ${MAX_TEXT_LENGTH} characters`);
    if (parentId !== undefined && typeof parentId !== 'string') throw new InvalidArgumentError('parentId', 'a task id');
    const beforeSeq = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
    const now = Date.now();
    const rows = await this.store.list({
      owner,
      ...(statuses && { statuses }),
      ...(handlers && { handlers }),
      ...(text !== undefined && { text }),
      ...(parentId !== undefined && { parentId }),
      limit: limit + 1,
      ...(beforeSeq !== undefined && { beforeSeq }),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      tasks: page.filter((t) => t.expiresAt === null || t.expiresAt > now),
      ...(rows.length > limit && last && { nextCursor: encodeCursor(last.seq) }),
    };
  }

  /**
   * Sets the task (and its live children) to `cancelled` before returning, and aborts the running
   * handler wherever it runs. Throws `TaskTerminalError` if the task had already finished.
   */
  async cancel(id: string, owner: string, statusMessage = 'Cancelled by request'): Promise<TaskRecord> {
    this.#assertOpen();
    // One store call, which checks the owner itself: no read before it, as a cancel's latency
    // (until the handler on another node is aborted) is its round trips.
    const { task, changed } = isTaskIdShaped(id)
      ? await this.store.cancel({ id, owner, statusMessage, now: Date.now() })
      : { task: null, changed: false };
    if (!task) throw new TaskNotFoundError(String(id));
    if (!changed) throw new TaskTerminalError(id, task.status);
    return task;
  }

  /** Answers input requests by key. Unknown or already answered keys are ignored and reported. */
  async respond(
    id: string,
    owner: string,
    responses: Record<string, unknown>,
  ): Promise<{ task: TaskRecord; accepted: string[]; ignored: string[] }> {
    if (typeof responses !== 'object' || responses === null || Array.isArray(responses))
      throw new InvalidArgumentError('responses', 'an object keyed by input request key');
    this.#assertPayload('input response', responses);
    await this.get(id, owner);
    const result = await this.store.respond({ id, responses, now: Date.now() });
    if (!result) throw new TaskNotFoundError(id);
    return { ...result, ignored: Object.keys(responses).filter((key) => !result.accepted.includes(key)) };
  }

  /** Resolves once the task is terminal; woken by the change feed, not a poll loop. */
  async waitForTerminal(id: string, owner: string, { signal }: { signal?: AbortSignal } = {}): Promise<TaskRecord> {
    // No look before the wait: its first check rejects an unknown task, and a look failing in a
    // database restart would end a wait that is meant to outlive one.
    return this.#hub.waitFor(
      id,
      async () => {
        const task = await this.get(id, owner);
        return isTerminal(task.status) ? task : undefined;
      },
      signal,
    );
  }

  /**
   * Calls `listener` for each status, progress, input and deletion change of the owner's tasks
   * (of one task, if `taskId` is given), from any process sharing the store, and with `created`
   * for each new task too (a live list shows it before it first changes; one more read per task).
   * Returns an unsubscribe.
   */
  watch(filter: { owner: string; taskId?: string; created?: boolean }, listener: (event: TaskEvent) => void): () => void {
    assertOwner(filter.owner);
    return this.#watch(filter.owner, filter, listener);
  }

  /**
   * {@link watch} for every owner's tasks: an operator's view, like {@link listAcrossOwners},
   * never a caller's.
   */
  watchAcrossOwners(filter: { created?: boolean }, listener: (event: TaskEvent) => void): () => void {
    return this.#watch(null, filter, listener);
  }

  #watch(owner: string | null, filter: { taskId?: string; created?: boolean }, listener: (event: TaskEvent) => void): () => void {
    const onChange = (change: { taskId: string; owner: string; kind: TaskChangeKind }) => {
      if ((owner !== null && change.owner !== owner) || change.kind === 'runnable' || (change.kind === 'created' && !filter.created))
        return;
      const kind = change.kind;
      if (kind === 'deleted') return listener({ kind, taskId: change.taskId, task: null });
      void this.store.get(change.taskId).then(
        (task) => listener({ kind, taskId: change.taskId, task }),
        (error: unknown) => this.#o.onError(error),
      );
    };
    return filter.taskId === undefined ? this.#hub.onAny(onChange) : this.#hub.onTask(filter.taskId, onChange);
  }

  /** Runs lease rescue and TTL reaping now (they also run on a timer). */
  runMaintenance(): Promise<void> {
    return this.#maintenance.runOnce();
  }

  async #createChild(parent: TaskRecord, handler: string, input: unknown, options: SpawnOptions): Promise<TaskRecord> {
    const { task } = await this.create({
      handler,
      input,
      owner: parent.owner,
      ttlMs: parent.expiresAt === null ? null : Math.max(1, parent.expiresAt - Date.now()),
      parentId: parent.id,
      ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
      ...(options.uniqueKey !== undefined && { uniqueKey: options.uniqueKey }),
    });
    if (this.#runner?.isAssigned(parent.id)) this.#runner.assign(task.id);
    return task;
  }

  #ttl(requested: number | null | undefined): number | null {
    if (requested === undefined) return this.#o.defaultTtlMs;
    if (requested === null) return null;
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested <= 0)
      throw new InvalidArgumentError('ttlMs', 'a positive integer number of milliseconds, or null');
    return Math.min(requested, this.#o.maxTtlMs);
  }

  #assertPayload(what: string, value: unknown): void {
    assertPayload(what, value, this.#o.maxPayloadBytes);
  }

  #assertOpen(): void {
    if (this.#state === 'stopped') throw new EngineStoppedError();
  }
}

function assertOwner(owner: unknown): asserts owner is string {
  assertName('owner', owner, 256);
}

/** Whether `id` can be a stored task's id; anything else is not found without asking the store. */
function isTaskIdShaped(id: unknown): id is string {
  return typeof id === 'string' && id.length <= 64;
}
