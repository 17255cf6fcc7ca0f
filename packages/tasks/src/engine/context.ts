/**
 * Builds the `TaskContext` a running handler receives: coalesced progress writes, durable input
 * requests, child tasks whose progress rolls up into the parent's, and completions for a handler
 * that commits its result in its own transaction.
 *
 * @module
 */
import { ChildTaskError, TaskAbortedError } from '../errors.js';
import type { ChildTask, SpawnOptions, TaskContext } from '../handler.js';
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
  /** Wraps a wait on something outside this handler (input, a child), during which it needs no slot. */
  idle<T>(wait: Promise<T>): Promise<T>;
}

/** Created per attempt; `dispose` stops child watchers when the attempt ends. */
export class AttemptContext implements TaskContext {
  readonly taskId: string;
  readonly owner: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly meta: Readonly<Record<string, unknown>>;

  #own: TaskProgress | null = null;
  #message: string | null = null;
  readonly #children = new Map<string, TaskProgress | null>();
  readonly #disposers: Array<() => void> = [];
  #writing: Promise<void> | null = null;
  #dirty = false;
  #completionTaken = false;

  constructor(
    private readonly task: TaskRecord,
    readonly signal: AbortSignal,
    private readonly deps: ContextDeps,
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

  async requestInput<T = unknown>(key: string, request: unknown): Promise<T> {
    if (typeof key !== 'string' || key.length === 0 || key.length > 200)
      throw new TypeError('requestInput key must be a string of 1 to 200 characters');
    this.deps.assertPayload('input request', request);
    this.signal.throwIfAborted();
    const stored = await this.deps.store.requestInput({ id: this.taskId, worker: this.deps.worker, key, request, now: this.deps.now() });
    if (stored === null) throw this.signal.aborted ? this.signal.reason : new TaskAbortedError('lease_lost');
    if (stored.answered) return stored.response as T;
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
    return (await this.deps.idle(answered)).response;
  }

  async spawn(handler: string, input: unknown, options: SpawnOptions = {}): Promise<ChildTask> {
    this.signal.throwIfAborted();
    const child = await this.deps.createChild(this.task, handler, input, options);
    this.#children.set(child.id, child.progress);
    this.#disposers.push(
      this.deps.hub.onTask(child.id, (change) => {
        if (change.kind === 'progress') void this.#refreshChild(child.id);
      }),
    );
    // The child may already have run and reported before the listener was attached.
    void this.#refreshChild(child.id);
    const result = () =>
      this.deps
        .idle(
          this.deps.hub.waitFor(
            child.id,
            async () => {
              const current = await this.deps.store.get(child.id);
              if (!current) throw new ChildTaskError(child.id, 'cancelled', { code: -32602, message: 'Child task expired' });
              if (!isTerminal(current.status)) return undefined;
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
    return { id: child.id, result };
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

  dispose(): void {
    for (const dispose of this.#disposers.splice(0)) dispose();
  }

  async #refreshChild(childId: string): Promise<void> {
    const child = await this.deps.store.get(childId);
    if (!child) return;
    this.#children.set(childId, child.progress);
    if (child.progress?.message) this.#message = child.progress.message;
    await this.#flush();
  }

  /** Own progress plus every child's, so a parent shows the sum of the work it fanned out. */
  #rolledUp(): TaskProgress | null {
    if (this.#children.size === 0) return this.#own;
    let current = this.#own?.current ?? 0;
    let total = this.#own?.total ?? 0;
    for (const p of this.#children.values()) {
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
      while (this.#dirty) {
        this.#dirty = false;
        await this.deps.store.progress({
          id: this.taskId,
          worker: this.deps.worker,
          progress: this.#rolledUp(),
          statusMessage: this.#message,
          now: this.deps.now(),
        });
      }
    };
    this.#writing = write().finally(() => {
      this.#writing = null;
    });
    return this.#writing;
  }
}
