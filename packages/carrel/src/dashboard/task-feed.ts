/**
 * One engine watch per owner, shared by every open stream of that owner. The engine reads a task
 * again for each watcher of a change; ten pages open on one owner would read each change ten
 * times, and the stores' reads are the cost of a change. Here each change is read once, turned
 * into the page's row and serialized once, and handed to every stream as the event it sends. New
 * tasks are told too (`created`), so a page lists a task before it first changes.
 *
 * @module
 */
import type { TaskEngine, TaskEvent, TaskRecord } from '@carrel/tasks';
import { taskRow } from './task-view.js';

/** Tasks whose last change a feed remembers, to drop a stale read. */
const MAX_REMEMBERED = 10_000;

/** One change as a stream sends it: the event's name and its data, already JSON. */
export interface FeedChange {
  event: 'task' | 'task-deleted';
  json: string;
}

type Listener = (change: FeedChange) => void;

/** The owners' task changes, fanned out to their streams. */
export class TaskFeed {
  /** Keyed by owner; null is the operator's feed of every owner's tasks. */
  readonly #owners = new Map<string | null, { listeners: Set<Listener>; unwatch: () => void }>();

  constructor(private readonly engine: TaskEngine) {}

  /** Calls `listener` for each change of `owner`'s tasks (every owner's for null); returns an unsubscribe. */
  subscribe(owner: string | null, listener: Listener): () => void {
    let entry = this.#owners.get(owner);
    if (!entry) {
      const listeners = new Set<Listener>();
      entry = { listeners, unwatch: this.#watch(owner, listeners) };
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

  #watch(owner: string | null, listeners: Set<Listener>): () => void {
    // The engine reads each task after its change: two reads of one task may land out of order, so an older one is dropped.
    const latest = new Map<string, number>();
    const isNewest = (task: TaskRecord) => {
      if ((latest.get(task.id) ?? -1) > task.updatedAt) return false;
      // A memory bound for a feed open for hours: forgetting only risks one stale event.
      if (latest.size >= MAX_REMEMBERED) latest.clear();
      latest.set(task.id, task.updatedAt);
      return true;
    };
    const onEvent = (event: TaskEvent) => {
      let change: FeedChange;
      if (event.task === null) {
        latest.delete(event.taskId);
        change = { event: 'task-deleted', json: JSON.stringify({ id: event.taskId }) };
      } else if (isNewest(event.task)) change = { event: 'task', json: JSON.stringify(taskRow(event.task)) };
      else return;
      for (const each of listeners) each(change);
    };
    return owner === null
      ? this.engine.watchAcrossOwners({ created: true }, onEvent)
      : this.engine.watch({ owner, created: true }, onEvent);
  }
}
