/**
 * A per-owner token bucket on task creation (spec 2025-11-25 §security: receivers SHOULD rate-limit
 * task operations). The bucket is kept in the task store (`TaskStore.takeToken`), so every process
 * sharing the store spends from the same one: the nodes of a cluster behind a load balancer, or a
 * server and the CLI beside it. The limit is the owner's, wherever their requests land. It comes
 * with each creation, from the caller's transport (each transport has its own default: see
 * `transports/`).
 *
 * @module
 */
import { InvalidArgumentError } from '../errors.js';
import type { TaskStore } from '../store.js';
import { TaskRateLimitError } from './errors.js';

export interface RateLimit {
  /** Tasks an owner may create per minute, sustained. */
  perMinute: number;
  /** Tasks an owner may create at once after a quiet period (default: `perMinute`). */
  burst?: number;
}

export class RateLimiter {
  constructor(
    private readonly store: TaskStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Spends one creation for `owner` under `limit` (null: no limit), or throws `TaskRateLimitError` naming when to retry. */
  async take(owner: string, limit: RateLimit | null): Promise<void> {
    if (limit === null) return;
    const burst = limit.burst ?? limit.perMinute;
    if (!(limit.perMinute > 0 && Number.isFinite(limit.perMinute)) || !(burst >= 1 && Number.isFinite(burst)))
      throw new InvalidArgumentError('rateLimit', 'perMinute above 0 and a burst of at least 1');
    const waitMs = await this.store.takeToken({ owner, perMinute: limit.perMinute, burst, now: this.now() });
    if (waitMs > 0) throw new TaskRateLimitError(waitMs);
  }
}
