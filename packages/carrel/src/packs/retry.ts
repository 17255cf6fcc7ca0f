/**
 * Fetching again after a transient failure only: a timeout, a cut connection, HTTP 429 or 5xx
 * (see `fetchBody`), waiting what the server's `Retry-After` asks or else an exponential backoff.
 * A 4xx, a refused address, an oversized or malformed body are answers, not accidents: they fail
 * at once.
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FetchFailedError } from '../errors.js';
import { retryAfterMs } from '../sources/retry-after.js';

/** How often and how long to try. */
export interface RetryPolicy {
  attempts: number;
  /** The first backoff; each next one doubles. */
  baseDelayMs: number;
  /** No wait is longer, whatever `Retry-After` asks. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/** Runs `fetch` until it succeeds, fails for good, or `policy.attempts` are spent. */
export async function withRetries<T>(
  fetch: () => Promise<T>,
  signal: AbortSignal | undefined,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch();
    } catch (error) {
      const data = error instanceof FetchFailedError ? (error.data as { transient?: boolean; retryAfter?: string }) : undefined;
      if (!data?.transient || attempt >= policy.attempts) throw error;
      const asked = retryAfterMs(data.retryAfter);
      await sleep(Math.min(asked ?? policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs), undefined, { signal });
    }
  }
}
