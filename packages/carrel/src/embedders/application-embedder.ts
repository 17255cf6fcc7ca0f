/**
 * Wraps an application's {@link InProcessEmbedder} as an Embedder: checks its declaration when the
 * knowledge base opens, and every answer — one vector per text, each of the declared length, all
 * values finite — so a broken embedder fails with its name instead of storing nonsense vectors.
 *
 * @module
 */
import { EmbedderFailedError, InvalidInputError } from '../errors.js';
import type { Embedder, EmbedderWindow, InProcessEmbedder } from './embedder.js';
import { normalize } from './embedder.js';
import { WORDPIECE_ESTIMATE } from './token-counter.js';

/** Largest dimension accepted (sqlite-vec stores up to 8192). */
const MAX_DIMS = 8192;

/** Whether `embedder` is an application's in-process embedder rather than a serializable config. */
export const isInProcessEmbedder = (embedder: object): embedder is InProcessEmbedder =>
  typeof (embedder as { embed?: unknown }).embed === 'function';

/** See module comment. */
export class ApplicationEmbedder implements Embedder {
  readonly id: string;
  readonly dims: number;
  readonly indexable = true;

  constructor(private readonly app: InProcessEmbedder) {
    if (typeof app.name !== 'string' || app.name.trim() === '' || app.name.length > 200)
      throw new InvalidInputError('embedder.name', 'a non-empty string of at most 200 characters');
    if (!Number.isInteger(app.dims) || app.dims < 1 || app.dims > MAX_DIMS)
      throw new InvalidInputError('embedder.dims', `an integer from 1 to ${MAX_DIMS}`);
    if (app.maxTokens !== undefined && !(Number.isInteger(app.maxTokens) && app.maxTokens >= 16))
      throw new InvalidInputError('embedder.maxTokens', 'an integer of at least 16');
    this.id = `app:${app.name}`;
    this.dims = app.dims;
  }

  async load(): Promise<void> {}

  /** The application's tokenizer is not known here, so tokens are estimated (token-counter.ts). */
  window(): EmbedderWindow {
    return { maxTokens: this.app.maxTokens ?? 254, counter: WORDPIECE_ESTIMATE };
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    let vectors: readonly (Float32Array | readonly number[])[];
    try {
      vectors = await this.app.embed(texts, signal);
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new EmbedderFailedError(this.id, err instanceof Error ? err.message : String(err));
    }
    if (!Array.isArray(vectors) || vectors.length !== texts.length)
      throw new EmbedderFailedError(
        this.id,
        `returned ${Array.isArray(vectors) ? vectors.length : 'no array of'} vectors for ${texts.length} texts`,
      );
    return vectors.map((vector, i) => {
      if (vector?.length !== this.dims)
        throw new EmbedderFailedError(this.id, `vector ${i} has ${vector?.length ?? 'no'} dimensions, declared ${this.dims}`);
      const out = Float32Array.from(vector);
      if (!out.every(Number.isFinite)) throw new EmbedderFailedError(this.id, `vector ${i} has a non-finite value`);
      return normalize(out);
    });
  }
}
