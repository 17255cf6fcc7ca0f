/**
 * The per-owner token bucket on task creation: the limit comes with each creation, from the
 * caller's transport; the bucket is the store's (the contract suite's `rate.ts` shows it shared
 * by every process on a database).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, MemoryTaskStore } from '@carrel/tasks';
import { TaskRateLimitError } from '../../src/mcp/errors.js';
import { RateLimiter } from '../../src/mcp/rate-limit.js';

/** The error `take` rejects with, or undefined when it spent a token. */
const refusal = (limiter: RateLimiter, owner: string, limit: { perMinute: number; burst?: number }) =>
  limiter.take(owner, limit).then(
    () => undefined,
    (error: unknown) => error,
  );

describe('RateLimiter', () => {
  it('allows a burst, refuses beyond it with the time to wait, and refills at the sustained rate', async () => {
    let now = 0;
    const limiter = new RateLimiter(new MemoryTaskStore(), () => now);
    const limit = { perMinute: 60, burst: 2 };
    await limiter.take('alice', limit);
    await limiter.take('alice', limit);
    const refused = await refusal(limiter, 'alice', limit);
    expect(refused).toBeInstanceOf(TaskRateLimitError);
    expect((refused as TaskRateLimitError).retryAfterMs).toBe(1000);
    await limiter.take('bob', limit);
    now = 1000;
    await limiter.take('alice', limit);
    expect(await refusal(limiter, 'alice', limit)).toBeInstanceOf(TaskRateLimitError);
  });

  it('does nothing without a limit', async () => {
    const limiter = new RateLimiter(new MemoryTaskStore());
    for (let i = 0; i < 10_000; i++) await limiter.take('alice', null);
  });

  it('keeps a bucket per owner, each refilling by the limit it is taken under', async () => {
    let now = 0;
    const limiter = new RateLimiter(new MemoryTaskStore(), () => now);
    const narrow = { perMinute: 60, burst: 1 };
    const wide = { perMinute: 600, burst: 10 };
    await limiter.take('local:me', narrow);
    expect(await refusal(limiter, 'local:me', narrow)).toBeInstanceOf(TaskRateLimitError);
    for (let i = 0; i < 10; i++) await limiter.take('anonymous', wide);
    expect(await refusal(limiter, 'anonymous', wide)).toBeInstanceOf(TaskRateLimitError);
    now = 100; // a tenth of a second refills one creation at 600 a minute, a tenth of one at 60
    await limiter.take('anonymous', wide);
    expect(await refusal(limiter, 'local:me', narrow)).toBeInstanceOf(TaskRateLimitError);
  });

  it('refuses a limit no creation could pass, naming it', async () => {
    const limiter = new RateLimiter(new MemoryTaskStore());
    for (const limit of [{ perMinute: 0 }, { perMinute: 60, burst: 0.5 }, { perMinute: Number.NaN }])
      expect(await refusal(limiter, 'alice', limit)).toBeInstanceOf(InvalidArgumentError);
  });
});
