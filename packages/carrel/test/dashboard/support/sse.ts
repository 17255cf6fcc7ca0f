/**
 * Reads a server-sent event stream in a test: events as they arrive, parsed.
 *
 * @module
 */

export interface ServerEvent {
  event: string;
  data: unknown;
}

/** An open stream's events, awaited one condition at a time. */
export class EventReader {
  readonly events: ServerEvent[] = [];
  readonly comments: string[] = [];
  ended = false;
  readonly #done: Promise<void>;
  #changed: () => void = () => {};

  constructor(response: Response) {
    this.#done = this.#read(response.body!.getReader());
  }

  /** Resolves with the first event satisfying `test` (already received or still to come); rejects if the stream ends first. */
  async next(test: (event: ServerEvent) => boolean): Promise<ServerEvent> {
    for (;;) {
      const found = this.events.find(test);
      if (found) return found;
      if (this.ended) throw new Error(`stream ended without the event; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => (this.#changed = resolve));
    }
  }

  /** Resolves when the server ends the stream. */
  finished(): Promise<void> {
    return this.#done;
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.#parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        this.#changed();
      }
    } catch {
      // A stream cut by the server's close ends like one it finished.
    }
    this.ended = true;
    this.#changed();
  }

  #parse(block: string): void {
    if (block.startsWith(':')) return void this.comments.push(block.slice(1).trim());
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
    const data = /^data: (.*)$/m.exec(block)?.[1];
    this.events.push({ event, data: data === undefined ? undefined : JSON.parse(data) });
  }
}
