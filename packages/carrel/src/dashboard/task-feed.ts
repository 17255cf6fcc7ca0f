/**
 * One engine watch per owner, shared by every open stream of that owner. The engine reads a task
 * again for each watcher of a change; ten pages open on one owner would read each change ten
 * times, and the stores' reads are the cost of a change. Here each change is read once and handed
 * to every stream.
 *
 * @module
 */
import type { TaskEngine, TaskEvent } from '@carrel/tasks';

type Listener = (event: TaskEvent) => void;

/** The owners' task changes, fanned out to their streams. */
export class TaskFeed {
  readonly #owners = new Map<string, { listeners: Set<Listener>; unwatch: () => void }>();

  constructor(private readonly engine: TaskEngine) {}

  /** Calls `listener` for each change of `owner`'s tasks; returns an unsubscribe. */
  subscribe(owner: string, listener: Listener): () => void {
    let entry = this.#owners.get(owner);
    if (!entry) {
      const listeners = new Set<Listener>();
      const unwatch = this.engine.watch({ owner }, (event) => {
        for (const each of listeners) each(event);
      });
      entry = { listeners, unwatch };
      this.#owners.set(owner, entry);
    }
    const { listeners } = entry;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0 || this.#owners.get(owner)?.listeners !== listeners) return;
      this.#owners.delete(owner);
      entry.unwatch();
    };
  }
}
