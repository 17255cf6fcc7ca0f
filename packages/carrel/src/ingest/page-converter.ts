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
import { convertPage, type ConvertedPage, type PageToConvert } from './page-conversion.js';
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

/**
 * The thread's heap limit. Below 2 GB, V8 lets an old generation grow only 1.3–2× its live size
 * between full collections instead of 4×: the thread holds ~10 MB live between pages, so this keeps
 * ~20 MB off a Sphinx set's peak RSS at no measurable cost (bench/README.md § Fidelity). A page
 * that needs more (HTML of ~70 MB and up) is converted on the calling thread instead.
 */
export const CONVERTER_HEAP_MB = 1536;

/** See module comment. */
export class PageConverter {
  private thread: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { page: PageToConvert; resolve: (page: ConvertedPage) => void; reject: (err: Error) => void }
  >();
  private closing = false;

  /** `heapMb` is the thread's heap limit (tests lower it). */
  constructor(private readonly heapMb = CONVERTER_HEAP_MB) {}

  /** Converts `page` on the thread; pages are converted in the order they are posted. */
  convert(page: PageToConvert): Promise<ConvertedPage> {
    const id = this.nextId++;
    const thread = (this.thread ??= this.start());
    return new Promise((resolve, reject) => {
      this.pending.set(id, { page, resolve, reject });
      thread.postMessage({ id, ...page } satisfies ConversionRequest);
    });
  }

  /** Stops the thread; conversions still pending are rejected. */
  async close(): Promise<void> {
    this.closing = true;
    await this.thread?.terminate();
    const stopped = new Error('The page converter was closed');
    for (const waiting of this.pending.values()) waiting.reject(stopped);
    this.pending.clear();
  }

  private start(): Worker {
    const thread = spawnWorker('page-converter-thread', null, { maxOldGenerationSizeMb: this.heapMb });
    thread.on('message', (reply: ConversionReply) => {
      const waiting = this.pending.get(reply.id)!;
      this.pending.delete(reply.id);
      if ('error' in reply) waiting.reject(fromWire(reply.error));
      else waiting.resolve(reply.page);
    });
    thread.once('exit', () => this.lost(thread));
    // An 'error' (a page beyond the heap limit, say) is followed by 'exit'; handled there.
    thread.on('error', () => undefined);
    return thread;
  }

  /**
   * The thread stopped while pages were posted to it (out of memory on a huge page, or killed):
   * they are converted here, as they would be with no thread, and the next page starts a new one.
   */
  private lost(thread: Worker): void {
    if (this.thread === thread) this.thread = undefined;
    if (this.closing) return;
    const orphans = [...this.pending.values()];
    this.pending.clear();
    // In posting order, one at a time, as the thread would have.
    void orphans.reduce<Promise<unknown>>(
      (previous, waiting) => previous.then(() => convertPage(waiting.page).then(waiting.resolve, waiting.reject)),
      Promise.resolve(),
    );
  }
}
