/**
 * The store's change feed: committed changes from every process sharing the schema.
 *
 * - Remote changes arrive by LISTEN on one dedicated connection per store instance, opened on
 *   the first `subscribe` and re-opened with backoff whenever it drops.
 * - Changes this instance writes are delivered to its own listeners right after they commit
 *   (the writing statement returns the notice it sent); the NOTIFY echo of them is recognised by
 *   the origin id it carries and skipped.
 * - NOTIFY is not durable: notices sent while the connection is down are lost. The engine does
 *   not rely on the feed alone; it re-checks waiters and claims work on a timer (`pollMs`).
 * - A NOTIFY payload must be shorter than 8000 bytes, so a notice carries ids and the status,
 *   never task data. A statement that writes many rows sends one notice carrying all its
 *   changes that fit (`notify_changes` in migrations/0002_batched_changes.sql), parsed once;
 *   single-row writes send 0001's one-task notice (`notify_change`).
 *
 * @module
 */
import pg from 'pg';
import type { TaskChange, TaskChangeKind } from '../../store.js';
import type { TaskStatus } from '../../task.js';

/** One task's change in a notice: `[taskId, owner, parentId, status, kinds]`. */
type NoticeChange = [string, string, string | null, TaskStatus, TaskChangeKind[]];

/**
 * The two notices the schema sends: `notify_changes` announces a statement's many changes at once
 * (and begins with the origin, so echoes are recognised by prefix); `notify_change` announces one task.
 */
type Notice =
  | { origin: string; changes: NoticeChange[] }
  | { origin: string; taskId: string; owner: string; parentId: string | null; status: TaskStatus; kinds: TaskChangeKind[] };

/** Where the feed listens, and who it is. */
export interface ChangeFeedOptions {
  /** Connection settings for the LISTEN client. */
  connection: pg.ClientConfig;
  channel: string;
  origin: string;
  /** The longest wait between reconnection attempts. */
  maxReconnectDelayMs: number;
}

const RECONNECT_MIN_MS = 50;

/** One store instance's view of the change feed: LISTEN for others' changes, direct delivery of its own. */
export class ChangeFeed {
  readonly #listeners = new Set<(change: TaskChange) => void>();
  #client: pg.Client | null = null;
  /** The current connection attempt; resolves once LISTEN is active. */
  #listening: Promise<void> | null = null;
  #retryTimer: NodeJS.Timeout | null = null;
  #failures = 0;
  #closed = false;
  /** How this instance's many-change notices begin: those echoes are skipped without parsing. */
  readonly #ownPrefix: string;

  constructor(private readonly options: ChangeFeedOptions) {
    this.#ownPrefix = `{"origin":${JSON.stringify(options.origin)},`;
  }

  subscribe(listener: (change: TaskChange) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#listening && !this.#closed) this.#connect();
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once the LISTEN connection is up (at once if nobody has subscribed); rejects if
   * the current connection attempt failed. Reconnecting continues in the background either way.
   */
  ready(): Promise<void> {
    return this.#listening ?? Promise.resolve();
  }

  /** Delivers notices this instance committed to its own listeners. */
  deliver(notices: readonly (string | null)[]): void {
    if (this.#listeners.size === 0) return;
    this.deliverChanges(notices.flatMap((notice) => (notice === null ? [] : expand(JSON.parse(notice) as Notice))));
  }

  /** Delivers changes this instance committed (built from the rows it wrote) to its own listeners. */
  deliverChanges(changes: readonly TaskChange[]): void {
    if (this.#listeners.size === 0 || changes.length === 0) return;
    // Like a database notification, delivered after the writer's own code has moved on.
    queueMicrotask(() => this.#dispatch(changes));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  #connect(): void {
    const client = new pg.Client({ ...this.options.connection, application_name: 'carrel-tasks-listen' });
    this.#client = client;
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      void client.end().catch(() => undefined);
      if (this.#client === client) this.#scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (message) => {
      if (message.channel === this.options.channel && message.payload) this.#receive(message.payload);
    });
    const attempt = (async () => {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(this.options.channel)}`);
      this.#failures = 0;
    })();
    attempt.catch(onLost);
    this.#listening = attempt;
  }

  #scheduleReconnect(): void {
    this.#client = null;
    if (this.#closed) return;
    const delay = Math.min(this.options.maxReconnectDelayMs, RECONNECT_MIN_MS * 2 ** this.#failures++);
    this.#retryTimer = setTimeout(
      () => {
        this.#retryTimer = null;
        if (!this.#closed) this.#connect();
      },
      delay * (0.5 + Math.random() / 2),
    );
    this.#retryTimer.unref();
  }

  #receive(payload: string): void {
    if (payload.startsWith(this.#ownPrefix)) return;
    let notice: Notice;
    try {
      notice = JSON.parse(payload) as Notice;
    } catch {
      return; // Not ours: someone else sent a NOTIFY on this channel.
    }
    if (notice.origin === this.options.origin) return;
    this.#dispatch(expand(notice));
  }

  #dispatch(changes: readonly TaskChange[]): void {
    for (const change of changes) for (const listener of this.#listeners) listener(change);
  }
}

/** The changes a notice carries; none if it is not one of ours (someone else's NOTIFY on this channel). */
function expand(notice: Notice): TaskChange[] {
  if ('changes' in notice && Array.isArray(notice.changes)) {
    return notice.changes.flatMap(([taskId, owner, parentId, status, kinds]) =>
      kinds.map((kind) => ({ taskId, owner, parentId, status, kind })),
    );
  }
  if ('kinds' in notice && Array.isArray(notice.kinds)) {
    const { taskId, owner, parentId, status, kinds } = notice;
    return kinds.map((kind) => ({ taskId, owner, parentId, status, kind }));
  }
  return [];
}
