/**
 * The ingest worker's handle on its writer thread: `write` sends a prepared batch and resolves
 * once it is committed, so the caller can prepare the next batch while this one is written.
 * Batches commit in the order they were sent.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { DocumentWrite } from '../store/documents.js';
import type { WireError } from './jobs.js';
import { spawnWorker } from './spawn-worker.js';
import { fromWire } from './wire-error.js';

/** A batch to commit. */
export interface WriteRequest {
  id: number;
  dims: number | null;
  docs: DocumentWrite[];
}

/** The commit's outcome, per document in order, or the error that rolled the batch back. */
export type WriteReply = { id: number; written: { documentId: number; chunkCount: number }[] } | { id: number; error: WireError };

/** See module comment. */
export class BatchWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (w: { documentId: number; chunkCount: number }[]) => void; reject: (e: Error) => void }
  >();

  constructor(dbPath: string) {
    this.worker = spawnWorker('writer-worker', { dbPath });
    this.worker.on('message', (reply: WriteReply) => {
      const p = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if ('error' in reply) p.reject(fromWire(reply.error));
      else p.resolve(reply.written);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`The writer thread exited (code ${code})`)));
    this.worker.unref();
  }

  /** Commits `docs` in one transaction on the writer thread. */
  write(dims: number | null, docs: DocumentWrite[]): Promise<{ documentId: number; chunkCount: number }[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, dims, docs } satisfies WriteRequest);
    });
  }

  /** Stops the writer after the batches already sent. */
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
