/**
 * Runs claimed tasks on this node, reading top to bottom as one pipeline:
 * claim → resolve handler → run with an AbortSignal → normalize the outcome → write it back.
 *
 * Leases are extended by a heartbeat; a lease that is gone (task cancelled, reaped, or taken
 * over after this node stalled) aborts the handler. Cancellation also arrives by push through
 * the change feed, so an abort normally lands within milliseconds of `cancel`.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { JsonRpcCode, StoreUnavailableError, TaskAbortedError, TaskEngineError, type AbortReason } from '../errors.js';
import { handlerDefinition, type AnyTaskHandler, type SpawnOptions, type TaskHandlerDefinition } from '../handler.js';
import type { TaskStore } from '../store.js';
import { isTerminal, type TaskRecord } from '../task.js';
import type { Backoff } from './backoff.js';
import type { ChangeHub } from './change-hub.js';
import { AttemptContext, type ContextDeps } from './context.js';
import { fromReturn, fromThrow, type AttemptResult } from './outcome.js';

export interface RunnerOptions {
  store: TaskStore;
  hub: ChangeHub;
  handlers: ReadonlyMap<string, AnyTaskHandler>;
  worker: string;
  concurrency: number;
  /** Claim only tasks handed to `assign` (a process that runs just its own work), rather than any claimable task. */
  assignedOnly?: boolean;
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
  backoff: Backoff;
  now(): number;
  assertPayload(what: string, value: unknown): void;
  createChild(parent: TaskRecord, handler: string, input: unknown, options: SpawnOptions): Promise<TaskRecord>;
  adoptChild(parent: TaskRecord, child: TaskRecord): void;
  onError(error: unknown): void;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export class Runner {
  readonly #running = new Map<string, Running>();
  /**
   * Attempts that hold no slot, with how many waits each has open: handlers waiting on something
   * outside themselves (input, children), and attempts whose handler has returned while their
   * outcome is being written. Counted by attempt, not by wait: a parent awaiting three children
   * at once frees its one slot, not three.
   */
  readonly #idle = new Map<string, number>();
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #contextDeps: ContextDeps;
  readonly #handlerNames: string[];
  /** With `assignedOnly`: the live tasks this node was given. */
  readonly #assigned = new Set<string>();
  #stopping = false;
  #claiming = false;
  #wakeAgain = false;
  /**
   * Tasks cancelled or reaped during a claim pass. A claim can take a task just before its cancel,
   * and the cancel's change arrive before the claim's answer: such a task must not start.
   */
  readonly #endedWhileClaiming = new Set<string>();
  /** The current claim pass, so stop() can wait for a claim whose answer is still on its way. */
  #claimPass: Promise<void> = Promise.resolve();
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | null = null;

  constructor(private readonly options: RunnerOptions) {
    this.#handlerNames = [...options.handlers.keys()];
    this.#contextDeps = { ...options, idle: (id, wait) => this.#whileIdle(id, wait) };
  }

  /** Lets this node claim the task (with `assignedOnly`, only assigned tasks are claimed). */
  assign(id: string): void {
    this.#assigned.add(id);
    this.wake();
  }

  isAssigned(id: string): boolean {
    return this.#assigned.has(id);
  }

  /** Ids of the tasks this node is running right now. */
  get runningIds(): string[] {
    return [...this.#running.keys()];
  }

  start(): void {
    this.#unsubscribe = this.options.hub.onAny((change) => {
      if (change.kind === 'deleted' || isTerminal(change.status)) this.#assigned.delete(change.taskId);
      if (change.kind === 'created' || change.kind === 'runnable') return this.wake();
      const ended = change.kind === 'deleted' ? 'expired' : change.status === 'cancelled' ? 'cancelled' : null;
      if (ended === null) return;
      if (this.#running.has(change.taskId)) this.#abort(change.taskId, ended);
      else if (this.#claiming) this.#endedWhileClaiming.add(change.taskId);
    });
    this.#timers.push(
      setInterval(() => this.wake(), this.options.pollMs),
      setInterval(() => void this.#heartbeat(), this.options.heartbeatMs),
    );
    for (const timer of this.#timers) timer.unref();
    this.wake();
  }

  /**
   * Stops claiming; waits up to `drainMs` for running handlers, then aborts the rest and hands
   * their leases back at once, so another node can resume them without spending an attempt.
   * Handlers that ignore their signal get `graceMs` more; whatever they return later is discarded.
   */
  async stop(drainMs: number, graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#unsubscribe?.();
    for (const timer of this.#timers) clearInterval(timer);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    const settled = (ms: number) =>
      Promise.race([Promise.allSettled([...this.#running.values()].map((r) => r.done)), new Promise((r) => setTimeout(r, ms).unref())]);
    await this.#claimPass;
    if (drainMs > 0 && this.#running.size > 0) await settled(drainMs);
    const remaining = this.runningIds;
    for (const id of remaining) this.#abort(id, 'shutdown');
    await this.#release(remaining);
    if (this.#running.size > 0) await settled(graceMs);
  }

  async #release(ids: string[]): Promise<void> {
    await Promise.all(
      ids.map((id) => this.options.store.release({ id, worker: this.options.worker, now: this.options.now() }).catch(this.options.onError)),
    );
  }

  /**
   * Claims as much work as there is free capacity for, at the end of this turn of the event
   * loop; re-runs if woken meanwhile. Slots free in bursts (the handlers of one claim, timers due
   * together, a notice of many new tasks): waiting for the turn's end claims for all of them in
   * one round trip, rather than for the first alone and then for the rest.
   */
  wake(): void {
    if (this.#stopping) return;
    if (this.#claiming) {
      this.#wakeAgain = true;
      return;
    }
    this.#claiming = true;
    this.#claimPass = new Promise((resolve) => setImmediate(() => resolve(this.#claimLoop())));
  }

  async #claimLoop(): Promise<void> {
    try {
      do {
        this.#wakeAgain = false;
        const free = this.options.concurrency - this.#busy();
        if (free <= 0 || this.#stopping) return;
        const only = this.options.assignedOnly === true ? [...this.#assigned].filter((id) => !this.#running.has(id)) : undefined;
        if (only?.length === 0) return;
        let claimed: TaskRecord[];
        try {
          claimed = await this.options.store.claim({
            worker: this.options.worker,
            handlers: this.#handlerNames,
            limit: free,
            leaseMs: this.options.leaseMs,
            now: this.options.now(),
            ...(only && { ids: only }),
          });
        } catch (error) {
          this.options.onError(error);
          return;
        }
        // stop() began while the claim was on its way: this node no longer runs anything, so the
        // tasks go straight back, unspent, before stop() resolves (it waits for this pass).
        if (this.#stopping) return await this.#release(claimed.map((task) => task.id));
        for (const task of claimed) if (!this.#endedWhileClaiming.has(task.id)) this.#start(task);
        if (claimed.length === free) this.#wakeAgain = true;
      } while (this.#wakeAgain);
    } finally {
      // In the same microtask as the last look at #wakeAgain: a wake() arriving any later finds
      // #claiming false and starts a new loop. (A `.finally()` on the returned promise would run
      // ticks later, and a wake in between would be dropped until the next poll.)
      this.#claiming = false;
      this.#endedWhileClaiming.clear();
    }
  }

  #start(task: TaskRecord): void {
    const controller = new AbortController();
    const done = this.#run(task, controller.signal)
      .catch((error: unknown) => this.options.onError(error))
      .finally(() => {
        this.#running.delete(task.id);
        this.wake();
      });
    this.#running.set(task.id, { controller, done });
  }

  async #run(task: TaskRecord, signal: AbortSignal): Promise<void> {
    const definition = handlerDefinition(this.options.handlers.get(task.handler) as AnyTaskHandler);
    const ctx = new AttemptContext(task, signal, this.#contextDeps, definition.rollUp);
    let result: AttemptResult;
    try {
      result = fromReturn(await definition.run(task.input as never, ctx));
    } catch (error) {
      result = fromThrow(error);
    } finally {
      await ctx.dispose();
    }
    // Cancelled, reaped, lease lost or shut down: the outcome is discarded (stop() released the lease).
    if (signal.aborted) return;
    // The handler is done, so its slot goes to the next task while the outcome is written: the
    // write's round trip and the next claim's overlap instead of following each other. The
    // task stays leased (and heartbeated) until the write commits.
    await this.#whileIdle(task.id, this.#writeOutcome(task, definition, result, ctx.completionTaken));
  }

  async #writeOutcome(
    task: TaskRecord,
    definition: TaskHandlerDefinition<unknown, unknown>,
    result: AttemptResult,
    completionTaken: boolean,
  ): Promise<void> {
    if (completionTaken) {
      const left = await this.#afterCompletion(task, result);
      if (left === null) return;
      result = left;
    }
    await this.#record(task, definition, result);
  }

  /**
   * A handler that took a completion commits its result itself, in its own transaction
   * (`completeInTransaction`), so the runner writes nothing for a task this worker no longer
   * holds: completed that way, or cancelled first (null). A task it still holds was never
   * completed that way (its final write did not happen, say): what the handler returned or threw
   * is recorded as usual.
   */
  async #afterCompletion(task: TaskRecord, result: AttemptResult): Promise<AttemptResult | null> {
    const current = await this.#persist(() => this.options.store.get(task.id));
    const held = current !== null && !isTerminal(current.status) && current.lease?.worker === this.options.worker;
    return held ? result : null;
  }

  async #record(task: TaskRecord, definition: TaskHandlerDefinition<unknown, unknown>, result: AttemptResult): Promise<void> {
    const { store, worker } = this.options;
    if (result.kind === 'result') {
      try {
        this.options.assertPayload('result', result.outcome);
        const { outcome } = result;
        await this.#persist(() =>
          store.complete({ id: task.id, worker, status: 'completed', outcome, statusMessage: null, now: this.options.now() }),
        );
        return;
      } catch (error) {
        if (!(error instanceof TaskEngineError)) throw error;
        result = {
          kind: 'error',
          error: { code: JsonRpcCode.InternalError, message: `Cannot store the task's result: ${error.message}` },
          retryable: false,
        };
      }
    }
    const { error } = result;
    if (result.retryable && task.attempt < task.maxAttempts) {
      const delay = (definition.backoff ?? this.options.backoff)(task.attempt);
      const statusMessage = `Attempt ${task.attempt} of ${task.maxAttempts} failed: ${error.message}; retrying in ${formatDelay(delay)}`;
      let runAt = 0;
      const retried = await this.#persist(() => {
        const now = this.options.now();
        runAt = now + delay;
        return store.retry({ id: task.id, worker, runAt, error, statusMessage, now });
      });
      if (retried) this.#wakeAt(runAt);
      return;
    }
    await this.#persist(() =>
      store.complete({ id: task.id, worker, status: 'failed', outcome: { error }, statusMessage: error.message, now: this.options.now() }),
    );
  }

  /**
   * Runs one of the writes that record an attempt's end, again and again while the store is
   * unreachable (a database restart or failover), for as long as a lease lasts: an outcome the
   * handler produced is not thrown away, to be computed again, for a moment's outage. The
   * heartbeat keeps the lease meanwhile, once the store answers again; a write that did commit
   * before its answer was lost finds the task no longer held, and changes nothing.
   */
  async #persist<T>(write: () => Promise<T>): Promise<T> {
    const giveUpAt = this.options.now() + this.options.leaseMs;
    for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1_000)) {
      try {
        return await write();
      } catch (error) {
        if (!(error instanceof StoreUnavailableError) || this.options.now() + delayMs > giveUpAt) throw error;
        this.options.onError(error);
        await sleep(delayMs);
      }
    }
  }

  /**
   * Claims again when a retry this node scheduled comes due, rather than at the next poll. Timers
   * run on the monotonic clock and `runAt` is wall-clock time, so a timer can fire before `now()`
   * reaches `runAt` (by a millisecond of rounding, or more when the wall clock is stepped back);
   * the claim would find nothing due, so the timer is set again for what remains.
   */
  #wakeAt(runAt: number): void {
    const timer = setTimeout(
      () => {
        this.#retryTimers.delete(timer);
        if (this.#stopping) return;
        if (this.options.now() < runAt) this.#wakeAt(runAt);
        else this.wake();
      },
      Math.max(1, runAt - this.options.now()),
    );
    timer.unref();
    this.#retryTimers.add(timer);
  }

  /** While `wait` is pending, the attempt's slot is free for other work. */
  async #whileIdle<T>(id: string, wait: Promise<T>): Promise<T> {
    this.#idle.set(id, (this.#idle.get(id) ?? 0) + 1);
    this.wake();
    try {
      return await wait;
    } finally {
      const left = this.#idle.get(id)! - 1;
      if (left === 0) this.#idle.delete(id);
      else this.#idle.set(id, left);
    }
  }

  /** Running attempts that hold a slot. */
  #busy(): number {
    let busy = 0;
    for (const id of this.#running.keys()) if (!this.#idle.has(id)) busy++;
    return busy;
  }

  async #heartbeat(): Promise<void> {
    const ids = this.runningIds;
    if (ids.length === 0) return;
    try {
      const held = new Set(
        await this.options.store.heartbeat({ worker: this.options.worker, ids, leaseMs: this.options.leaseMs, now: this.options.now() }),
      );
      for (const id of ids) {
        if (held.has(id) || !this.#running.has(id)) continue;
        const task = await this.options.store.get(id);
        this.#abort(id, !task ? 'expired' : task.status === 'cancelled' ? 'cancelled' : 'lease_lost');
      }
    } catch (error) {
      this.options.onError(error);
    }
  }

  #abort(id: string, reason: AbortReason): void {
    const running = this.#running.get(id);
    if (running && !running.controller.signal.aborted) running.controller.abort(new TaskAbortedError(reason));
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
