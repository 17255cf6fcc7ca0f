/**
 * A per-owner token bucket on task creation (spec 2025-11-25 §security: receivers SHOULD rate-limit
 * task operations). Kept in process: it bounds what one server instance accepts from one owner.
 *
 * @module
 */
import { TaskRateLimitError } from './errors.js';

export interface RateLimit {
  /** Tasks an owner may create per minute, sustained. */
  perMinute: number;
  /** Tasks an owner may create at once after a quiet period (default: `perMinute`). */
  burst?: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #ratePerMs: number;
  readonly #burst: number;

  constructor(
    limit: RateLimit | null,
    private readonly now: () => number = Date.now,
  ) {
    this.#ratePerMs = limit ? limit.perMinute / 60_000 : Infinity;
    this.#burst = limit ? (limit.burst ?? limit.perMinute) : Infinity;
  }

  /** Spends one creation for `owner`, or throws `TaskRateLimitError` naming when to retry. */
  take(owner: string): void {
    if (this.#burst === Infinity) return;
    const now = this.now();
    const bucket = this.#buckets.get(owner) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#ratePerMs);
    bucket.at = now;
    if (bucket.tokens < 1) throw new TaskRateLimitError(Math.ceil((1 - bucket.tokens) / this.#ratePerMs));
    bucket.tokens -= 1;
    this.#buckets.set(owner, bucket);
    if (this.#buckets.size > 10_000) this.#forgetFull(now);
  }

  /** Drops buckets that have refilled: they hold no state worth keeping. */
  #forgetFull(now: number): void {
    for (const [owner, bucket] of this.#buckets)
      if (bucket.tokens + (now - bucket.at) * this.#ratePerMs >= this.#burst) this.#buckets.delete(owner);
  }
}
