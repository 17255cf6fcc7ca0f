/**
 * Client for any OpenAI-compatible embeddings endpoint (`POST {baseUrl}/embeddings`): OpenAI,
 * Ollama, LM Studio, vLLM. Batches inputs, retries 429/5xx/network failures with exponential
 * backoff (honouring Retry-After), and learns the dimension from the first response. The API key
 * goes only into the Authorization header: it never appears in errors, logs or stored rows.
 *
 * @module
 */
import { EmbedderUnavailableError } from '../errors.js';
import type { Embedder, EmbedderWindow, OpenAiEmbedderConfig } from './embedder.js';
import { normalize } from './embedder.js';
import { WORDPIECE_ESTIMATE } from './token-counter.js';
import { trimTrailing } from '../trim-trailing.js';

interface EmbeddingsResponse {
  data?: { index?: number; embedding?: number[] }[];
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Input windows of well-known embedding models, by model name. */
const KNOWN_WINDOWS: Record<string, number> = {
  'text-embedding-3-small': 8191,
  'text-embedding-3-large': 8191,
  'text-embedding-ada-002': 8191,
  'nomic-embed-text': 8192,
  'mxbai-embed-large': 512,
  'all-minilm': 256,
};

/**
 * The window of `model` (an Ollama tag such as `nomic-embed-text:latest` is looked up without its
 * tag); 512 for a model not known here, the smallest common window of the larger embedding models.
 */
export function openAiWindow(model: string): number {
  return KNOWN_WINDOWS[model] ?? KNOWN_WINDOWS[model.split(':')[0]!] ?? 512;
}

/** See module comment. */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly indexable = true;
  private _dims: number | undefined;
  private readonly url: string;

  constructor(private readonly config: OpenAiEmbedderConfig) {
    this.id = `openai:${config.model}`;
    this._dims = config.dimensions;
    this.url = `${trimTrailing(config.baseUrl, '/')}/embeddings`;
  }

  get dims(): number | undefined {
    return this._dims;
  }

  /** The endpoint's tokenizer is not at hand: the WordPiece estimate over-counts BPE tokens of prose. */
  window(): EmbedderWindow {
    return { maxTokens: this.config.maxTokens ?? openAiWindow(this.config.model), counter: WORDPIECE_ESTIMATE };
  }

  /** Probes the endpoint with one tiny input, which also fixes the dimension. */
  async load(signal?: AbortSignal): Promise<void> {
    if (this._dims === undefined) await this.embed(['dimension probe'], signal);
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const batchSize = this.config.batchSize ?? 64;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) out.push(...(await this.request(texts.slice(i, i + batchSize), signal)));
    return out;
  }

  private async request(input: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const maxRetries = this.config.maxRetries ?? 4;
    const body = JSON.stringify({
      model: this.config.model,
      input,
      ...(this.config.dimensions ? { dimensions: this.config.dimensions } : {}),
    });
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    let lastReason = '';
    for (let attempt = 0; attempt <= maxRetries; attempt++) {
      if (attempt > 0) await sleep(Math.min(8000, 250 * 2 ** (attempt - 1)), signal);
      let res: Response;
      try {
        const timeout = AbortSignal.timeout(this.config.timeoutMs ?? 60_000);
        res = await fetch(this.url, { method: 'POST', headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        lastReason = err instanceof Error ? `${err.name}: ${(err.cause as Error | undefined)?.message ?? err.message}` : String(err);
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        lastReason = `HTTP ${res.status}`;
        const retryAfter = Number(res.headers.get('retry-after'));
        await res.body?.cancel();
        if (retryAfter > 0 && attempt < maxRetries) await sleep(Math.min(retryAfter * 1000, 30_000), signal);
        continue;
      }
      if (!res.ok) {
        // 4xx other than 429 will not improve on retry (bad model name, bad key, input too long).
        const detail = (await res.text()).slice(0, 300);
        throw new EmbedderUnavailableError(this.id, `HTTP ${res.status} from ${this.url}: ${detail}`);
      }
      return this.parse((await res.json()) as EmbeddingsResponse, input.length);
    }
    throw new EmbedderUnavailableError(this.id, `${this.url} failed after ${maxRetries + 1} attempts (${lastReason})`);
  }

  private parse(json: EmbeddingsResponse, expected: number): Float32Array[] {
    const data = json.data;
    if (!Array.isArray(data) || data.length !== expected)
      throw new EmbedderUnavailableError(this.id, `expected ${expected} embeddings in the response`);
    const sorted = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    const vectors = sorted.map((d) => normalize(Float32Array.from(d.embedding ?? [])));
    const dims = vectors[0]?.length ?? 0;
    if (dims === 0 || vectors.some((v) => v.length !== dims))
      throw new EmbedderUnavailableError(this.id, 'the response has empty or ragged embeddings');
    if (this._dims !== undefined && this._dims !== dims)
      throw new EmbedderUnavailableError(this.id, `returned ${dims} dimensions, expected ${this._dims}`);
    this._dims = dims;
    return vectors;
  }
}
