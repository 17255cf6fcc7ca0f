/**
 * Fans the store's change feed out to the engine's parts: per-task listeners (waiters, running
 * handlers, parents of children) and global ones (the runner, `watch`). Waiting is push first:
 * a change wakes the waiter at once; a slow fallback re-check guarantees progress when a
 * notification is lost (PostgreSQL NOTIFY across a reconnect, for instance).
 *
 * @module
 */
import { StoreUnavailableError } from '../errors.js';
import type { TaskChange, TaskStore } from '../store.js';

type Listener = (change: TaskChange) => void;

export class ChangeHub {
  readonly #byTask = new Map<string, Set<Listener>>();
  readonly #all = new Set<Listener>();
  readonly #unsubscribe: () => void;

  constructor(
    store: TaskStore,
    private readonly fallbackMs: number,
    /** Hears the checks that failed because the store was unreachable (those waits go on). */
    private readonly onError: (error: unknown) => void,
  ) {
    this.#unsubscribe = store.subscribe((change) => this.#dispatch(change));
  }

  close(): void {
    this.#unsubscribe();
    this.#byTask.clear();
    this.#all.clear();
  }

  onAny(listener: Listener): () => void {
    this.#all.add(listener);
    return () => this.#all.delete(listener);
  }

  onTask(taskId: string, listener: Listener): () => void {
    let listeners = this.#byTask.get(taskId);
    if (!listeners) this.#byTask.set(taskId, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#byTask.delete(taskId);
    };
  }

  /**
   * Resolves with the first non-undefined value of `check`, evaluated now, after every change
   * to `taskId`, and on the fallback timer. Checks never overlap. Rejects when `signal` aborts
   * or `check` throws, except with StoreUnavailableError: a wait outlives a database restart, and
   * the next change or tick checks again.
   */
  waitFor<T>(taskId: string, check: () => Promise<T | undefined>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let running = false;
      let again = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        off();
        clearInterval(timer);
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const evaluate = async () => {
        if (settled) return;
        if (running) {
          again = true;
          return;
        }
        running = true;
        try {
          do {
            again = false;
            const value = await check();
            if (value !== undefined) return finish(() => resolve(value));
          } while (again && !settled);
        } catch (error) {
          if (error instanceof StoreUnavailableError) this.onError(error);
          else finish(() => reject(error));
        } finally {
          running = false;
        }
      };
      const onAbort = () => finish(() => reject(signal?.reason));
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const off = this.onTask(taskId, () => void evaluate());
      const timer = setInterval(() => void evaluate(), this.fallbackMs);
      timer.unref();
      void evaluate();
    });
  }

  #dispatch(change: TaskChange): void {
    for (const listener of this.#byTask.get(change.taskId) ?? []) listener(change);
    for (const listener of this.#all) listener(change);
  }
}
