/**
 * The ingest worker's stand-in for an application's in-process embedder. A function cannot cross
 * into a worker thread, so the worker sends each batch of texts back to the thread that opened
 * the knowledge base, which calls the application's `embed` and answers with the vectors. Only
 * the embedding moves: reading, chunking, staging through the store writer, the cancel flag and
 * the publish of a job stay where they are for every embedder, so a job runs the same way
 * whichever embedder it uses. A cancel aborts the pending request here and on the other side.
 *
 * @module
 */
import type { Embedder, EmbedderWindow } from '../embedders/embedder.js';
import { WORDPIECE_ESTIMATE } from '../embedders/token-counter.js';
import type { FromWorker, ToWorker } from './jobs.js';
import { fromWire } from './wire-error.js';

/** How the worker is told to relay: the application embedder's id and dimension. */
export interface RelayedEmbedderConfig {
  kind: 'relayed';
  id: string;
  dims: number;
  /** The application embedder's window, so chunks are fitted here as they would be on its thread. */
  maxTokens: number;
}

type Answer = Extract<ToWorker, { type: 'embedded' }>;

/** See module comment. */
export class RelayedEmbedder implements Embedder {
  readonly id: string;
  readonly dims: number;
  readonly indexable = true;
  private readonly maxTokens: number;
  private nextRequest = 1;
  private readonly waiting = new Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>();

  constructor(
    config: RelayedEmbedderConfig,
    private readonly post: (msg: FromWorker) => void,
  ) {
    this.id = config.id;
    this.dims = config.dims;
    this.maxTokens = config.maxTokens;
  }

  async load(): Promise<void> {}

  window(): EmbedderWindow {
    return { maxTokens: this.maxTokens, counter: WORDPIECE_ESTIMATE };
  }

  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    signal?.throwIfAborted();
    const request = this.nextRequest++;
    return new Promise<Float32Array[]>((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(request);
        this.post({ type: 'embed-abort', request });
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(request, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.post({ type: 'embed', request, texts: [...texts] });
    });
  }

  /** Settles the request the main thread answered. */
  answer(msg: Answer): void {
    const waiting = this.waiting.get(msg.request);
    this.waiting.delete(msg.request);
    if ('refused' in msg) waiting?.reject(fromWire(msg.refused));
    else waiting?.resolve(msg.vectors);
  }
}
