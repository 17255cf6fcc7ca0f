/**
 * Group commit: concurrent calls of one kind (inserts, completes) share a statement. Calls made
 * in one turn of the event loop go together at the end of that turn (a lone call by the
 * single-row statement); calls that arrive while a statement is in flight queue up and go
 * together once it returns, with those its answer sets off in the same turn. An idle store
 * therefore adds no round trip, and a busy one spends one round trip, one commit and one notice
 * on many tasks.
 *
 * Waiting for the turn's end matters because calls come in bursts: the callers a statement
 * answers, or the tasks of one claim, make their next calls together. Sending the first of a
 * burst at once, alone, would split every burst in two statements (and two notices, which
 * every node of a cluster reads).
 *
 * Each call still gets its own answer: the multi-row statement returns per-item results, and
 * if the server rejects it as a whole (a duplicate id, a value PostgreSQL cannot store), the
 * items are re-run one by one, so only the offending call fails, with its own error.
 *
 * @module
 */
import { DuplicateTaskIdError, InvalidArgumentError } from '../../errors.js';

/** How one kind of call is executed, alone and in a group. */
export interface GroupCommitOptions<In, Out> {
  /** The single-row statement: used for a group of one, and to re-run a rejected group. */
  one(item: In): Promise<Out>;
  /** The multi-row statement: one result per item, in item order. */
  many(items: readonly In[]): Promise<Out[]>;
  /** Items with the same key never share a statement (a row must not be written twice by one statement). */
  key(item: In): string;
  /** The most items per statement. */
  maxItems: number;
}

interface Pending<In, Out> {
  item: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
}

/** Coalesces concurrent calls into multi-row statements, one statement in flight at a time. */
export class GroupCommit<In, Out> {
  #queue: Pending<In, Out>[] = [];
  #inFlight = false;
  /** A statement is due at the end of this turn of the event loop. */
  #due = false;

  constructor(private readonly options: GroupCommitOptions<In, Out>) {}

  /** Runs `item` in the next statement; resolves with its own result. */
  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Sends the next statement at the end of this turn, if none is in flight and calls are waiting. */
  #schedule(): void {
    if (this.#inFlight || this.#due || this.#queue.length === 0) return;
    this.#due = true;
    setImmediate(() => {
      this.#due = false;
      this.#next();
    });
  }

  #next(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const group = this.#take();
    this.#inFlight = true;
    void this.#run(group).finally(() => {
      this.#inFlight = false;
      this.#schedule();
    });
  }

  /** The oldest queued items, up to `maxItems`, at most one per key; the rest wait their turn. */
  #take(): Pending<In, Out>[] {
    const group: Pending<In, Out>[] = [];
    const keys = new Set<string>();
    const waiting: Pending<In, Out>[] = [];
    for (const pending of this.#queue) {
      const key = this.options.key(pending.item);
      if (group.length < this.options.maxItems && !keys.has(key)) {
        keys.add(key);
        group.push(pending);
      } else waiting.push(pending);
    }
    this.#queue = waiting;
    return group;
  }

  async #run(group: Pending<In, Out>[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group as [Pending<In, Out>];
      await this.options.one(only.item).then(only.resolve, only.reject);
      return;
    }
    let results: Out[];
    try {
      results = await this.options.many(group.map((p) => p.item));
    } catch (error) {
      // A statement the server rejected wrote nothing, so each call can safely run on its own.
      // Anything else (a lost connection) may have committed: every call reports it as it is.
      if (!rejectedByServer(error)) {
        for (const pending of group) pending.reject(error);
        return;
      }
      await Promise.all(group.map((p) => this.options.one(p.item).then(p.resolve, p.reject)));
      return;
    }
    group.forEach((pending, i) => pending.resolve(results[i] as Out));
  }
}

/** The statement errors (as `Database` translates them) that mean the server wrote nothing: a duplicate id, a value it cannot store. */
function rejectedByServer(error: unknown): boolean {
  return error instanceof DuplicateTaskIdError || error instanceof InvalidArgumentError;
}
