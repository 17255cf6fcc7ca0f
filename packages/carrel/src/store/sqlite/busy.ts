/**
 * Waiting for the write lock without freezing the thread. better-sqlite3 is synchronous: with a
 * busy timeout, a write that meets another connection's write transaction spins in SQLite's busy
 * handler and the whole event loop stops with it (every client of the server, pings included).
 * The main thread's connection therefore has no busy timeout: a write that finds the lock taken
 * fails at once with SQLITE_BUSY, and is tried again on a timer until the lock frees or the wait
 * limit passes. Worker threads, which serve nobody else, keep SQLite's own busy wait.
 *
 * @module
 */
import { StoreBusyError } from '../../errors.js';
import { WRITE_WAIT_MS } from '../repository.js';

/** Whether `error` is SQLite saying another connection holds the lock (the same write may succeed later). */
export function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** `error` as a StoreBusyError when it is a busy error, otherwise unchanged. */
export function busyAsStoreError(error: unknown, waitedMs = WRITE_WAIT_MS): unknown {
  return isBusy(error) ? new StoreBusyError(waitedMs) : error;
}

/**
 * Runs `write` (one transaction, on a connection without a busy timeout); while the lock is taken,
 * retries after 1, 2, 4 … 50 ms, never blocking the event loop. Throws StoreBusyError after `waitMs`.
 */
export async function writeWhenFree<T>(write: () => T, waitMs = WRITE_WAIT_MS): Promise<T> {
  const started = Date.now();
  for (let delay = 1; ; delay = Math.min(50, delay * 2)) {
    try {
      return write();
    } catch (error) {
      if (!isBusy(error)) throw error;
      if (Date.now() - started >= waitMs) throw new StoreBusyError(Date.now() - started);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
