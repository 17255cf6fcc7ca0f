/**
 * What a handler author writes: a function from input and context to a result, registered with
 * the engine under a name. Registered names are the allowlist of work a client can start.
 *
 * @module
 */
import type { Backoff } from './engine/backoff.js';
import type { TaskCompletion } from './store.js';
import type { TaskProgress, TaskStatus } from './task.js';

/** A child task started by `ctx.spawn`. */
export interface ChildTask {
  readonly id: string;
  /** The child's result; rejects with `ChildTaskError` if it failed or was cancelled. */
  result(): Promise<unknown>;
  /** Cancels the child (and its live descendants) if it is still live; aborts it wherever it runs. */
  cancel(statusMessage?: string): Promise<void>;
}

export interface SpawnOptions {
  maxAttempts?: number;
  uniqueKey?: string;
  /**
   * Spawns the child once per key for the life of the parent: a re-run of the parent (after a
   * crash or a restart) spawning the same key gets the child spawned before, with its result if
   * it finished, instead of a new one. 1 to 200 characters; not with `uniqueKey`.
   */
  key?: string;
}

/** A child as the parent's progress roll-up sees it; the most recently changed child comes last. */
export interface ChildProgress {
  readonly id: string;
  /** The `key` it was spawned with, or null. */
  readonly key: string | null;
  readonly status: TaskStatus;
  readonly progress: TaskProgress | null;
}

/** How `TaskContext.requestInput` keeps the answer. */
export interface InputOptions {
  /** The answer is removed from the task once the handler has it (see `requestInput`). */
  sensitive?: boolean;
}

/** Everything a running handler can do besides computing its result. */
export interface TaskContext {
  readonly taskId: string;
  readonly owner: string;
  /** 1 on the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The protocol layer's facts about this task (opaque to the engine). */
  readonly meta: Readonly<Record<string, unknown>>;
  /**
   * Aborted when the task is cancelled, its lease is lost, it expires, or the engine shuts down;
   * `signal.reason` is a `TaskAbortedError` naming which. Whatever the handler returns after
   * that is discarded.
   */
  readonly signal: AbortSignal;
  /** Records progress; writes are coalesced, so calling this in a hot loop is fine. */
  progress(current: number, total?: number, message?: string): Promise<void>;
  /** Sets the human-readable status message without touching progress. */
  setStatusMessage(message: string): Promise<void>;
  /**
   * Asks the task's client for input. Durable: the request is stored under `key` and the task
   * shows `input_required` until answered. If the handler is re-run (after a restart), asking
   * again with the same key returns the stored answer at once. Keys are never reused.
   *
   * A `sensitive` answer (a token, a password) is removed from the task, request and answer both,
   * as soon as the handler has it: it never stays in the task record, and a re-run handler asking
   * with the same key asks the client again (so may the handler itself, the key being forgotten).
   * Keep it out of the result and the messages too.
   */
  requestInput<T = unknown>(key: string, request: unknown, options?: InputOptions): Promise<T>;
  /**
   * Starts a child task owned by the same owner; its progress rolls up into this task's. With a
   * `key`, a re-run of this task gets the child spawned before under that key.
   */
  spawn(handler: string, input: unknown, options?: SpawnOptions): Promise<ChildTask>;
  /**
   * For a handler whose final write goes to the database that holds the tasks: the task's
   * completion with `result`, to commit in that write's own transaction with
   * `completeInTransaction` (`@carrel/tasks/sqlite`, `@carrel/tasks/postgres`). The write and
   * the completion then commit together, and a cancel either comes first (the completion is
   * refused: roll the write back) or finds the task completed. `result` is checked as a
   * returned result would be (JSON, size, no NUL); the completion is plain data, fit to post to
   * a worker thread.
   *
   * A handler that takes a completion hands its result over this way: once the completion is
   * committed, what the handler returns is not written again; if the handler returns or throws
   * while it still holds the live task (the completion was never committed), that is recorded as
   * for any handler.
   */
  completion(result: unknown): TaskCompletion;
}

export type TaskHandlerFn<Input = never, Result = unknown> = (input: Input, ctx: TaskContext) => Promise<Result> | Result;

export interface TaskHandlerDefinition<Input = never, Result = unknown> {
  run: TaskHandlerFn<Input, Result>;
  /** Attempts before the task fails (default: the engine's `defaultMaxAttempts`). */
  maxAttempts?: number;
  /** Delay before each retry (default: the engine's backoff). */
  backoff?: Backoff;
  /**
   * How the task's stored progress is made from its own (`ctx.progress`) and its children's,
   * each time one of them changes; the status message follows the rolled-up message. Default:
   * own and children's `current` and `total` summed, with the latest message.
   */
  rollUp?: (own: TaskProgress | null, children: readonly ChildProgress[]) => TaskProgress | null;
}

// Handlers are stored type-erased: inputs arrive as JSON from the store.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTaskHandler = TaskHandlerFn<any, unknown> | TaskHandlerDefinition<any, unknown>;

/** Normalizes the two registration forms. */
export function handlerDefinition(handler: AnyTaskHandler): TaskHandlerDefinition<unknown, unknown> {
  return typeof handler === 'function'
    ? { run: handler as TaskHandlerFn<unknown, unknown> }
    : (handler as TaskHandlerDefinition<unknown, unknown>);
}
