/**
 * `PostgresTaskStore`: the task store for several nodes sharing one PostgreSQL database.
 *
 * ```ts
 * const store = new PostgresTaskStore({ connectionString: process.env.DATABASE_URL });
 * const engine = new TaskEngine({ store, handlers });
 * await engine.start(); // migrates the schema
 * ```
 *
 * - Every write is one compare-and-set statement, or one READ COMMITTED transaction where the
 *   decision needs the row first (insert, input); deadlocks are retried. A cancel, cascade
 *   included, is one statement (`sql/cancel.ts`).
 * - Claims use `FOR UPDATE SKIP LOCKED`; unique keys are a unique index; the per-owner cap is
 *   counted under an advisory lock.
 * - Changes are announced with NOTIFY in the same statement or transaction as the write; see
 *   `change-feed.ts` for delivery and for why the engine still polls as a fallback.
 * - Concurrent inserts (without a unique key or cap) and concurrent completes share statements
 *   (`group-commit.ts`): throughput under load without latency when idle.
 * - All SQL lives in this folder: `migrations/` (schema) and `sql/` (one file per group of verbs).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
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
import { ChangeFeed } from './change-feed.js';
import { schemaNames, type StoreContext } from './context.js';
import { Database } from './database.js';
import { GroupCommit } from './group-commit.js';
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

/** Every store verb, from one statement module per group of verbs (the same groups as the SQLite backend). */
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

/** How to reach the database, and which schema holds the store's tables. */
export interface PostgresTaskStoreOptions {
  /** Used to create a pool (and the LISTEN connection) when `pool` is not given. */
  connectionString?: string;
  /** The application's pool; it is not closed by `close()`. */
  pool?: pg.Pool;
  /** Schema holding the store's tables (default `carrel`): letters, digits and `_`, at most 48 characters. */
  schema?: string;
  /**
   * The longest the change feed stays deaf after its LISTEN connection drops: reconnection backs
   * off up to this (default 5 s). Notices sent meanwhile are lost; the engine's own `pollMs`
   * timer is what finds the changes they announced.
   */
  fallbackPollMs?: number;
}

/** The most calls one group-commit statement carries: bounds its parameters and its run time. */
const GROUP_MAX_ITEMS = 200;

/** A `TaskStore` on PostgreSQL: any number of processes on one database form a cluster. */
export class PostgresTaskStore implements TaskStore {
  readonly name = 'postgres';
  /** This instance's id in change notices. */
  readonly instanceId = randomBytes(9).toString('base64url');
  readonly #ctx: StoreContext;
  readonly #ops: Operations;
  readonly #feed: ChangeFeed;
  readonly #ownsPool: boolean;
  readonly #pool: pg.Pool;
  readonly #inserts: GroupCommit<{ task: NewTask; now: number }, InsertResult>;
  readonly #completes: GroupCommit<CompleteArgs, TaskRecord | null>;

  constructor(options: PostgresTaskStoreOptions) {
    const names = schemaNames(options.schema ?? 'carrel');
    if (!options.pool && !options.connectionString) throw new Error('PostgresTaskStore needs a connectionString or a pool');
    this.#ownsPool = !options.pool;
    this.#pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString });
    // An idle client that loses its connection emits 'error' on the pool; without a listener
    // that would crash the process. The next query simply gets a fresh connection.
    if (this.#ownsPool) this.#pool.on('error', () => undefined);
    this.#feed = new ChangeFeed({
      connection: options.pool ? { ...options.pool.options } : { connectionString: options.connectionString },
      channel: names.channel,
      origin: this.instanceId,
      maxReconnectDelayMs: options.fallbackPollMs ?? 5_000,
    });
    this.#ctx = {
      ...names,
      db: new Database(this.#pool, names.schema),
      origin: this.instanceId,
      deliver: (notices) => this.#feed.deliver(notices),
      deliverChanges: (changes) => this.#feed.deliverChanges(changes),
    };
    const ops = (this.#ops = prepareAll(this.#ctx));
    this.#inserts = new GroupCommit({
      one: ({ task, now }) => ops.insert(task, { maxLivePerOwner: null, now }),
      many: (items) => ops.insertMany(items.map((item) => item.task)),
      key: ({ task }) => task.id,
      maxItems: GROUP_MAX_ITEMS,
    });
    this.#completes = new GroupCommit({
      one: (args) => ops.complete(args),
      many: (calls) => ops.completeMany(calls),
      key: (args) => args.id,
      maxItems: GROUP_MAX_ITEMS,
    });
  }

  /**
   * Applies pending migrations (safe from several processes at once). If the change feed has a
   * subscriber, also waits until its LISTEN connection is up, so that once `engine.start()`
   * resolves, changes made by other nodes reach this one by push.
   */
  async migrate(): Promise<void> {
    await migrate(this.#ctx.db, this.#ctx.quotedSchema, this.#ctx.schema);
    await this.#feed.ready();
  }

  /** Ends the LISTEN connection, and the pool if this store created it. */
  async close(): Promise<void> {
    await this.#feed.close();
    if (this.#ownsPool) await this.#pool.end();
  }

  insert(task: NewTask, options: InsertOptions): Promise<InsertResult> {
    // A unique key or a cap needs reads and locks of its own, and a child its parent's lock: those inserts run alone.
    if (task.uniqueKey === null && options.maxLivePerOwner === null && task.parentId === null)
      return this.#inserts.submit({ task, now: options.now });
    return this.#ops.insert(task, options);
  }

  get(id: string): Promise<TaskRecord | null> {
    return this.#ops.get(id);
  }

  list(query: ListQuery): Promise<TaskRecord[]> {
    return this.#ops.list(query);
  }

  countTasks(args: CountTasksArgs): Promise<TaskCount[]> {
    return this.#ops.countTasks(args);
  }

  finishedTasks(args: FinishedTasksArgs): Promise<FinishedTask[]> {
    return this.#ops.finishedTasks(args);
  }

  claim(args: ClaimArgs): Promise<TaskRecord[]> {
    return this.#ops.claim(args);
  }

  heartbeat(args: HeartbeatArgs): Promise<string[]> {
    return this.#ops.heartbeat(args);
  }

  complete(args: CompleteArgs): Promise<TaskRecord | null> {
    return this.#completes.submit(args);
  }

  retry(args: RetryArgs): Promise<boolean> {
    return this.#ops.retry(args);
  }

  release(args: ReleaseArgs): Promise<boolean> {
    return this.#ops.release(args);
  }

  cancel(args: CancelArgs): Promise<CancelResult> {
    return this.#ops.cancel(args);
  }

  progress(args: ProgressArgs): Promise<boolean> {
    return this.#ops.progress(args);
  }

  requestInput(args: RequestInputArgs): Promise<RequestInputResult | null> {
    return this.#ops.requestInput(args);
  }

  respond(args: RespondArgs): Promise<RespondResult | null> {
    return this.#ops.respond(args);
  }

  forgetInput(args: ForgetInputArgs): Promise<boolean> {
    return this.#ops.forgetInput(args);
  }

  leaseHolders(args: LeaseHoldersArgs): Promise<string[]> {
    return this.#ops.leaseHolders(args);
  }

  rescueExpiredLeases(args: RescueArgs): Promise<number> {
    return this.#ops.rescueExpiredLeases(args);
  }

  reapExpired(args: ReapArgs): Promise<string[]> {
    return this.#ops.reapExpired(args);
  }

  subscribe(listener: (change: TaskChange) => void): () => void {
    return this.#feed.subscribe(listener);
  }

  takeToken(args: TakeTokenArgs): Promise<number> {
    return this.#ops.takeToken(args);
  }
}
