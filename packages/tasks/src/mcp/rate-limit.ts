/**
 * A per-owner token bucket on task creation (spec 2025-11-25 §security: receivers SHOULD rate-limit
 * task operations). Kept in process: it bounds what one server instance accepts from one owner.
 * The limit comes with each creation, from the caller's transport (each transport has its own
 * default: see `transports/`); the bucket belongs to the owner.
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

/** One bucket per owner: the tokens left, the time they were counted, and the limit they refill by. */
interface Bucket {
  tokens: number;
  at: number;
  ratePerMs: number;
  burst: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Spends one creation for `owner` under `limit` (null: no limit), or throws `TaskRateLimitError` naming when to retry. */
  take(owner: string, limit: RateLimit | null): void {
    if (limit === null) return;
    const now = this.now();
    const ratePerMs = limit.perMinute / 60_000;
    const burst = limit.burst ?? limit.perMinute;
    const bucket = this.#buckets.get(owner) ?? { tokens: burst, at: now, ratePerMs, burst };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * ratePerMs);
    Object.assign(bucket, { at: now, ratePerMs, burst });
    if (bucket.tokens < 1) throw new TaskRateLimitError(Math.ceil((1 - bucket.tokens) / ratePerMs));
    bucket.tokens -= 1;
    this.#buckets.set(owner, bucket);
    if (this.#buckets.size > 10_000) this.#forgetFull(now);
  }

  /** Drops buckets that have refilled: they hold no state worth keeping. */
  #forgetFull(now: number): void {
    for (const [owner, bucket] of this.#buckets)
      if (bucket.tokens + (now - bucket.at) * bucket.ratePerMs >= bucket.burst) this.#buckets.delete(owner);
  }
}
