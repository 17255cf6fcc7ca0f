/**
 * The main-thread side of the ingest worker: starts it lazily, sends jobs, turns an AbortSignal
 * into the shared cancel flag the worker reads between batches and a `cancel` message that aborts
 * the request it waits on, forwards progress, answers a job's "everything is staged" with its
 * task's completion, and revives errors. Jobs run one at a time in the worker, in submission order.
 *
 * A cancelled job that does not stop within {@link CANCEL_GRACE_MS} (stuck in a parser on hostile
 * input, say) is not waited for: the worker thread is terminated — its open transaction rolls back
 * — and the next job starts a fresh one. Jobs queued behind it fail and their callers may retry.
 *
 * With an application's in-process embedder, the worker sends its batches back here and this
 * side calls the embedder (see relayed-embedder.ts for why).
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { TaskCompletion } from '@carrel/tasks';
import type { Embedder } from '../embedders/embedder.js';
import { IngestCancelledError } from '../errors.js';
import type { FromWorker, IngestJob, IngestResult, JobSpec, ToWorker } from './jobs.js';
import { spawnWorker } from './spawn-worker.js';
import { fromWire, toWire } from './wire-error.js';
import type { WorkerConfig } from './worker.js';

/** Reports progress: units done, units in total, and a short message. */
export type ProgressCallback = (current: number, total: number, message: string) => void;

/** Per-call options of every long operation. */
export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /**
   * The task the operation works for. Its writes are kept under the task's id, so a re-run of the
   * task after a crash resumes them; and `complete`, when given, turns the result into the task's
   * completion, committed in the same transaction that makes the writes visible (a cancel either
   * comes first and nothing is written, or comes after and finds the task completed).
   */
  task?: { id: string; complete?(result: IngestResult): TaskCompletion | Promise<TaskCompletion> };
}

/** How long a cancelled job may take to stop before its worker thread is terminated. */
export const CANCEL_GRACE_MS = 2_000;

interface Pending {
  resolve: (r: IngestResult) => void;
  reject: (e: Error) => void;
  options: RunOptions;
  job: IngestJob;
  abort: SharedArrayBuffer;
  runId?: number;
}

/** See module comment. */
export class WorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Embedding requests of the worker being answered, by request number. */
  private readonly embedding = new Map<number, AbortController>();

  /**
   * `onAbandoned` gets the run of a job whose worker was terminated, to discard it when no task
   * will resume it. `relayTo` answers the worker's embedding requests when the config says
   * `relayed`. `entry` is the worker module (tests give their own).
   */
  constructor(
    private readonly config: WorkerConfig,
    private readonly onAbandoned: (runId: number) => void,
    private readonly options: { relayTo?: Embedder; entry?: string | URL } = {},
  ) {}

  /** Runs a job in the worker. Rejects with IngestCancelledError after a cancel. */
  run(job: JobSpec, options: RunOptions = {}): Promise<IngestResult> {
    const worker = this.start();
    const id = this.nextId++;
    const abort = new SharedArrayBuffer(4);
    const flag = new Int32Array(abort);
    let stuck: NodeJS.Timeout | undefined;
    const onAbort = () => {
      Atomics.store(flag, 0, 1);
      // To the thread running now: a job resubmitted to a fresh thread keeps its id.
      this.worker?.postMessage({ type: 'cancel', id } satisfies ToWorker);
      stuck = setTimeout(() => this.terminateStuck(id), CANCEL_GRACE_MS);
      stuck.unref();
    };
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.ref();
    const full: IngestJob = { ...job, taskId: options.task?.id ?? null };
    return new Promise<IngestResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, options, job: full, abort });
      worker.postMessage({ type: 'job', id, job: full, abort } satisfies ToWorker);
    }).finally(() => {
      clearTimeout(stuck);
      options.signal?.removeEventListener('abort', onAbort);
    });
  }

  /** Asks the writer to collect garbage (after a delete made some). */
  collectGarbage(): void {
    this.start().postMessage({ type: 'collect' } satisfies ToWorker);
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
    const worker = spawnWorker(this.options.entry ?? 'worker', this.config);
    worker.on('message', (msg: FromWorker) => this.receive(worker, msg));
    const failAll = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      this.abortEmbedding();
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`The ingest worker exited (code ${code})`)));
    // Referenced only while jobs are pending: an idle worker must not keep a CLI process alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private receive(worker: Worker, msg: FromWorker): void {
    if (msg.type === 'embed') return this.embed(worker, msg.request, msg.texts);
    if (msg.type === 'embed-abort') return this.embedding.get(msg.request)?.abort(new IngestCancelledError());
    const p = this.pending.get(msg.id);
    if (!p) return;
    switch (msg.type) {
      case 'opened':
        p.runId = msg.runId;
        return;
      case 'progress':
        p.options.onProgress?.(msg.current, msg.total, msg.message);
        return;
      case 'staged':
        void Promise.resolve()
          .then(() => p.options.task?.complete?.(msg.result) ?? null)
          .then(
            (completion): ToWorker => ({ type: 'publish', id: msg.id, completion }),
            (err: unknown): ToWorker => ({ type: 'publish', id: msg.id, refused: toWire(err) }),
          )
          .then((reply) => worker.postMessage(reply));
        return;
      default:
        this.pending.delete(msg.id);
        if (this.pending.size === 0) worker.unref();
        if (msg.type === 'done') p.resolve(msg.result);
        else p.reject(fromWire(msg.error));
    }
  }

  /** Embeds a batch for the worker with the application's embedder and posts the answer back. */
  private embed(worker: Worker, request: number, texts: string[]): void {
    const controller = new AbortController();
    this.embedding.set(request, controller);
    void Promise.resolve()
      .then(() => this.options.relayTo!.embed(texts, controller.signal))
      .then(
        (vectors) =>
          worker.postMessage({ type: 'embedded', request, vectors } satisfies ToWorker, [
            ...new Set(vectors.map((v) => v.buffer as ArrayBuffer)),
          ]),
        (err: unknown) => worker.postMessage({ type: 'embedded', request, refused: toWire(err) } satisfies ToWorker),
      )
      .finally(() => this.embedding.delete(request));
  }

  private abortEmbedding(): void {
    for (const controller of this.embedding.values()) controller.abort(new IngestCancelledError());
    this.embedding.clear();
  }

  /**
   * The cancelled job `id` has not ended after the grace period. If it is running (it opened its
   * run), stop its thread and resubmit the others; a job still queued stops as soon as it starts.
   */
  private terminateStuck(id: number): void {
    const p = this.pending.get(id);
    const worker = this.worker;
    if (!p || p.runId === undefined || !worker) return;
    this.pending.delete(id);
    this.worker = undefined;
    worker.removeAllListeners();
    void worker.terminate();
    this.abortEmbedding();
    p.reject(new IngestCancelledError());
    if (p.runId !== undefined && p.job.taskId === null) this.onAbandoned(p.runId);
    if (this.pending.size === 0) return;
    const fresh = this.start();
    fresh.ref();
    for (const [queued, q] of this.pending) fresh.postMessage({ type: 'job', id: queued, job: q.job, abort: q.abort } satisfies ToWorker);
  }
}
