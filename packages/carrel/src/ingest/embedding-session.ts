/**
 * Decides, per library and per job, whether chunks get vectors: loads the configured embedder
 * once, enforces that a library keeps the model and dimension it was built with, has an unbound
 * library bound on first use (by the job's run, when it publishes), and degrades to BM25-only
 * (with a warning) when no model can be loaded or the endpoint fails mid-job; an application's
 * in-process embedder that fails fails the job instead.
 *
 * @module
 */
import type { Embedder } from '../embedders/embedder.js';
import { quantize } from '../embedders/embedder.js';
import { EmbedderFailedError, EmbedderMismatchError, IngestCancelledError } from '../errors.js';
import type { Notice } from '../fix.js';
import type { LibraryRecord } from '../store/repository.js';

/** See module comment. */
export class EmbeddingSession {
  private loadFailure: string | undefined;
  private loaded = false;
  readonly warnings: Notice[] = [];

  /** `bind` records the binding an unbound library gets when the job publishes. */
  constructor(
    private readonly embedder: Embedder | null,
    private readonly library: { name: string; version: string },
    private readonly bind: (embedder: string, dims: number) => Promise<void>,
  ) {}

  /**
   * The dimension to write vectors with for `library`, or null for BM25-only. Throws on a model
   * mismatch, and IngestCancelledError when `signal` aborts while the embedder loads.
   */
  async dimsFor(library: LibraryRecord, signal?: AbortSignal): Promise<number | null> {
    const embedder = this.embedder;
    if (!embedder) return null;
    if (library.embedder !== null && library.embedder !== embedder.id)
      throw new EmbedderMismatchError(library, library.embedder, embedder.id);
    if (!this.loaded && this.loadFailure === undefined) {
      try {
        await embedder.load(signal);
        this.loaded = true;
      } catch (err) {
        // A cancel is the job's end, not a model to go without.
        if (signal?.aborted) throw new IngestCancelledError();
        this.disable(err);
      }
    }
    if (!this.loaded) return null;
    const dims = embedder.dims!;
    if (library.dims !== null && library.dims !== dims) {
      throw new EmbedderMismatchError(library, `${library.embedder} (${library.dims} dims)`, `${embedder.id} (${dims} dims)`);
    }
    if (library.embedder === null) await this.bind(embedder.id, dims);
    return dims;
  }

  /** Embeds and quantizes; returns nulls (BM25-only) once the embedder has failed in this job. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<(Int8Array | null)[]> {
    if (!this.embedder || !this.loaded || texts.length === 0) return texts.map(() => null);
    try {
      const vectors = await this.embedder.embed(texts, signal);
      return vectors.map(quantize);
    } catch (err) {
      // An application's embedder that fails has a bug to show, not a model to wait for.
      if (signal?.aborted || err instanceof EmbedderFailedError) throw err;
      this.disable(err);
      return texts.map(() => null);
    }
  }

  private disable(err: unknown): void {
    this.loaded = false;
    this.loadFailure = err instanceof Error ? err.message : String(err);
    this.warnings.push({
      message: `No vectors: ${this.loadFailure}. Stored for BM25 search until the model is available`,
      fix: { action: 'reindex', library: this.library.name, version: this.library.version },
    });
  }
}

/** The text a chunk is embedded from: its breadcrumb gives a short chunk its context. */
export const embeddingText = (heading: string, text: string): string => (heading ? `${heading}\n\n${text}` : text);
