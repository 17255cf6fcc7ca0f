/**
 * The ingest worker's handle on its SQLite writer thread (`store-writer-thread.ts`): each write is
 * a repository method, sent by name with its arguments, that resolves once it has committed.
 * Writes commit in the order they were sent, so the caller may prepare the next batch while the
 * last one commits.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { WireError } from '../../ingest/jobs.js';
import { spawnWorker } from '../../ingest/spawn-worker.js';
import { fromWire } from '../../ingest/wire-error.js';
import type { KnowledgeRepository } from '../repository.js';

/** The repository's writes the thread makes: a run's, from opening it to its publish or discard, and garbage collection. */
export type ThreadWrites = Pick<
  KnowledgeRepository,
  | 'openRun'
  | 'setRunBinding'
  | 'setRunChunking'
  | 'stageDocuments'
  | 'beginStage'
  | 'appendStage'
  | 'finishStage'
  | 'stagePack'
  | 'publishRun'
  | 'discardRun'
  | 'writeSyncPlan'
  | 'settleSyncPlanItems'
  | 'collectGarbage'
>;

/** A write, as sent to the thread: the method's name and its arguments. */
export type WriteRequest = { [O in keyof ThreadWrites]: { id: number; op: O; args: Parameters<ThreadWrites[O]> } }[keyof ThreadWrites];

/** The write's result, or the error that rolled it back. */
export type WriteReply = { id: number; value: unknown } | { id: number; error: WireError };

/** See module comment. */
export class StoreWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (e: Error) => void }>();

  constructor(path: string) {
    this.worker = spawnWorker('../store/sqlite/store-writer-thread', { path });
    this.worker.on('message', (reply: WriteReply) => {
      const p = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(fromWire(reply.error));
      else p.resolve(reply.value);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`The writer thread exited (code ${code})`)));
    this.worker.unref();
  }

  /** Sends `op` with `args`; resolves with what the repository method returns, once committed. */
  write<O extends keyof ThreadWrites>(op: O, ...args: Parameters<ThreadWrites[O]>): ReturnType<ThreadWrites[O]> {
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args } as WriteRequest);
    }) as ReturnType<ThreadWrites[O]>;
  }

  /** Stops the writer after the writes already sent and the garbage left. */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
