/**
 * The local embedder spread over worker threads, each with its own ONNX session. One session
 * leaves cores idle during tokenization, pooling and the many small operators between the large
 * matrix products; sessions side by side keep them busy. Each session gets `cores / workers`
 * intra-op threads, so together they never run more threads than there are cores. Texts are cut
 * into batches of similar length (length-buckets.ts) and every batch goes to the next free thread.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { WireError } from '../ingest/jobs.js';
import { spawnWorker } from '../ingest/spawn-worker.js';
import { fromWire } from '../ingest/wire-error.js';
import type { Embedder, EmbedderWindow, LocalEmbedderConfig } from './embedder.js';
import { lengthBuckets } from './length-buckets.js';
import { LOCAL_DEFAULT_MODEL } from './local-embedder.js';
import type { TokenCounter } from './token-counter.js';
import { tokenizerCounter, WORDPIECE_ESTIMATE } from './token-counter.js';

/** Pool → thread: a batch to embed. */
export interface ToPoolWorker {
  id: number;
  texts: string[];
}

/** Thread → pool. */
export type FromPoolWorker =
  | { type: 'ready'; dims: number }
  | { type: 'failed'; error: WireError }
  | { type: 'embedded'; id: number; vectors: Float32Array[] }
  | { type: 'error'; id: number; error: WireError };

const ENTRY = new URL(`./local-pool-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);

interface Thread {
  worker: Worker;
  waiting: Map<number, { resolve: (v: Float32Array[]) => void; reject: (e: Error) => void }>;
}

/** See module comment. */
export class LocalEmbedderPool implements Embedder {
  readonly id: string;
  readonly indexable = true;
  private _dims: number | undefined;
  private threads: Thread[] | undefined;
  private loading: Promise<void> | undefined;
  private nextId = 1;
  /** The model's own tokenizer once loaded, as a single session counts (local-embedder.ts): a library's chunking must not depend on the number of threads. */
  private counter: TokenCounter = WORDPIECE_ESTIMATE;

  constructor(
    private readonly config: LocalEmbedderConfig,
    private readonly size: number,
  ) {
    this.id = `local:${config.model ?? LOCAL_DEFAULT_MODEL}`;
  }

  get dims(): number | undefined {
    return this._dims;
  }

  load(): Promise<void> {
    this.loading ??= this.start().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  /** 256 by default, as LocalEmbedder: 2 of them [CLS] and [SEP]. */
  window(): EmbedderWindow {
    return { maxTokens: (this.config.maxTokens ?? 256) - 2, counter: this.counter };
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    await this.load();
    const out = new Array<Float32Array>(texts.length);
    const batches = lengthBuckets(texts, this.config.batchSize ?? 32);
    // Each thread takes the next batch when it finishes one, so a thread with long texts does not hold the others up.
    await Promise.all(
      this.threads!.map(async (thread) => {
        for (let batch = batches.shift(); batch; batch = batches.shift()) {
          signal?.throwIfAborted();
          const vectors = await this.send(
            thread,
            batch.map((i) => texts[i]!),
          );
          batch.forEach((i, j) => (out[i] = vectors[j]!));
        }
      }),
    );
    return out;
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    const threads = this.threads ?? [];
    this.threads = undefined;
    this.loading = undefined;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private async start(): Promise<void> {
    const threadsEach = Math.max(1, Math.floor(availableParallelism() / this.size));
    const started = Array.from({ length: this.size }, () => {
      const worker = spawnWorker(ENTRY, { ...this.config, threads: threadsEach });
      // Referenced only while it has batches: an idle pool must not keep a process alive.
      worker.unref();
      return worker;
    });
    try {
      const dims = await Promise.all(started.map((w) => ready(w)));
      this._dims = dims[0];
      this.counter = await modelTokenizer(this.config);
    } catch (err) {
      await Promise.all(started.map((w) => w.terminate()));
      throw err;
    }
    this.threads = started.map((worker) => {
      const thread: Thread = { worker, waiting: new Map() };
      worker.on('message', (msg: FromPoolWorker) => {
        if (msg.type !== 'embedded' && msg.type !== 'error') return;
        const waiting = thread.waiting.get(msg.id);
        thread.waiting.delete(msg.id);
        if (thread.waiting.size === 0) worker.unref();
        if (msg.type === 'embedded') waiting?.resolve(msg.vectors);
        else waiting?.reject(fromWire(msg.error));
      });
      worker.on('error', (err) => {
        for (const w of thread.waiting.values()) w.reject(err);
        thread.waiting.clear();
      });
      return thread;
    });
  }

  private send(thread: Thread, texts: string[]): Promise<Float32Array[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.waiting.set(id, { resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage({ id, texts } satisfies ToPoolWorker);
    });
  }
}

/** The model's tokenizer, loaded on this thread from the files the sessions have loaded (so never downloaded). */
async function modelTokenizer(config: LocalEmbedderConfig): Promise<TokenCounter> {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  const model = config.model ?? LOCAL_DEFAULT_MODEL;
  if (config.cacheDir) env.cacheDir = config.cacheDir;
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const tokenizer = await AutoTokenizer.from_pretrained(model);
  return tokenizerCounter(model, (text) => tokenizer.encode(text, { add_special_tokens: false }).length);
}

/** Resolves with the thread's model dimension once its session is loaded. */
function ready(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: FromPoolWorker) => {
      if (msg.type === 'ready') resolve(msg.dims);
      else if (msg.type === 'failed') reject(fromWire(msg.error));
      else return;
      worker.off('message', onMessage);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}
