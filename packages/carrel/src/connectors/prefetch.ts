/**
 * Reading a connector's items ahead of the sync: one round trip per item would leave the source
 * (git, an HTTP API) idle while the sync stages the last batch.
 *
 * @module
 */

/**
 * Reads items in order, keeping up to `readAhead` requests in flight ahead of the one asked for.
 */
export class Prefetch<T> {
  private readonly pending = new Map<number, Promise<T>>();
  private next = 0;

  constructor(
    private readonly keys: readonly string[],
    private readonly read: (key: string) => Promise<T>,
    private readonly readAhead: number,
  ) {}

  /** The item at `index`, forgotten once taken; items are taken in order, each once. */
  take(index: number): Promise<T> {
    while (this.next < this.keys.length && this.next <= index + this.readAhead) {
      const request = this.read(this.keys[this.next]!);
      // Failures surface when that item is asked for, not as an unhandled rejection before.
      request.catch(() => undefined);
      this.pending.set(this.next++, request);
    }
    const request = this.pending.get(index)!;
    this.pending.delete(index);
    return request;
  }
}
