/**
 * The ingest worker's handle on a page-converter thread (page-converter-thread.ts). Converting
 * HTML is most of an HTML folder's ingest (parse, main-content detection, the markdown walk: ~60%
 * of the worker's time on a Sphinx set), and the worker is the busiest thread of an ingest: with
 * the conversion of the next pages on the other core while the worker chunks, embeds and stages
 * the ones before, a Sphinx folder ingests ~10% faster on this project's 2-core machines (77 vs
 * 70 docs/s, bench/README.md § Fidelity), at ~35 MB more peak RSS. A files job with enough pages
 * to convert starts one and stops it when it ends.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { mediaTypeOfPath, type MediaType } from '../sources/media-type.js';
import type { WireError } from './jobs.js';
import type { ConvertedPage, PageToConvert } from './page-conversion.js';
import { spawnWorker } from './spawn-worker.js';
import { fromWire } from './wire-error.js';

/** Media types converted on the thread when a job starts one. */
export const CONVERTED_ON_THREAD: ReadonlySet<MediaType> = new Set(['html', 'pdf']);

/**
 * Whether a files job converts on a thread: when it has `minPages` pages to convert, enough that
 * the thread pays for its start (~0.1 s, against ~1.3 ms saved a Sphinx page: the default is 100
 * pages); never on a machine with one core, where it could only take turns with the worker.
 */
export function convertsOnThread(paths: readonly string[], minPages: number): boolean {
  if (availableParallelism() < 2) return false;
  let pages = 0;
  for (const path of paths) if (CONVERTED_ON_THREAD.has(mediaTypeOfPath(path)) && ++pages >= minPages) return true;
  return false;
}

/** A page posted to the thread. */
export type ConversionRequest = { id: number } & PageToConvert;

/** The thread's answer to one request. */
export type ConversionReply = { id: number; page: ConvertedPage } | { id: number; error: WireError };

/** See module comment. */
export class PageConverter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (page: ConvertedPage) => void; reject: (err: Error) => void }>();

  constructor() {
    this.worker = spawnWorker('page-converter-thread', null);
    this.worker.on('message', (reply: ConversionReply) => {
      const waiting = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if ('error' in reply) waiting.reject(fromWire(reply.error));
      else waiting.resolve(reply.page);
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`The page-converter thread exited (code ${code})`)));
  }

  /** Converts `page` on the thread; pages are converted in the order they are posted. */
  convert(page: PageToConvert): Promise<ConvertedPage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...page } satisfies ConversionRequest);
    });
  }

  /** Stops the thread; conversions still pending are rejected. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(err);
    this.pending.clear();
  }
}
