/**
 * `SqliteTaskStore`: the task store on one SQLite file through better-sqlite3, safe for several
 * processes on the same file.
 *
 * ```ts
 * const store = new SqliteTaskStore({ path: '/var/lib/app/tasks.db' });
 * const engine = new TaskEngine({ store, handlers });
 * await engine.start(); // migrates
 * ```
 *
 * - WAL journal with `synchronous=NORMAL`: readers never wait for the writer, and a commit does
 *   not fsync (a power cut may lose the last commits, never corrupt the file).
 * - Every write is one `BEGIN IMMEDIATE` transaction: it takes the write lock before reading, so
 *   read-then-write decisions cannot race another process.
 * - Nothing waits for a lock on the calling thread: the connection has no busy timeout, and a
 *   statement that meets another connection's lock is tried again on timers for up to
 *   `busyTimeoutMs`, then fails with `SqliteBusyError` (see `busy-retry.ts`). Reads never meet
 *   a writer's lock in WAL mode, so they do not wait at all.
 * - Changes reach this store's listeners right after commit, and other processes' listeners
 *   through the `carrel_task_changes` feed (see `change-feed.ts`).
 *
 * better-sqlite3 is synchronous: each method runs on the calling thread. Every statement is
 * prepared once and reads through an index, so each call stays short.
 *
 * @module
 */
import Sqlite, { type Database, type Statement, type Transaction } from 'better-sqlite3';
import { SchemaNotMigratedError } from '../../errors.js';
import type {
  CancelArgs,
  CancelResult,
  ClaimArgs,
  CompleteArgs,
  CountTasksArgs,
  FinishedTask,
  FinishedTasksArgs,
  HeartbeatArgs,
  InsertOptions,
  InsertResult,
  LeaseHoldersArgs,
  ListQuery,
  NewTask,
  ProgressArgs,
  ReapArgs,
  ReleaseArgs,
  RequestInputArgs,
  RequestInputResult,
  RescueArgs,
  RespondArgs,
  ForgetInputArgs,
  RespondResult,
  RetryArgs,
  TakeTokenArgs,
  TaskChange,
  TaskCount,
  TaskStore,
} from '../../store.js';
import type { TaskRecord } from '../../task.js';
import { whileBusy } from './busy-retry.js';
import { ChangeFeed } from './change-feed.js';
import type { StoreContext } from './context.js';
import { isBusy, translateError } from './errors.js';
import { migrate } from './migrate.js';
import { prepareCancel } from './sql/cancel.js';
import { prepareFinish } from './sql/finish.js';
import { prepareInput } from './sql/input.js';
import { prepareInsert } from './sql/insert.js';
import { prepareLease } from './sql/lease.js';
import { prepareProgress } from './sql/progress.js';
import { prepareRate } from './sql/rate.js';
import { prepareRead } from './sql/read.js';
import { prepareStats } from './sql/stats.js';
import { prepareUpkeep } from './sql/upkeep.js';

export interface SqliteTaskStoreOptions {
  /** The database file; created if missing. Every process using the same tasks opens the same path. */
  path: string;
  /** How often changes committed by other processes are looked for while someone listens (default 10 ms). */
  changePollMs?: number;
  /** How long a call waits (on timers, never blocking the thread) for another connection's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** How long change-feed rows are kept for slow pollers (default 60 s). */
  changeRetentionMs?: number;
}

/** Every store verb, from one statement module per group of verbs (the same groups as the PostgreSQL backend). */
function prepareAll(ctx: StoreContext) {
  return {
    ...prepareRead(ctx),
    ...prepareStats(ctx),
    ...prepareInsert(ctx),
    ...prepareLease(ctx),
    ...prepareFinish(ctx),
    ...prepareProgress(ctx),
    ...prepareInput(ctx),
    ...prepareCancel(ctx),
    ...prepareUpkeep(ctx),
    ...prepareRate(ctx),
  };
}

type Operations = ReturnType<typeof prepareAll>;

export class SqliteTaskStore implements TaskStore {
  readonly name = 'sqlite';
  /** The database file this store opened. */
  readonly path: string;
  readonly #db: Database;
  readonly #busyTimeoutMs: number;
  readonly #transaction: Transaction<(work: () => unknown) => unknown>;
  readonly #feed: ChangeFeed;
  /** Settles once the connection's pragmas are set; they may have to wait for a lock, so not in the constructor. */
  #opened: Promise<void> | null = null;
  #hasSchema: Statement<[], number> | null = null;
  /** Prepared on first use or by migrate(): statements need the tables. */
  #ops: Operations | null = null;

  constructor(options: SqliteTaskStoreOptions) {
    this.path = options.path;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    // No busy timeout: SQLite would wait for a lock by sleeping this thread (see busy-retry.ts).
    this.#db = new Sqlite(options.path, { timeout: 0 });
    this.#transaction = this.#db.transaction((work: () => unknown) => work());
    this.#feed = new ChangeFeed({ pollMs: options.changePollMs ?? 10, retentionMs: options.changeRetentionMs ?? 60_000 });
  }

  async migrate(): Promise<void> {
    try {
      await this.#open();
      await migrate(this.#db, this.#whileBusy);
      await this.#whileBusy(() => this.#prepare());
    } catch (error) {
      throw translateError(error, this.#busyTimeoutMs);
    }
  }

  async close(): Promise<void> {
    if (!this.#db.open) return;
    this.#feed.close();
    this.#db.close();
  }

  async insert(task: NewTask, options: InsertOptions): Promise<InsertResult> {
    return this.#write((ops) => ops.insert(task, options));
  }

  async get(id: string): Promise<TaskRecord | null> {
    return this.#read((ops) => ops.get(id));
  }

  async list(query: ListQuery): Promise<TaskRecord[]> {
    return this.#read((ops) => ops.list(query));
  }

  async countTasks(args: CountTasksArgs): Promise<TaskCount[]> {
    return this.#read((ops) => ops.countTasks(args));
  }

  async finishedTasks(args: FinishedTasksArgs): Promise<FinishedTask[]> {
    return this.#read((ops) => ops.finishedTasks(args));
  }

  async claim(args: ClaimArgs): Promise<TaskRecord[]> {
    return this.#write((ops) => ops.claim(args));
  }

  async heartbeat(args: HeartbeatArgs): Promise<string[]> {
    return this.#write((ops) => ops.heartbeat(args));
  }

  async complete(args: CompleteArgs): Promise<TaskRecord | null> {
    return this.#write((ops) => ops.complete(args));
  }

  async retry(args: RetryArgs): Promise<boolean> {
    return this.#write((ops) => ops.retry(args));
  }

  async release(args: ReleaseArgs): Promise<boolean> {
    return this.#write((ops) => ops.release(args));
  }

  async cancel(args: CancelArgs): Promise<CancelResult> {
    return this.#write((ops) => ops.cancel(args));
  }

  async progress(args: ProgressArgs): Promise<boolean> {
    return this.#write((ops) => ops.progress(args));
  }

  async requestInput(args: RequestInputArgs): Promise<RequestInputResult | null> {
    return this.#write((ops) => ops.requestInput(args));
  }

  async respond(args: RespondArgs): Promise<RespondResult | null> {
    return this.#write((ops) => ops.respond(args));
  }

  async forgetInput(args: ForgetInputArgs): Promise<boolean> {
    return this.#write((ops) => ops.forgetInput(args));
  }

  async leaseHolders(args: LeaseHoldersArgs): Promise<string[]> {
    return this.#read((ops) => ops.leaseHolders(args));
  }

  async rescueExpiredLeases(args: RescueArgs): Promise<number> {
    return this.#write((ops) => ops.rescueExpiredLeases(args));
  }

  async reapExpired(args: ReapArgs): Promise<string[]> {
    return this.#write((ops) => ops.reapExpired(args));
  }

  async takeToken(args: TakeTokenArgs): Promise<number> {
    return this.#write((ops) => ops.takeToken(args));
  }

  /** Works before migrate(): the engine subscribes first; polling starts once the schema exists. */
  subscribe(listener: (change: TaskChange) => void): () => void {
    const unsubscribe = this.#feed.subscribe(listener);
    const prepareIfMigrated = () => {
      if (!this.#ops && this.#schemaExists()) this.#prepare();
    };
    try {
      prepareIfMigrated();
    } catch (error) {
      if (!isBusy(error)) throw error;
      // Locked right now: prepare once it is not (the next read or write would as well).
      this.#whileBusy(prepareIfMigrated).catch(() => undefined);
    }
    return unsubscribe;
  }

  /** Tries `attempt` again on timers while it meets another connection's lock, for up to busyTimeoutMs. */
  readonly #whileBusy = <T>(attempt: () => T): Promise<T> => whileBusy(attempt, this.#busyTimeoutMs);

  /**
   * WAL and synchronous=NORMAL, set once per connection. Switching a new file to WAL takes its lock.
   * secure_delete=FAST zeroes what this connection deletes on the pages it writes anyway (no extra
   * I/O), so a sensitive answer removed by `forgetInput` does not linger in a page's free space.
   */
  #open(): Promise<void> {
    this.#opened ??= this.#whileBusy(() => {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('secure_delete = FAST');
    }).catch((error: unknown) => {
      this.#opened = null;
      throw error;
    });
    return this.#opened;
  }

  #schemaExists(): boolean {
    this.#hasSchema ??= this.#db
      .prepare<[], number>("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'carrel_task_changes'")
      .pluck();
    return this.#hasSchema.get() !== undefined;
  }

  #prepare(): Operations {
    if (!this.#ops) {
      this.#feed.prepare(this.#db);
      this.#ops = prepareAll({ db: this.#db, record: this.#feed.record });
    }
    return this.#ops;
  }

  /** The prepared statements; a store opened on a file another store has migrated needs no migrate() call. */
  #ready(): Operations {
    if (!this.#ops && !this.#schemaExists()) {
      throw new SchemaNotMigratedError(`The SQLite task database at ${this.path}`);
    }
    return this.#prepare();
  }

  async #read<T>(work: (ops: Operations) => T): Promise<T> {
    try {
      await this.#open();
      return await this.#whileBusy(() => work(this.#ready()));
    } catch (error) {
      throw translateError(error, this.#busyTimeoutMs);
    }
  }

  /**
   * Runs `work` in one BEGIN IMMEDIATE transaction. Its changes are handed to listeners right
   * after the commit, in the same synchronous step, so no other call's changes can mix with them.
   */
  async #write<T>(work: (ops: Operations) => T): Promise<T> {
    const feed = this.#feed;
    const attempt = (): T => {
      const ops = this.#ready();
      let result: T;
      try {
        result = this.#transaction.immediate(() => {
          feed.pruneIfDue();
          return work(ops);
        }) as T;
      } catch (error) {
        feed.discardPending();
        throw error;
      }
      feed.deliverCommitted();
      return result;
    };
    try {
      await this.#open();
      return await this.#whileBusy(attempt);
    } catch (error) {
      throw translateError(error, this.#busyTimeoutMs);
    }
  }
}
