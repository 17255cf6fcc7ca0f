/**
 * The main-thread side of the ingest worker: starts it lazily, sends jobs, turns an AbortSignal
 * into the shared cancel flag the worker polls between batches, forwards progress, and revives
 * errors. Jobs run one at a time in the worker, in submission order.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { FromWorker, IngestJob, IngestResult, ToWorker } from './jobs.js';
import { spawnWorker } from './spawn-worker.js';
import { fromWire } from './wire-error.js';
import type { WorkerConfig } from './worker.js';

/** Reports progress: units done, units in total, and a short message. */
export type ProgressCallback = (current: number, total: number, message: string) => void;

/** Per-call options of every long operation. */
export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

interface Pending {
  resolve: (r: IngestResult) => void;
  reject: (e: Error) => void;
  onProgress: ProgressCallback | undefined;
}

/** See module comment. */
export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly config: WorkerConfig) {}

  /** Runs a job in the worker. Rejects with IngestCancelledError after a cancel. */
  run(job: IngestJob, options: RunOptions = {}): Promise<IngestResult> {
    const worker = this.start();
    const id = this.nextId++;
    const abort = new SharedArrayBuffer(4);
    const flag = new Int32Array(abort);
    const onAbort = () => Atomics.store(flag, 0, 1);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.ref();
    return new Promise<IngestResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress: options.onProgress });
      worker.postMessage({ type: 'job', id, job, abort } satisfies ToWorker);
    }).finally(() => options.signal?.removeEventListener('abort', onAbort));
  }

  /** Lets queued jobs finish, then stops the worker. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref(); // keep the process alive until the worker has finished its queue and exited
    worker.postMessage({ type: 'close' } satisfies ToWorker);
    await exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker('worker', this.config);
    worker.on('message', (msg: FromWorker) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'progress') p.onProgress?.(msg.current, msg.total, msg.message);
      else {
        this.pending.delete(msg.id);
        if (this.pending.size === 0) worker.unref();
        if (msg.type === 'done') p.resolve(msg.result);
        else p.reject(fromWire(msg.error));
      }
    });
    const failAll = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`The ingest worker exited (code ${code})`)));
    // Referenced only while jobs are pending: an idle worker must not keep a CLI process alive.
    this.worker = worker;
    return worker;
  }
}
