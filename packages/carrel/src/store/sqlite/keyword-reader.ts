/**
 * A SQLite repository's handle on its keyword reader thread (`keyword-reader-thread.ts`). At 1M
 * chunks a keyword search takes ~16 ms of SQLite work and the vector half ~9 ms of scanning, one
 * after the other on one thread; with the keyword half on a thread of its own they overlap (and
 * the serving event loop is not held meanwhile). A small store gains nothing worth a thread, so
 * the repository asks this reader only past a size (`SqliteRepository.open`'s
 * `keywordThreadFrom`).
 *
 * The thread starts on the first search. If it dies, the searches it held fail with its error and
 * the next search starts another.
 *
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { WireError } from '../../ingest/jobs.js';
import { spawnWorker } from '../../ingest/spawn-worker.js';
import { fromWire } from '../../ingest/wire-error.js';
import type { KeywordResult, SearchFilters } from '../repository.js';

/** A keyword search, as sent to the thread. */
export interface KeywordRequest {
  id: number;
  query: string;
  filters: SearchFilters;
  limit: number;
}

/** The search's result, or the error it failed with. */
export type KeywordReply = { id: number; value: KeywordResult } | { id: number; error: WireError };

type Pending = { resolve: (value: KeywordResult) => void; reject: (e: Error) => void };

/** See module comment. */
export class KeywordReader {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly path: string) {}

  /** The keyword search of `keyword-search.ts`, run on the thread's connection. */
  search(query: string, filters: SearchFilters, limit: number): Promise<KeywordResult> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    // While a search waits on it, the thread keeps the process alive (a script awaiting a search
    // would otherwise end with the search unanswered); idle, it does not.
    if (this.pending.size === 0) worker.ref();
    return new Promise<KeywordResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, query, filters, limit } satisfies KeywordRequest);
    });
  }

  /** Stops the thread (if started) once the searches sent have answered. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref();
    worker.postMessage('close');
    await exited;
  }

  private start(): Worker {
    const worker = spawnWorker('../store/sqlite/keyword-reader-thread', { path: this.path });
    let failure: Error | undefined;
    worker.on('message', (reply: KeywordReply) => {
      const p = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in reply) p.reject(fromWire(reply.error));
      else p.resolve(reply.value);
    });
    worker.on('error', (err) => (failure = err));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      const err = failure ?? new Error(`The keyword reader thread exited (code ${code})`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
    worker.unref();
    return worker;
  }
}
