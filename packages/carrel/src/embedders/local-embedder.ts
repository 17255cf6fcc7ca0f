/**
 * A local ONNX sentence-embedding model through `@huggingface/transformers`: downloaded once into
 * `cacheDir` (the data dir's `models/` folder), then run in batches with mean pooling and
 * normalization. The library (~470 MB with onnxruntime) is imported only when this embedder
 * loads, so nothing else pays for it.
 *
 * @module
 */
import type * as Hf from '@huggingface/transformers';
import { EmbedderUnavailableError } from '../errors.js';
import type { Embedder, EmbedderWindow, LocalEmbedderConfig } from './embedder.js';
import type { TokenCounter } from './token-counter.js';
import { tokenizerCounter, WORDPIECE_ESTIMATE } from './token-counter.js';

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
      const extractor = await pipeline('feature-extraction', this.model, { dtype: 'q8' });
      this.extractor = extractor as unknown as Extractor;
      const tokenizer = this.extractor.tokenizer;
      this.counter = tokenizerCounter(this.model, (text) => tokenizer.encode(text, { add_special_tokens: false }).length);
    } catch (err) {
      const where = env.allowRemoteModels
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
    const batchSize = this.config.batchSize ?? 32;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      signal?.throwIfAborted();
      const batch = texts.slice(i, i + batchSize);
      const tensor = await this.extractor!([...batch], { pooling: 'mean', normalize: true });
      const dims = tensor.dims[tensor.dims.length - 1]!;
      for (let j = 0; j < batch.length; j++) out.push(tensor.data.slice(j * dims, (j + 1) * dims));
    }
    return out;
  }
}
