/**
 * What `Retry-After` asks for (delay-seconds or an HTTP date), and which failures are tried again.
 */
import { describe, expect, it } from 'vitest';
import { FetchFailedError } from 'carrel';
import { withRetries } from '../../src/packs/retry.js';
import { retryAfterMs } from '../../src/sources/retry-after.js';

const policy = { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 };

describe('pack fetch retries', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('tries a transient failure again up to the attempts allowed, and anything else once', async () => {
    let calls = 0;
    const transient = () => {
      calls++;
      return Promise.reject(new FetchFailedError('https://x/p.json', 'HTTP 503', { status: 503, transient: true }));
    };
    await expect(withRetries(transient, undefined, policy)).rejects.toThrow('HTTP 503');
    expect(calls).toBe(3);
    calls = 0;
    const permanent = () => {
      calls++;
      return Promise.reject(new FetchFailedError('https://x/p.json', 'HTTP 403', { status: 403, transient: false }));
    };
    await expect(withRetries(permanent, undefined, policy)).rejects.toThrow('HTTP 403');
    expect(calls).toBe(1);
    let tries = 0;
    expect(await withRetries(() => (++tries < 2 ? transient() : Promise.resolve('ok')), undefined, policy)).toBe('ok');
  });
});
