/** The per-owner token bucket on task creation. */
import { describe, expect, it } from 'vitest';
import { TaskRateLimitError } from '../../src/mcp/errors.js';
import { RateLimiter } from '../../src/mcp/rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst, refuses beyond it with the time to wait, and refills at the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ perMinute: 60, burst: 2 }, () => now);
    limiter.take('alice');
    limiter.take('alice');
    const refused = (() => {
      try {
        limiter.take('alice');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(TaskRateLimitError);
    expect((refused as TaskRateLimitError).retryAfterMs).toBe(1000);
    limiter.take('bob');
    now = 1000;
    limiter.take('alice');
    expect(() => limiter.take('alice')).toThrow(TaskRateLimitError);
  });

  it('does nothing when disabled', () => {
    const limiter = new RateLimiter(null);
    for (let i = 0; i < 10_000; i++) limiter.take('alice');
  });
});
