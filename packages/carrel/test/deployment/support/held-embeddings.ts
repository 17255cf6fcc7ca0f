/**
 * An OpenAI-compatible embeddings endpoint on 127.0.0.1 for the cluster tests and bench: a request
 * whose texts hold a marker word (`HOLD` followed by capitals or digits, e.g. `HOLDKILL`) is never
 * answered until that marker is released, so a test knows an ingest is under way, and on which
 * request; every other request is answered at once. It reports when a held request arrives and
 * when its client drops it (the node cancelled the ingest, or died).
 */
import { EventEmitter, once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const MARKER = /\bHOLD[A-Z0-9]*\b/;

export class HeldEmbeddings {
  readonly #server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => this.#answer(body, res));
  });
  readonly #events = new EventEmitter();
  readonly #released = new Set<string>();
  /** Requests held now (the response and the texts to answer), by marker. */
  readonly #held = new Map<string, Map<ServerResponse, string[]>>();
  /** Requests ever held, by marker. */
  readonly #heldTotal = new Map<string, number>();

  private constructor() {
    this.#events.setMaxListeners(0);
  }

  static async start(): Promise<HeldEmbeddings> {
    const endpoint = new HeldEmbeddings();
    await new Promise<void>((resolve) => endpoint.#server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  /** The base URL (`…/v1`) for `CARREL_OPENAI_BASE_URL`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`;
  }

  /** Resolves once `count` requests carrying `marker` have been held (counting those already dropped). */
  async held(marker: string, count = 1): Promise<void> {
    while ((this.#heldTotal.get(marker) ?? 0) < count) await once(this.#events, `held:${marker}`);
  }

  /**
   * Resolves with the time (`performance.now()`) a held request carrying `marker` is next dropped by
   * its client: call it before what makes the client drop it.
   */
  async dropped(marker: string): Promise<number> {
    const [at] = (await once(this.#events, `dropped:${marker}`)) as [number];
    return at;
  }

  /** Answers requests carrying `marker` from now on; those held now are answered too, if their client still waits. */
  release(marker: string): void {
    this.#released.add(marker);
    for (const [res, texts] of this.#held.get(marker) ?? []) if (!res.destroyed) reply(res, texts);
    this.#held.delete(marker);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #answer(body: string, res: ServerResponse): void {
    const input = (JSON.parse(body) as { input: string | string[] }).input;
    const texts = Array.isArray(input) ? input : [input];
    const marker = texts.map((text) => MARKER.exec(text)?.[0]).find((found) => found !== undefined);
    if (marker === undefined || this.#released.has(marker)) return reply(res, texts);
    const held = this.#held.get(marker) ?? new Map<ServerResponse, string[]>();
    this.#held.set(marker, held.set(res, texts));
    this.#heldTotal.set(marker, (this.#heldTotal.get(marker) ?? 0) + 1);
    res.on('close', () => {
      if (res.writableEnded) return;
      held.delete(res);
      this.#events.emit(`dropped:${marker}`, performance.now());
    });
    this.#events.emit(`held:${marker}`);
  }
}

/** A vector that depends on the text alone, so the same chunk gets the same vector in any batch. */
function reply(res: ServerResponse, texts: readonly string[]): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ data: texts.map((text, index) => ({ index, embedding: vectorOf(text) })) }));
}

function vectorOf(text: string): number[] {
  const vector = [1, 0, 0, 0];
  for (let i = 0; i < text.length; i++) vector[1 + (i % 3)]! += text.charCodeAt(i) / 1000;
  return vector;
}
