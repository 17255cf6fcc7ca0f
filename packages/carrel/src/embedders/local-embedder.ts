/**
 * A local ONNX sentence-embedding model through `@huggingface/transformers`: downloaded once into
 * `cacheDir` (the data dir's `models/` folder), then run in batches of similar-length texts (see
 * length-buckets.ts) with mean pooling and normalization. The library (~470 MB with onnxruntime) is imported only when this embedder
 * loads, so nothing else pays for it.
 *
 * @module
 */
import { isAbsolute } from 'node:path';
import type * as Hf from '@huggingface/transformers';
import { EmbedderUnavailableError } from '../errors.js';
import type { Embedder, EmbedderWindow, LocalEmbedderConfig } from './embedder.js';
import type { TokenCounter } from './token-counter.js';
import { tokenizerCounter, WORDPIECE_ESTIMATE } from './token-counter.js';
import { lengthBuckets } from './length-buckets.js';
import { modelDtype, modelFolder } from './model-folder.js';

type Transformers = typeof Hf;

/** Default model: small, English, 384 dimensions. */
export const LOCAL_DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2';

type Extractor = ((
  texts: string[],
  options: { pooling: 'mean'; normalize: boolean },
) => Promise<{ data: Float32Array; dims: number[] }>) & {
  tokenizer: Hf.PreTrainedTokenizer;
};

/** See module comment. */
export class LocalEmbedder implements Embedder {
  readonly id: string;
  readonly indexable = true;
  private _dims: number | undefined;
  private extractor: Extractor | undefined;
  private readonly model: string;
  /** The model's own tokenizer, once loaded. */
  private counter: TokenCounter = WORDPIECE_ESTIMATE;

  constructor(private readonly config: LocalEmbedderConfig) {
    this.model = config.model ?? LOCAL_DEFAULT_MODEL;
    this.id = `local:${this.model}`;
  }

  get dims(): number | undefined {
    return this._dims;
  }

  async load(): Promise<void> {
    if (this.extractor) return;
    let transformers: Transformers;
    try {
      transformers = await import('@huggingface/transformers');
    } catch (err) {
      throw new EmbedderUnavailableError(this.id, `@huggingface/transformers could not be loaded (${(err as Error).message})`);
    }
    const { env, pipeline } = transformers;
    if (this.config.cacheDir) env.cacheDir = this.config.cacheDir;
    env.allowRemoteModels = this.config.allowDownload ?? true;
    env.allowLocalModels = true;
    try {
      // A model installed by hand may have only the full-precision file; a download gets int8.
      const dtype = modelDtype(modelFolder(this.model, env.cacheDir ?? ''));
      const extractor = await pipeline('feature-extraction', this.model, {
        dtype,
        ...(this.config.threads && { session_options: { intraOpNumThreads: this.config.threads, interOpNumThreads: 1 } }),
      });
      this.extractor = extractor as unknown as Extractor;
      const tokenizer = this.extractor.tokenizer;
      this.counter = tokenizerCounter(this.model, (text) => tokenizer.encode(text, { add_special_tokens: false }).length);
    } catch (err) {
      const where = isAbsolute(this.model)
        ? 'the folder could not be loaded'
        : env.allowRemoteModels
          ? `download into ${env.cacheDir} failed`
          : `not in the cache ${env.cacheDir} and downloads are off`;
      throw new EmbedderUnavailableError(this.id, `model ${this.model}: ${where} (${(err as Error).message})`);
    }
    const [probe] = await this.embed(['dimension probe']);
    this._dims = probe!.length;
  }

  /** 256 by default: all-MiniLM-L6-v2 was trained on 256 word pieces, 2 of them [CLS] and [SEP]. */
  window(): EmbedderWindow {
    return { maxTokens: (this.config.maxTokens ?? 256) - 2, counter: this.counter };
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (!this.extractor) await this.load();
    const out = new Array<Float32Array>(texts.length);
    for (const batch of lengthBuckets(texts, this.config.batchSize ?? 32)) {
      signal?.throwIfAborted();
      const tensor = await this.extractor!(
        batch.map((i) => texts[i]!),
        { pooling: 'mean', normalize: true },
      );
      const dims = tensor.dims[tensor.dims.length - 1]!;
      batch.forEach((i, j) => (out[i] = tensor.data.slice(j * dims, (j + 1) * dims)));
    }
    return out;
  }
}
