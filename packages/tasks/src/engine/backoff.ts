/**
 * Retry delays: exponential with "equal jitter", so a burst of failures spreads out instead of
 * retrying in lockstep, while every retry still waits at least half the nominal delay.
 *
 * @module
 */

/** Returns the delay before attempt `attempt + 1`, given that attempt `attempt` (1-based) failed. */
export type Backoff = (attempt: number) => number;

export interface ExponentialBackoffOptions {
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

export function exponentialBackoff({ baseMs = 1_000, maxMs = 5 * 60_000, random = Math.random }: ExponentialBackoffOptions = {}): Backoff {
  return (attempt) => {
    const nominal = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(nominal / 2 + (random() * nominal) / 2);
  };
}
