/**
 * In-process store: no dependencies, nothing survives the process. For tests, examples and
 * ephemeral servers. Records are copied on the way in and out, so callers can never mutate
 * stored state by accident, just as with a database.
 *
 * @module
 */
import { TaskLimitError } from '../../errors.js';
import {
  assertLiveParent,
  type CancelArgs,
  type CancelResult,
  type ClaimArgs,
  type CompleteArgs,
  type CountTasksArgs,
  type FinishedTask,
  type FinishedTasksArgs,
  type HeartbeatArgs,
  type InsertOptions,
  type InsertResult,
  type LeaseHoldersArgs,
  type ListQuery,
  type NewTask,
  type ProgressArgs,
  type ReapArgs,
  type ReleaseArgs,
  type RequestInputArgs,
  type RequestInputResult,
  type RescueArgs,
  type RespondArgs,
  type ForgetInputArgs,
  type RespondResult,
  type RetryArgs,
  type TaskChange,
  type TakeTokenArgs,
  type TaskChangeKind,
  type TaskCount,
  type TaskStore,
} from '../../store.js';
import {
  isTerminal,
  isVisibleTo,
  LIVE_STATUSES,
  outstandingInputKeys,
  setOwnEntry,
  statusesLeadingTo,
  type TaskRecord,
  type TaskStatus,
} from '../../task.js';

const copy = <T>(value: T): T => structuredClone(value);
const isLive = (status: TaskStatus) => (LIVE_STATUSES as readonly TaskStatus[]).includes(status);
const CAN_CANCEL = statusesLeadingTo('cancelled');

export class MemoryTaskStore implements TaskStore {
  readonly name = 'memory';
  readonly #tasks = new Map<string, TaskRecord>();
  /** The live subset of #tasks: claim, caps and rescue look only here, so finished tasks cost them nothing. */
  readonly #live = new Map<string, TaskRecord>();
  readonly #uniqueKeys = new Map<string, string>();
  /** Task-creation buckets by owner: the tokens left, when they were counted, and the limit they refill by. */
  readonly #buckets = new Map<string, { tokens: number; at: number; ratePerMs: number; burst: number }>();
  readonly #listeners = new Set<(change: TaskChange) => void>();
  /** The last `seq` handed out: a counter that only grows, so lists never depend on clock ties. */
  #lastSeq = 0;

  async migrate(): Promise<void> {}

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  async insert(task: NewTask, { maxLivePerOwner, now }: InsertOptions): Promise<InsertResult> {
    if (task.parentId !== null) assertLiveParent(task.parentId, this.#tasks.get(task.parentId));
    const uniqueSlot = task.uniqueKey === null ? null : `${task.owner}\u0000${task.uniqueKey}`;
    if (uniqueSlot !== null) {
      const holder = this.#tasks.get(this.#uniqueKeys.get(uniqueSlot) ?? '');
      if (holder && holder.uniqueUntil !== null && holder.uniqueUntil <= now) this.#releaseUniqueKey(holder);
      else if (holder) return { task: copy(holder), created: false };
    }
    if (maxLivePerOwner !== null) {
      let live = 0;
      for (const t of this.#live.values()) if (t.owner === task.owner) live++;
      if (live >= maxLivePerOwner) throw new TaskLimitError(task.owner, maxLivePerOwner);
    }
    const record: TaskRecord = {
      ...copy(task),
      seq: ++this.#lastSeq,
      status: 'working',
      statusMessage: null,
      progress: null,
      updatedAt: task.createdAt,
      attempt: 0,
      lease: null,
      outcome: null,
      lastError: null,
      inputRequests: {},
      inputResponses: {},
      startedAt: null,
      finishedAt: null,
      node: null,
    };
    this.#tasks.set(record.id, record);
    this.#live.set(record.id, record);
    if (uniqueSlot !== null) this.#uniqueKeys.set(uniqueSlot, record.id);
    this.#emit(record, 'created');
    return { task: copy(record), created: true };
  }

  async get(id: string): Promise<TaskRecord | null> {
    const task = this.#tasks.get(id);
    return task ? copy(task) : null;
  }

  async list({ owner, statuses, handlers, text, parentId, limit, beforeSeq }: ListQuery): Promise<TaskRecord[]> {
    const needle = text?.toLowerCase();
    const page = [...this.#tasks.values()]
      .filter((t) => owner === null || t.owner === owner)
      .filter((t) => !statuses || statuses.includes(t.status))
      .filter((t) => !handlers || handlers.includes(t.handler))
      .filter((t) => needle === undefined || t.id.toLowerCase().includes(needle) || JSON.stringify(t.input).toLowerCase().includes(needle))
      .filter((t) => parentId === undefined || t.parentId === parentId)
      .filter((t) => beforeSeq === undefined || t.seq < beforeSeq)
      .sort((a, b) => b.seq - a.seq);
    return page.slice(0, limit).map(copy);
  }

  async countTasks({ owner }: CountTasksArgs): Promise<TaskCount[]> {
    const counts = new Map<string, TaskCount>();
    for (const t of this.#tasks.values()) {
      if (owner !== null && t.owner !== owner) continue;
      const leased = t.lease !== null;
      const key = JSON.stringify([t.handler, t.status, leased]);
      const count = counts.get(key) ?? { handler: t.handler, status: t.status, leased, count: 0 };
      count.count++;
      counts.set(key, count);
    }
    return [...counts.values()];
  }

  async finishedTasks({ owner, since, until, limit }: FinishedTasksArgs): Promise<FinishedTask[]> {
    return [...this.#tasks.values()]
      .filter((t) => (owner === null || t.owner === owner) && t.finishedAt !== null && t.finishedAt >= since && t.finishedAt < until)
      .sort((a, b) => b.finishedAt! - a.finishedAt!)
      .slice(0, limit)
      .map((t) => ({
        handler: t.handler,
        status: t.status as FinishedTask['status'],
        node: t.node,
        createdAt: t.createdAt,
        startedAt: t.startedAt,
        finishedAt: t.finishedAt!,
      }));
  }

  async claim({ worker, handlers, limit, leaseMs, now, ids }: ClaimArgs): Promise<TaskRecord[]> {
    const claimable = [...this.#live.values()]
      .filter((t) => t.status === 'working' && t.lease === null && t.runAt <= now && handlers.includes(t.handler))
      .filter((t) => ids === undefined || ids.includes(t.id))
      .sort((a, b) => a.runAt - b.runAt || a.createdAt - b.createdAt)
      .slice(0, limit);
    for (const task of claimable) {
      task.lease = { worker, expiresAt: now + leaseMs };
      task.attempt += 1;
      task.updatedAt = now;
      task.startedAt ??= now;
      task.node = worker;
    }
    return claimable.map(copy);
  }

  async heartbeat({ worker, ids, leaseMs, now }: HeartbeatArgs): Promise<string[]> {
    const held: string[] = [];
    for (const id of ids) {
      const task = this.#held(id, worker);
      if (!task) continue;
      task.lease = { worker, expiresAt: now + leaseMs };
      held.push(id);
    }
    return held;
  }

  async complete(args: CompleteArgs): Promise<TaskRecord | null> {
    const task = this.#held(args.id, args.worker);
    if (!task) return null;
    task.status = args.status;
    this.#live.delete(task.id);
    task.outcome = copy(args.outcome);
    task.statusMessage = args.statusMessage;
    task.lease = null;
    task.updatedAt = args.now;
    task.finishedAt = args.now;
    if (task.uniqueUntil === null) this.#releaseUniqueKey(task);
    this.#emit(task, 'status');
    return copy(task);
  }

  async retry(args: RetryArgs): Promise<boolean> {
    const task = this.#held(args.id, args.worker);
    if (!task) return false;
    const changedStatus = task.status !== 'working';
    Object.assign(task, {
      status: 'working',
      lease: null,
      runAt: args.runAt,
      lastError: copy(args.error),
      statusMessage: args.statusMessage,
      updatedAt: args.now,
    });
    if (changedStatus) this.#emit(task, 'status');
    this.#emit(task, 'runnable');
    return true;
  }

  async release({ id, worker, now }: ReleaseArgs): Promise<boolean> {
    const task = this.#held(id, worker);
    if (!task) return false;
    task.lease = null;
    task.attempt = Math.max(0, task.attempt - 1);
    task.updatedAt = now;
    if (task.status === 'working') this.#emit(task, 'runnable');
    return true;
  }

  async cancel({ id, owner, statusMessage, now }: CancelArgs): Promise<CancelResult> {
    const task = this.#tasks.get(id);
    if (!task || !isVisibleTo(task, owner, now)) return { task: null, changed: false };
    if (!CAN_CANCEL.includes(task.status)) return { task: copy(task), changed: false };
    const cancelled: TaskRecord[] = [];
    const visit = (t: TaskRecord) => {
      if (CAN_CANCEL.includes(t.status)) {
        Object.assign(t, { status: 'cancelled', statusMessage, lease: null, updatedAt: now, finishedAt: now });
        this.#live.delete(t.id);
        if (t.uniqueUntil === null) this.#releaseUniqueKey(t);
        cancelled.push(t);
      }
      for (const child of this.#tasks.values()) if (child.parentId === t.id) visit(child);
    };
    visit(task);
    for (const t of cancelled) this.#emit(t, 'status');
    return { task: copy(task), changed: true };
  }

  async progress(args: ProgressArgs): Promise<boolean> {
    const task = this.#held(args.id, args.worker);
    if (!task) return false;
    if (args.progress !== null) task.progress = copy(args.progress);
    if (args.statusMessage !== null) task.statusMessage = args.statusMessage;
    task.updatedAt = args.now;
    this.#emit(task, 'progress');
    return true;
  }

  async requestInput({ id, worker, key, request, now }: RequestInputArgs): Promise<RequestInputResult | null> {
    const task = this.#held(id, worker);
    if (!task) return null;
    if (Object.hasOwn(task.inputResponses, key)) return { answered: true, response: copy(task.inputResponses[key]) };
    if (!Object.hasOwn(task.inputRequests, key)) setOwnEntry(task.inputRequests, key, { request: copy(request), requestedAt: now });
    const changedStatus = task.status !== 'input_required';
    task.status = 'input_required';
    task.updatedAt = now;
    if (changedStatus) this.#emit(task, 'status');
    this.#emit(task, 'input');
    return { answered: false };
  }

  async respond({ id, responses, now }: RespondArgs): Promise<RespondResult | null> {
    const task = this.#tasks.get(id);
    if (!task) return null;
    if (isTerminal(task.status)) return { task: copy(task), accepted: [] };
    const outstanding = new Set(outstandingInputKeys(task));
    const accepted = Object.keys(responses).filter((key) => outstanding.has(key));
    if (accepted.length === 0) return { task: copy(task), accepted };
    for (const key of accepted) setOwnEntry(task.inputResponses, key, copy(responses[key]));
    task.updatedAt = now;
    const resumes = task.status === 'input_required' && outstandingInputKeys(task).length === 0;
    if (resumes) task.status = 'working';
    const orphaned = resumes && task.lease !== null && task.lease.expiresAt <= now;
    if (orphaned) {
      task.lease = null;
      task.attempt = Math.max(0, task.attempt - 1);
    }
    this.#emit(task, 'input');
    if (resumes) this.#emit(task, 'status');
    if (resumes && task.lease === null) this.#emit(task, 'runnable');
    return { task: copy(task), accepted };
  }

  async forgetInput({ id, key, now }: ForgetInputArgs): Promise<boolean> {
    const task = this.#tasks.get(id);
    if (!task || !(Object.hasOwn(task.inputRequests, key) || Object.hasOwn(task.inputResponses, key))) return false;
    delete task.inputRequests[key];
    delete task.inputResponses[key];
    task.updatedAt = now;
    return true;
  }

  async leaseHolders({ now }: LeaseHoldersArgs): Promise<string[]> {
    return [...new Set([...this.#live.values()].flatMap((t) => (t.lease && t.lease.expiresAt > now ? [t.lease.worker] : [])))];
  }

  async rescueExpiredLeases({ now, deadWorkers = [] }: RescueArgs): Promise<number> {
    let touched = 0;
    for (const task of this.#live.values()) {
      if (!task.lease) continue;
      const expired = task.lease.expiresAt <= now;
      if (!expired && !deadWorkers.includes(task.lease.worker)) continue;
      const why = expired ? 'lease expired' : 'its process ended';
      touched++;
      task.updatedAt = now;
      task.lease = null;
      if (task.status === 'input_required') {
        task.attempt = Math.max(0, task.attempt - 1);
      } else if (task.attempt < task.maxAttempts) {
        task.statusMessage = `Worker lost (${why}) during attempt ${task.attempt}; retrying`;
        this.#emit(task, 'runnable');
      } else {
        task.status = 'failed';
        task.finishedAt = now;
        this.#live.delete(task.id);
        task.statusMessage = `Worker lost (${why}) during attempt ${task.attempt} of ${task.maxAttempts}`;
        task.outcome = { error: { code: -32603, message: task.statusMessage } };
        if (task.uniqueUntil === null) this.#releaseUniqueKey(task);
        this.#emit(task, 'status');
      }
    }
    return touched;
  }

  async reapExpired({ now, limit }: ReapArgs): Promise<string[]> {
    const expired = [...this.#tasks.values()].filter((t) => t.expiresAt !== null && t.expiresAt <= now).slice(0, limit);
    for (const task of expired) {
      this.#tasks.delete(task.id);
      this.#live.delete(task.id);
      this.#releaseUniqueKey(task);
      this.#emit(task, 'deleted');
    }
    return expired.map((t) => t.id);
  }

  subscribe(listener: (change: TaskChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async takeToken({ owner, perMinute, burst, now }: TakeTokenArgs): Promise<number> {
    const ratePerMs = perMinute / 60_000;
    const bucket = this.#buckets.get(owner);
    // A clock that stepped back refills nothing, and does not move the count back.
    const tokens = bucket ? Math.min(burst, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs) : burst;
    if (tokens < 1) return Math.ceil((1 - tokens) / ratePerMs);
    this.#buckets.set(owner, { tokens: tokens - 1, at: Math.max(now, bucket?.at ?? now), ratePerMs, burst });
    // A bucket is only state while it is below full; forget the full ones now and then.
    if (this.#buckets.size > 10_000)
      for (const [key, b] of this.#buckets) if (b.tokens + Math.max(0, now - b.at) * b.ratePerMs >= b.burst) this.#buckets.delete(key);
    return 0;
  }

  /** The task, if it is live and leased by `worker`. */
  #held(id: string, worker: string): TaskRecord | undefined {
    const task = this.#tasks.get(id);
    return task && isLive(task.status) && task.lease?.worker === worker ? task : undefined;
  }

  #releaseUniqueKey(task: TaskRecord): void {
    if (task.uniqueKey === null) return;
    const slot = `${task.owner}\u0000${task.uniqueKey}`;
    if (this.#uniqueKeys.get(slot) === task.id) this.#uniqueKeys.delete(slot);
  }

  #emit(task: TaskRecord, kind: TaskChangeKind): void {
    const change: TaskChange = { taskId: task.id, owner: task.owner, parentId: task.parentId, status: task.status, kind };
    // Delivered after the caller's await resolves, as a database notification would be.
    queueMicrotask(() => {
      for (const listener of this.#listeners) listener(change);
    });
  }
}
