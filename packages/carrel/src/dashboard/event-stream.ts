/**
 * One server-sent event stream with a bounded backlog. Events wait in memory only while the
 * client is slower than they come; past `maxPending` the backlog is dropped for a single
 * `resync` event (the page reloads what it shows), so a stalled client costs a bounded amount of
 * memory however busy the server is. The body is pulled: nothing is written until the socket
 * wants more.
 *
 * @module
 */

const encoder = new TextEncoder();

/** A `text/event-stream` body fed by `send`. */
export class EventStream {
  readonly body: ReadableStream<Uint8Array>;
  #pending: string[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  readonly #onClose: () => void;

  constructor(
    private readonly maxPending: number,
    onClose: () => void,
  ) {
    this.#onClose = onClose;
    this.body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          while (this.#pending.length === 0 && !this.#closed) await new Promise<void>((resolve) => (this.#wake = resolve));
          if (this.#pending.length > 0) controller.enqueue(encoder.encode(this.#pending.splice(0).join('')));
          else controller.close();
        },
        // The client went away (the HTTP adapter cancels the body): stop feeding it.
        cancel: () => this.close(),
      },
      // Pull only when the reader asks: the backlog lives in `#pending`, where it is bounded.
      { highWaterMark: 0 },
    );
  }

  /** Queues one event (`data` as JSON); a backlog past its bound becomes one `resync`. */
  send(event: string, data: unknown): void {
    this.#push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Queues a comment line (keep-alive: proxies close streams that stay silent). */
  comment(text: string): void {
    this.#push(`: ${text}\n\n`);
  }

  /** Ends the stream once what is queued has been read; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeReader();
    this.#onClose();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #push(chunk: string): void {
    if (this.#closed) return;
    if (this.#pending.length >= this.maxPending) this.#pending = ['event: resync\ndata: {}\n\n'];
    else this.#pending.push(chunk);
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
