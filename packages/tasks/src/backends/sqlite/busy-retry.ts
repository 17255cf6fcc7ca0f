/**
 * Waiting for another connection's lock without blocking the event loop. better-sqlite3 is
 * synchronous, and SQLite's own busy handler waits by sleeping the calling thread: with a busy
 * timeout, one write that meets another process's write transaction would stall every client
 * of this process (and its lease heartbeats) for as long as the lock is held. So the store's
 * connection has no busy timeout: a statement that meets a lock fails at once with SQLITE_BUSY,
 * and is tried again here on timers, with short growing delays, until the time allowed is up.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isBusy } from './errors.js';

/** The first wait after a busy attempt; each later wait doubles, up to `MAX_DELAY_MS`. */
const FIRST_DELAY_MS = 1;
/** Like SQLite's own busy handler, which sleeps at most 25 ms at a time before 100 ms steps. */
const MAX_DELAY_MS = 25;

/**
 * Runs `attempt` until it does not fail with a busy error (see `isBusy`), for at most
 * `timeoutMs`; then throws the last busy error. The first try runs at once, so an uncontended
 * call waits for nothing. `attempt` runs whole each time: it must leave nothing behind when it
 * throws (a transaction that rolled back).
 */
export async function whileBusy<T>(attempt: () => T, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (let delay = FIRST_DELAY_MS; ; delay = Math.min(delay * 2, MAX_DELAY_MS)) {
    try {
      return attempt();
    } catch (error) {
      const left = deadline - performance.now();
      if (!isBusy(error) || left <= 0) throw error;
      // Jitter, so that processes waiting for the same lock do not retry in step.
      await sleep(Math.min(left, delay * (0.5 + Math.random() / 2)));
    }
  }
}
