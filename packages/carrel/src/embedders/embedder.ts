/**
 * The embedder contract and its serializable configuration. A config (not an instance) is what
 * crosses into the ingest worker, so each thread builds its own embedder from the same settings.
 *
 * @module
 */
import type { TokenCounter } from './token-counter.js';

/** Turns texts into unit-length float vectors. */
export interface Embedder {
  /** Identity of the model the vectors come from, recorded per library (e.g. `offline:hash-v1`). */
  readonly id: string;
  /** Vector dimension; known after `load()` for some kinds, after the first `embed` for others. */
  readonly dims: number | undefined;
  /**
   * Whether an approximate nearest-neighbour index finds this embedder's neighbours. A model's
   * vectors cluster by meaning and a graph index finds ~98% of their exact 10 nearest; hashed
   * bags of words (the offline embedder) sit at nearly equal distances, where it finds a third of
   * them and the exact scan is faster than any breadth finding more (bench/README.md § Issue 9 —
   * search at ~1M chunks). Libraries of an embedder that is not indexable are always scanned exactly.
   */
  readonly indexable: boolean;
  /**
   * Prepares the model; throws EmbedderUnavailableError when it cannot be loaded. An embedder that
   * asks a remote endpoint stops asking when `signal` aborts (a job's cancel).
   */
  load(signal?: AbortSignal): Promise<void>;
  /** Embeds a batch; the result is parallel to `texts`. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Stops threads the embedder started, if any. */
  close?(): Promise<void>;

  // --- What the chunker needs (see ingest/chunking.ts).
  /** The input window chunks are fitted to; counted by the model's tokenizer once `load()` found one. */
  window(): EmbedderWindow;
}

/** At most `maxTokens` input tokens as `counter` counts them, special tokens ([CLS], [SEP]) excluded. */
export interface EmbedderWindow {
  maxTokens: number;
  counter: TokenCounter;
}

/** Deterministic, dependency-free hashing embedder (tests, benchmarks, air-gapped use). */
export interface OfflineEmbedderConfig {
  kind: 'offline';
  dims?: number;
}

/** Any OpenAI-compatible `/embeddings` endpoint: OpenAI, Ollama, LM Studio, vLLM. */
export interface OpenAiEmbedderConfig {
  kind: 'openai';
  /** Base URL including the version path, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as a bearer token; never logged or stored. */
  apiKey?: string;
  /** Requested output dimension for models that support it (`dimensions` parameter). */
  dimensions?: number;
  batchSize?: number;
  maxRetries?: number;
  timeoutMs?: number;
  /** The model's input window in tokens; default from the model name (see `openAiWindow`), else 512. */
  maxTokens?: number;
}

/** A local ONNX sentence-embedding model run through `@huggingface/transformers`. */
export interface LocalEmbedderConfig {
  kind: 'local';
  /** Hugging Face model id, or an absolute path to a model folder; default `Xenova/all-MiniLM-L6-v2` (384 dims, ~23 MB quantized). */
  model?: string;
  /** Where model files are downloaded once and cached (the KnowledgeBase points it into the data dir). */
  cacheDir?: string;
  /** Whether the model may be downloaded; false means only the cache is used. */
  allowDownload?: boolean;
  batchSize?: number;
  /** The sequence length the model was trained at (sentence-transformers' `max_seq_length`); default 256. */
  maxTokens?: number;
  /** ONNX intra-op threads of the session; default: onnxruntime's (one per core). */
  threads?: number;
  /** Ingest embeds on this many threads, one ONNX session each, sharing the cores (see local-pool.ts); default 1. */
  workers?: number;
}

/**
 * An embedder the application runs itself, in its own process (no HTTP hop): a model it already
 * has loaded, or a client of a service only it can reach. Carrel calls `embed` on the thread that
 * opened the knowledge base, for ingest, reindex and queries alike.
 */
export interface InProcessEmbedder {
  /** Names the model; libraries record it (as `app:<name>`), so a new name means a reindex, as a new model does. */
  name: string;
  /** Length of every vector `embed` returns. */
  dims: number;
  /** The model's input window in tokens, which chunks are fitted to (counted by a WordPiece estimate); default 254, as the default local model's. */
  maxTokens?: number;
  /** One vector per text, in order; they are normalized to unit length here. `signal` fires when the operation is cancelled. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<readonly (Float32Array | readonly number[])[]>;
}

/** No semantic model: BM25 only. */
export interface NoEmbedderConfig {
  kind: 'none';
}

/** Which embedder to use. */
export type EmbedderConfig = OfflineEmbedderConfig | OpenAiEmbedderConfig | LocalEmbedderConfig | NoEmbedderConfig;

/** Quantizes a unit vector to int8 (component × 127), the form stored in sqlite-vec. */
export function quantize(vector: Float32Array): Int8Array {
  const out = new Int8Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = Math.max(-127, Math.min(127, Math.round(vector[i]! * 127)));
  return out;
}

/** Scales a vector to unit length in place (zero vectors stay zero). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return vector;
}
