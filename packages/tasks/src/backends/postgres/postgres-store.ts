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
 *   decision needs the row first (insert, cancel, input); deadlocks are retried.
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
import type { InsertResult, ListQuery, NewTask, RequestInputResult, RespondResult, TaskChange, TaskStore } from '../../store.js';
import type { TaskRecord } from '../../task.js';
import { ChangeFeed } from './change-feed.js';
import type { StoreContext } from './context.js';
import { Database } from './database.js';
import { migrate } from './migrate.js';
import { cancelTask } from './sql/cancel.js';
import { claimTasks, heartbeatLeases } from './sql/claim.js';
import { completeTask, completeTasks, releaseTask, retryTask } from './sql/finish.js';
import { GroupCommit } from './group-commit.js';
import { requestInput, respond } from './sql/input.js';
import { insertTask, insertTasks } from './sql/insert.js';
import { recordProgress } from './sql/progress.js';
import { getTask, listTasks } from './sql/read.js';
import { reapExpired, rescueExpiredLeases } from './sql/upkeep.js';

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

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,47}$/;

/** A `TaskStore` on PostgreSQL: any number of processes on one database form a cluster. */
export class PostgresTaskStore implements TaskStore {
  readonly name = 'postgres';
  /** This instance's id in change notices. */
  readonly instanceId = randomBytes(9).toString('base64url');
  readonly #ctx: StoreContext;
  readonly #feed: ChangeFeed;
  readonly #ownsPool: boolean;
  readonly #pool: pg.Pool;
  readonly #inserts: GroupCommit<{ task: NewTask; now: number }, InsertResult>;
  readonly #completes: GroupCommit<Parameters<TaskStore['complete']>[0], TaskRecord | null>;

  constructor(options: PostgresTaskStoreOptions) {
    const schema = options.schema ?? 'carrel';
    if (!SCHEMA_NAME.test(schema))
      throw new Error(
        `Invalid PostgreSQL schema name "${schema}": use letters, digits and _ (at most 48 characters, not starting with a digit)`,
      );
    if (!options.pool && !options.connectionString) throw new Error('PostgresTaskStore needs a connectionString or a pool');
    this.#ownsPool = !options.pool;
    this.#pool = options.pool ?? new pg.Pool({ connectionString: options.connectionString });
    // An idle client that loses its connection emits 'error' on the pool; without a listener
    // that would crash the process. The next query simply gets a fresh connection.
    if (this.#ownsPool) this.#pool.on('error', () => undefined);
    const quotedSchema = pg.escapeIdentifier(schema);
    const channel = `${schema}.task_changes`;
    this.#feed = new ChangeFeed({
      connection: options.pool ? { ...options.pool.options } : { connectionString: options.connectionString },
      channel,
      origin: this.instanceId,
      maxReconnectDelayMs: options.fallbackPollMs ?? 5_000,
    });
    this.#ctx = {
      db: new Database(this.#pool, schema),
      schema,
      quotedSchema,
      tasks: `${quotedSchema}.tasks`,
      notifyFn: `${quotedSchema}.notify_change`,
      notifyManyFn: `${quotedSchema}.notify_changes`,
      channel,
      origin: this.instanceId,
      deliver: (notices) => this.#feed.deliver(notices),
      deliverChanges: (changes) => this.#feed.deliverChanges(changes),
    };
    const ctx = this.#ctx;
    this.#inserts = new GroupCommit({
      one: ({ task, now }) => insertTask(ctx, task, { maxLivePerOwner: null, now }),
      many: (items) =>
        insertTasks(
          ctx,
          items.map((item) => item.task),
        ),
      key: ({ task }) => task.id,
      maxItems: GROUP_MAX_ITEMS,
    });
    this.#completes = new GroupCommit({
      one: (args) => completeTask(ctx, args),
      many: (calls) => completeTasks(ctx, calls),
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

  insert(task: NewTask, options: { maxLivePerOwner: number | null; now: number }): Promise<InsertResult> {
    // A unique key or a cap needs reads and locks of its own: those inserts run alone.
    if (task.uniqueKey === null && options.maxLivePerOwner === null) return this.#inserts.submit({ task, now: options.now });
    return insertTask(this.#ctx, task, options);
  }

  get(id: string): Promise<TaskRecord | null> {
    return getTask(this.#ctx, id);
  }

  list(query: ListQuery): Promise<TaskRecord[]> {
    return listTasks(this.#ctx, query);
  }

  claim(args: Parameters<TaskStore['claim']>[0]): Promise<TaskRecord[]> {
    return claimTasks(this.#ctx, args);
  }

  heartbeat(args: Parameters<TaskStore['heartbeat']>[0]): Promise<string[]> {
    return heartbeatLeases(this.#ctx, args);
  }

  complete(args: Parameters<TaskStore['complete']>[0]): Promise<TaskRecord | null> {
    return this.#completes.submit(args);
  }

  retry(args: Parameters<TaskStore['retry']>[0]): Promise<boolean> {
    return retryTask(this.#ctx, args);
  }

  release(args: Parameters<TaskStore['release']>[0]): Promise<boolean> {
    return releaseTask(this.#ctx, args);
  }

  cancel(args: Parameters<TaskStore['cancel']>[0]): Promise<{ task: TaskRecord | null; changed: boolean }> {
    return cancelTask(this.#ctx, args);
  }

  progress(args: Parameters<TaskStore['progress']>[0]): Promise<boolean> {
    return recordProgress(this.#ctx, args);
  }

  requestInput(args: Parameters<TaskStore['requestInput']>[0]): Promise<RequestInputResult | null> {
    return requestInput(this.#ctx, args);
  }

  respond(args: Parameters<TaskStore['respond']>[0]): Promise<RespondResult | null> {
    return respond(this.#ctx, args);
  }

  rescueExpiredLeases(args: { now: number }): Promise<number> {
    return rescueExpiredLeases(this.#ctx, args);
  }

  reapExpired(args: { now: number; limit: number }): Promise<string[]> {
    return reapExpired(this.#ctx, args);
  }

  subscribe(listener: (change: TaskChange) => void): () => void {
    return this.#feed.subscribe(listener);
  }
}
