/**
 * The change feed of one SQLite store: every write records its changes as rows of
 * `carrel_task_changes` in the same transaction, so other processes can see them; this store's
 * own listeners get them straight after the commit, never before.
 *
 * Changes from other connections are found by a poller that runs only while someone listens. It
 * first asks `PRAGMA data_version`, which moves only when another connection commits, so an
 * idle feed costs one pragma per tick; when it moved, the poller reads `seq > lastSeen` (a range
 * of the primary key) and skips the seqs this store has already delivered itself. Old rows are
 * pruned in small batches from inside ordinary writes, about once a second.
 *
 * Reading `seq > lastSeen` is safe as a keyset only because a seq is taken and committed in the
 * same write transaction, and SQLite has one writer at a time: no row with a smaller seq can
 * commit after a larger one has been seen. (A rolled-back transaction gives its seq back, but
 * that row was never visible.)
 *
 * @module
 */
import type { Database, Statement } from 'better-sqlite3';
import type { TaskChange, TaskChangeKind } from '../../store.js';
import type { TaskStatus } from '../../task.js';
import { isBusy } from './errors.js';
import { changeOf, type ChangeColumns } from './task-row.js';

/** Records a change inside the caller's write transaction. */
export type RecordChange = (row: ChangeColumns, kind: TaskChangeKind) => void;

export interface ChangeFeedOptions {
  pollMs: number;
  retentionMs: number;
}

type Listener = (change: TaskChange) => void;

interface ChangeRow {
  seq: number;
  task_id: string;
  owner: string;
  parent_id: string | null;
  status: TaskStatus;
  kind: TaskChangeKind;
}

/** Rows read per poll; a full batch makes the next tick read again without asking data_version. */
const POLL_BATCH = 1_000;
/** Rows deleted per prune, so pruning never stalls a write for long. */
const PRUNE_BATCH = 5_000;

/**
 * Writes one change row inside the caller's write transaction and returns its seq. Used by the
 * feed for the store's own writes, and by `completeInTransaction` on an application's connection
 * (whose changes this store's poller then finds like any other process's).
 */
export function prepareChangeRow(db: Database): (change: TaskChange) => number {
  const insert = db.prepare<[string, string, string | null, TaskStatus, TaskChangeKind, number]>(
    'INSERT INTO carrel_task_changes (task_id, owner, parent_id, status, kind, at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return (change) =>
    Number(insert.run(change.taskId, change.owner, change.parentId, change.status, change.kind, Date.now()).lastInsertRowid);
}

interface FeedStatements {
  insert: (change: TaskChange) => number;
  after: Statement<[number, number], ChangeRow>;
  maxSeq: Statement<[], number | null>;
  dataVersion: Statement<[], number>;
  prune: Statement<[number, number]>;
}

function prepareFeed(db: Database): FeedStatements {
  return {
    insert: prepareChangeRow(db),
    after: db.prepare('SELECT seq, task_id, owner, parent_id, status, kind FROM carrel_task_changes WHERE seq > ? ORDER BY seq LIMIT ?'),
    maxSeq: db.prepare<[], number | null>('SELECT max(seq) FROM carrel_task_changes').pluck(),
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    // Looks at no more than the oldest PRUNE_BATCH rows, so a prune with nothing to do is cheap.
    prune: db.prepare(
      'DELETE FROM carrel_task_changes WHERE seq IN (SELECT seq FROM (SELECT seq, at FROM carrel_task_changes ORDER BY seq LIMIT ?) WHERE at < ?)',
    ),
  };
}

export class ChangeFeed {
  readonly #listeners = new Set<Listener>();
  readonly #pruneEveryMs: number;
  /** Null until the schema exists: the engine subscribes before it migrates. */
  #sql: FeedStatements | null = null;
  #pending: { seq: number; change: TaskChange }[] = [];
  #poller: NodeJS.Timeout | null = null;
  /** The newest seq read (or skipped as this store's own); null until polling has found where to start. */
  #lastSeen: number | null = null;
  /** data_version at the last read of the feed; null forces the next tick to read. */
  #seenVersion: number | null = null;
  /** Seqs this store delivered itself and its poller has not passed yet. */
  readonly #ownSeqs = new Set<number>();
  #lastPrune = 0;

  constructor(private readonly options: ChangeFeedOptions) {
    this.#pruneEveryMs = Math.min(1_000, options.retentionMs);
  }

  /** Prepares the feed's statements once the tables exist, and starts polling if someone already listens. */
  prepare(db: Database): void {
    if (this.#sql) return;
    this.#sql = prepareFeed(db);
    if (this.#listeners.size > 0) this.#startPolling(this.#sql);
  }

  readonly record: RecordChange = (row, kind) => {
    const change = changeOf(row, kind);
    this.#pending.push({ seq: this.#statements().insert(change), change });
  };

  /** Inside a write transaction: drops a batch of expired rows, at most about once a second. */
  pruneIfDue(): void {
    const now = Date.now();
    if (now - this.#lastPrune < this.#pruneEveryMs) return;
    this.#lastPrune = now;
    this.#statements().prune.run(PRUNE_BATCH, now - this.options.retentionMs);
  }

  /** After a commit: hands the transaction's changes to this store's listeners. */
  deliverCommitted(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    if (this.#listeners.size === 0) return;
    if (this.#poller) for (const { seq } of batch) this.#ownSeqs.add(seq);
    queueMicrotask(() => {
      for (const { change } of batch) for (const listener of this.#listeners) listener(change);
    });
  }

  /** After a rollback: the recorded changes never happened. */
  discardPending(): void {
    this.#pending = [];
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    if (!this.#poller && this.#sql) this.#startPolling(this.#sql);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stopPolling();
    };
  }

  close(): void {
    this.#listeners.clear();
    this.#stopPolling();
  }

  #statements(): FeedStatements {
    if (!this.#sql) throw new Error('The change feed was used before the schema was prepared');
    return this.#sql;
  }

  #startPolling(sql: FeedStatements): void {
    this.#ownSeqs.clear();
    this.#lastSeen = null;
    this.#startFrom(sql);
    // Not unref'd: like PostgreSQL's LISTEN connection, a store with listeners keeps its process
    // alive, so a worker process or a script awaiting another process's change does not exit
    // mid-wait. Unsubscribing the last listener or closing the store lets the process go.
    this.#poller = setInterval(() => this.#poll(sql), this.options.pollMs);
  }

  #stopPolling(): void {
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = null;
    this.#ownSeqs.clear();
  }

  /**
   * From now on: history before the first subscriber is not replayed. A lock (another connection
   * recovering the WAL, or holding the file exclusively) leaves the start to the next tick: the
   * connection has no busy timeout, so nothing here ever waits (see `busy-retry.ts`).
   */
  #startFrom(sql: FeedStatements): void {
    try {
      this.#seenVersion = sql.dataVersion.get() ?? null;
      this.#lastSeen = sql.maxSeq.get() ?? 0;
    } catch (error) {
      if (!isBusy(error)) throw error;
    }
  }

  #poll(sql: FeedStatements): void {
    if (this.#lastSeen === null) return this.#startFrom(sql);
    let rows: ChangeRow[];
    try {
      const version = sql.dataVersion.get() ?? null;
      if (version === this.#seenVersion) {
        // No other connection committed since the last read: every row past lastSeen is ours.
        for (const seq of this.#ownSeqs) this.#lastSeen = Math.max(this.#lastSeen, seq);
        this.#ownSeqs.clear();
        return;
      }
      rows = sql.after.all(this.#lastSeen, POLL_BATCH);
      this.#seenVersion = rows.length === POLL_BATCH ? null : version;
    } catch (error) {
      // A read can meet SQLITE_BUSY while another connection recovers the WAL; the next tick retries.
      if (isBusy(error)) return;
      throw error;
    }
    for (const row of rows) {
      this.#lastSeen = row.seq;
      if (this.#ownSeqs.delete(row.seq)) continue;
      const change: TaskChange = { taskId: row.task_id, owner: row.owner, parentId: row.parent_id, status: row.status, kind: row.kind };
      for (const listener of this.#listeners) listener(change);
    }
  }
}
