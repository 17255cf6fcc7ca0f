/**
 * Builds the `TaskContext` a running handler receives: coalesced progress writes, durable input
 * requests, child tasks whose progress rolls up into the parent's, and completions for a handler
 * that commits its result in its own transaction.
 *
 * @module
 */
import { ChildTaskError, TaskAbortedError } from '../errors.js';
import type { ChildProgress, ChildTask, InputOptions, SpawnOptions, TaskContext, TaskHandlerDefinition } from '../handler.js';
import type { TaskCompletion, TaskStore } from '../store.js';
import { isTerminal, type TaskProgress, type TaskRecord } from '../task.js';
import type { ChangeHub } from './change-hub.js';

export interface ContextDeps {
  store: TaskStore;
  hub: ChangeHub;
  worker: string;
  now(): number;
  assertPayload(what: string, value: unknown): void;
  createChild(parent: TaskRecord, handler: string, input: unknown, options: SpawnOptions): Promise<TaskRecord>;
  /** A live child spawned by an earlier attempt belongs to this one again (a node with `runs: 'assigned'` runs it). */
  adoptChild(parent: TaskRecord, child: TaskRecord): void;
  /** Wraps a wait of the attempt of task `id` on something outside its handler (input, a child), during which it needs no slot. */
  idle<T>(id: string, wait: Promise<T>): Promise<T>;
  /** Hears the failures of work no handler awaits: taking in a child's progress. */
  onError(error: unknown): void;
}

/** Created per attempt; `dispose` stops child watchers when the attempt ends and waits for their writes. */
export class AttemptContext implements TaskContext {
  readonly taskId: string;
  readonly owner: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly meta: Readonly<Record<string, unknown>>;

  #own: TaskProgress | null = null;
  #message: string | null = null;
  /** In the order they last changed, the latest last. */
  readonly #children = new Map<string, ChildProgress>();
  /** Children spawned with a key, by key, from earlier attempts and this one: loaded at the first keyed spawn. */
  #keyed: Promise<Map<string, TaskRecord>> | null = null;
  readonly #disposers: Array<() => void> = [];
  /** Child refreshes under way: no handler awaits them, so the attempt does before it ends. */
  readonly #refreshing = new Set<Promise<void>>();
  #disposed = false;
  #writing: Promise<void> | null = null;
  #dirty = false;
  #completionTaken = false;

  constructor(
    private readonly task: TaskRecord,
    readonly signal: AbortSignal,
    private readonly deps: ContextDeps,
    private readonly rollUp?: TaskHandlerDefinition<unknown, unknown>['rollUp'],
  ) {
    this.taskId = task.id;
    this.owner = task.owner;
    this.attempt = task.attempt;
    this.maxAttempts = task.maxAttempts;
    this.meta = task.meta;
    this.#own = task.progress;
  }

  progress(current: number, total?: number, message?: string): Promise<void> {
    if (!Number.isFinite(current) || (total !== undefined && !Number.isFinite(total))) {
      return Promise.reject(new TypeError('progress(current, total) takes finite numbers'));
    }
    this.#own = { current, ...(total !== undefined && { total }), ...(message !== undefined && { message }) };
    if (message !== undefined) this.#message = message;
    return this.#flush();
  }

  setStatusMessage(message: string): Promise<void> {
    this.#message = message;
    return this.#flush();
  }

  async requestInput<T = unknown>(key: string, request: unknown, options: InputOptions = {}): Promise<T> {
    if (typeof key !== 'string' || key.length === 0 || key.length > 200)
      throw new TypeError('requestInput key must be a string of 1 to 200 characters');
    this.deps.assertPayload('input request', request);
    this.signal.throwIfAborted();
    const stored = await this.deps.store.requestInput({ id: this.taskId, worker: this.deps.worker, key, request, now: this.deps.now() });
    if (stored === null) throw this.signal.aborted ? this.signal.reason : new TaskAbortedError('lease_lost');
    const response = stored.answered ? (stored.response as T) : await this.#answer<T>(key);
    // Removed before the handler can fail or write anything with it; a crash before this line
    // leaves the answer stored until the re-run handler takes it.
    if (options.sensitive === true) await this.deps.store.forgetInput({ id: this.taskId, key, now: this.deps.now() });
    return response;
  }

  /** Waits, needing no slot, until the client answers the request under `key`. */
  async #answer<T>(key: string): Promise<T> {
    const answered = this.deps.hub.waitFor(
      this.taskId,
      async () => {
        const task = await this.deps.store.get(this.taskId);
        if (!task || isTerminal(task.status))
          throw this.signal.aborted ? this.signal.reason : new TaskAbortedError(task ? 'cancelled' : 'expired');
        return Object.hasOwn(task.inputResponses, key) ? { response: task.inputResponses[key] as T } : undefined;
      },
      this.signal,
    );
    return (await this.deps.idle(this.taskId, answered)).response;
  }

  async spawn(handler: string, input: unknown, options: SpawnOptions = {}): Promise<ChildTask> {
    this.signal.throwIfAborted();
    const child =
      options.key === undefined
        ? await this.deps.createChild(this.task, handler, input, options)
        : await this.#keyedChild(handler, input, options.key, options);
    this.#children.set(child.id, { id: child.id, key: options.key ?? null, status: child.status, progress: child.progress });
    this.#disposers.push(
      this.deps.hub.onTask(child.id, (change) => {
        if (change.kind === 'progress' || change.kind === 'status') this.#watchChild(child.id);
      }),
    );
    // The child may already have run and reported before the listener was attached.
    this.#watchChild(child.id);
    const result = () =>
      this.deps
        .idle(
          this.taskId,
          this.deps.hub.waitFor(
            child.id,
            async () => {
              const current = await this.deps.store.get(child.id);
              if (!current) throw new ChildTaskError(child.id, 'cancelled', { code: -32602, message: 'Child task expired' });
              if (!isTerminal(current.status)) return undefined;
              // Before the awaiter hears of it, so a progress write that follows already counts the child as ended.
              this.#noteChild(current);
              if (current.status === 'completed' && current.outcome && 'result' in current.outcome)
                return { value: current.outcome.result };
              throw new ChildTaskError(
                child.id,
                current.status,
                current.outcome && 'error' in current.outcome ? current.outcome.error : null,
              );
            },
            this.signal,
          ),
        )
        .then((found) => found.value);
    const cancel = async (statusMessage = 'Cancelled by its parent task') => {
      await this.deps.store.cancel({ id: child.id, owner: child.owner, statusMessage, now: this.deps.now() });
    };
    return { id: child.id, result, cancel };
  }

  /**
   * The child spawned under `key` by this task before (in this attempt or an earlier one), or a
   * new one. The key lives in the child's unique key: while the child is live the store itself
   * refuses a second one, and once it is terminal the parent's list of children still finds it.
   */
  async #keyedChild(handler: string, input: unknown, key: string, options: SpawnOptions): Promise<TaskRecord> {
    if (typeof key !== 'string' || key.length === 0 || key.length > 200)
      throw new TypeError('spawn key must be a string of 1 to 200 characters');
    if (options.uniqueKey !== undefined) throw new TypeError('spawn takes a key or a uniqueKey, not both');
    this.#keyed ??= this.#loadKeyedChildren();
    const keyed = await this.#keyed;
    const earlier = keyed.get(key);
    if (earlier) {
      if (!isTerminal(earlier.status)) this.deps.adoptChild(this.task, earlier);
      return earlier;
    }
    const child = await this.deps.createChild(this.task, handler, input, { ...options, uniqueKey: childUniqueKey(this.taskId, key) });
    keyed.set(key, child);
    return child;
  }

  async #loadKeyedChildren(): Promise<Map<string, TaskRecord>> {
    const prefix = childUniqueKey(this.taskId, '');
    const keyed = new Map<string, TaskRecord>();
    let beforeSeq: number | undefined;
    for (;;) {
      const page = await this.deps.store.list({
        owner: this.owner,
        parentId: this.taskId,
        limit: CHILD_PAGE,
        ...(beforeSeq !== undefined && { beforeSeq }),
      });
      for (const child of page) {
        // Newest first: an older child under the same key (one that ended before a race made another) loses.
        const key = child.uniqueKey?.startsWith(prefix) ? child.uniqueKey.slice(prefix.length) : null;
        if (key !== null && !keyed.has(key)) keyed.set(key, child);
      }
      if (page.length < CHILD_PAGE) return keyed;
      beforeSeq = page.at(-1)!.seq;
    }
  }

  completion(result: unknown): TaskCompletion {
    const outcome = { result: result === undefined ? null : result };
    this.deps.assertPayload('result', outcome);
    this.#completionTaken = true;
    // Its JSON form: what a store keeps, and always fit for structuredClone (postMessage).
    return { taskId: this.taskId, worker: this.deps.worker, outcome: JSON.parse(JSON.stringify(outcome)) as { result: unknown } };
  }

  /** Whether the handler took a completion: its result is then committed by the application, not by the runner. */
  get completionTaken(): boolean {
    return this.#completionTaken;
  }

  /**
   * Stops watching children and waits for the writes already begun (the handler's own included):
   * the runner then writes the outcome after them, and a store closed once the engine stops is
   * closed under no write of this attempt.
   */
  async dispose(): Promise<void> {
    this.#disposed = true;
    for (const dispose of this.#disposers.splice(0)) dispose();
    await Promise.allSettled([...this.#refreshing, this.#writing]);
  }

  #watchChild(childId: string): void {
    if (this.#disposed) return;
    const refresh = this.#refreshChild(childId)
      .catch((error: unknown) => this.deps.onError(error))
      .finally(() => this.#refreshing.delete(refresh));
    this.#refreshing.add(refresh);
  }

  async #refreshChild(childId: string): Promise<void> {
    const child = await this.deps.store.get(childId);
    // The attempt ended during the read: what it shows now is its outcome's to say.
    if (this.#disposed || !child || !this.#noteChild(child)) return;
    if (child.progress?.message) this.#message = child.progress.message;
    await this.#flush();
  }

  /** Takes in the child's status and progress, moving it to the end (the latest changed); false if it is not this task's. */
  #noteChild(child: TaskRecord): boolean {
    const known = this.#children.get(child.id);
    if (!known) return false;
    // A read begun before the child ended can finish after its end was taken in: an ended child stays ended.
    if (isTerminal(known.status)) return true;
    this.#children.delete(child.id);
    this.#children.set(child.id, { ...known, status: child.status, progress: child.progress });
    return true;
  }

  /** By default, own progress plus every child's, so a parent shows the sum of the work it fanned out. */
  #rolledUp(): TaskProgress | null {
    if (this.rollUp) return this.rollUp(this.#own, [...this.#children.values()]);
    if (this.#children.size === 0) return this.#own;
    let current = this.#own?.current ?? 0;
    let total = this.#own?.total ?? 0;
    for (const { progress: p } of this.#children.values()) {
      current += p?.current ?? 0;
      total += p?.total ?? 0;
    }
    return { current, total, ...(this.#message !== null && { message: this.#message }) };
  }

  /** At most one write in flight; calls made meanwhile are folded into one follow-up write. */
  #flush(): Promise<void> {
    this.#dirty = true;
    if (this.#writing) return this.#writing;
    const write = async () => {
      try {
        while (this.#dirty) {
          this.#dirty = false;
          const progress = this.#rolledUp();
          await this.deps.store.progress({
            id: this.taskId,
            worker: this.deps.worker,
            progress,
            // A custom roll-up words the message itself; the status message follows it (null keeps the last one).
            statusMessage: this.rollUp ? (progress?.message ?? null) : this.#message,
            now: this.deps.now(),
          });
        }
      } finally {
        // In the same microtask as the last look at #dirty: a call arriving any later starts a new
        // write. (A `.finally()` on the returned promise would run a tick later, and a call in
        // between would be folded into a write that has already ended, and lost.)
        this.#writing = null;
      }
    };
    this.#writing = write();
    return this.#writing;
  }
}

const CHILD_PAGE = 200;

/** The unique key that holds a keyed child's place under its parent. */
function childUniqueKey(parentId: string, key: string): string {
  return `child:${parentId}:${key}`;
}
