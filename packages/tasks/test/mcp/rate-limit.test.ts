/** The per-owner token bucket on task creation; the limit comes with each creation, from the caller's transport. */
import { describe, expect, it } from 'vitest';
import { TaskRateLimitError } from '../../src/mcp/errors.js';
import { RateLimiter } from '../../src/mcp/rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst, refuses beyond it with the time to wait, and refills at the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const limit = { perMinute: 60, burst: 2 };
    limiter.take('alice', limit);
    limiter.take('alice', limit);
    const refused = (() => {
      try {
        limiter.take('alice', limit);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(TaskRateLimitError);
    expect((refused as TaskRateLimitError).retryAfterMs).toBe(1000);
    limiter.take('bob', limit);
    now = 1000;
    limiter.take('alice', limit);
    expect(() => limiter.take('alice', limit)).toThrow(TaskRateLimitError);
  });

  it('does nothing without a limit', () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 10_000; i++) limiter.take('alice', null);
  });

  it('keeps a bucket per owner, each refilling by the limit it is taken under', () => {
    let now = 0;
    const limiter = new RateLimiter(() => now);
    const narrow = { perMinute: 60, burst: 1 };
    const wide = { perMinute: 600, burst: 10 };
    limiter.take('local:me', narrow);
    expect(() => limiter.take('local:me', narrow)).toThrow(TaskRateLimitError);
    for (let i = 0; i < 10; i++) limiter.take('anonymous', wide);
    expect(() => limiter.take('anonymous', wide)).toThrow(TaskRateLimitError);
    now = 100; // a tenth of a second refills one creation at 600 a minute, a tenth of one at 60
    limiter.take('anonymous', wide);
    expect(() => limiter.take('local:me', narrow)).toThrow(TaskRateLimitError);
  });
});
