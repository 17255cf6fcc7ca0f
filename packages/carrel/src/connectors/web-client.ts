/**
 * The crawler's one way to the network: every request goes through the guarded fetch of
 * `src/sources/url-source.ts` (timeout, size cap, capped redirects, the private-address guard on
 * every hop), one at a time, at least `delayMs` after the previous one ended, and not at all once
 * the sync is cancelled.
 *
 * @module
 */
import type { FetchedResponse, FetchLimits, ResponseOptions } from '../sources/url-source.js';
import { fetchResponse } from '../sources/url-source.js';

/** Waits `ms`, or rejects with the signal's reason when it aborts first. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real {@link Sleep}. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** See module comment. */
export class PoliteClient {
  /** Milliseconds between the end of one request and the start of the next. */
  delayMs = 0;
  private requested = false;

  constructor(
    private readonly limits: FetchLimits,
    private readonly signal: AbortSignal,
    private readonly wait: Sleep,
  ) {}

  /** True once the sync is cancelled. */
  get cancelled(): boolean {
    return this.signal.aborted;
  }

  /** Requests `href` after the politeness delay; throws the signal's reason once the sync is cancelled. */
  async request(href: string, options: Omit<ResponseOptions, 'signal'> = {}): Promise<FetchedResponse> {
    this.signal.throwIfAborted();
    if (this.requested && this.delayMs > 0) await this.wait(this.delayMs, this.signal);
    this.requested = true;
    return fetchResponse(href, this.limits, { ...options, signal: this.signal });
  }
}
