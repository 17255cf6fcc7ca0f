/**
 * A deterministic offline embedder: signed feature hashing of word unigrams and bigrams with
 * log-scaled term frequency, L2-normalized. It carries no semantics beyond shared words, but it is
 * fast, needs no download, and gives identical vectors on every machine, which is what tests and
 * benchmarks need.
 *
 * @module
 */
import type { Embedder, EmbedderWindow } from './embedder.js';
import { normalize } from './embedder.js';
import { WORDPIECE_ESTIMATE } from './token-counter.js';

/** Default dimension: small, so the store stays compact and a brute-force KNN stays fast. */
export const OFFLINE_DEFAULT_DIMS = 64;

/** 32-bit FNV-1a of `text`'s UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Function words carry no topic; in a small hashed space they would only add collisions.
const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its of on or so than that the then there these this to was what when where which who why will with you your'.split(
    ' ',
  ),
);

const WORD = /[\p{L}\p{N}_]+/gu;

/** Lowercased content-word tokens with a crude plural strip, so "queues" and "queue" share a feature. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  // match() rather than matchAll(): one array of strings, no match object per word.
  for (const w of text.toLowerCase().match(WORD) ?? []) {
    if (!STOPWORDS.has(w)) out.push(w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  }
  return out;
}

/** See module comment. */
export class OfflineEmbedder implements Embedder {
  readonly id: string;
  readonly dims: number;
  /** Hashed bags of words: no graph index finds their neighbours (see `Embedder.indexable`). */
  readonly indexable = false;

  constructor(dims = OFFLINE_DEFAULT_DIMS) {
    this.dims = dims;
    this.id = 'offline:hash-v2';
  }

  async load(): Promise<void> {}

  /** It reads any length; it states the default model's window so tests and benchmarks chunk as users do. */
  window(): EmbedderWindow {
    return { maxTokens: 254, counter: WORDPIECE_ESTIMATE };
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  /** Synchronous form, for callers on a hot path. */
  embedOne(text: string): Float32Array {
    // Signed hashing straight into the output (no per-feature map), then a log damping of each
    // bucket: the cheap stand-in for log term frequency that keeps ingest fast.
    const v = new Float32Array(this.dims);
    let previous = 0;
    for (const word of tokenize(text)) {
      const h = fnv1a(word);
      v[h % this.dims] = v[h % this.dims]! + (h & 0x80000000 ? -1 : 1);
      if (previous !== 0) {
        const bigram = (Math.imul(previous ^ 0x9e3779b9, 0x85ebca6b) ^ h) >>> 0;
        v[bigram % this.dims] = v[bigram % this.dims]! + (bigram & 0x80000000 ? -0.5 : 0.5);
      }
      previous = h;
    }
    for (let i = 0; i < v.length; i++) v[i] = Math.sign(v[i]!) * Math.log1p(Math.abs(v[i]!));
    return normalize(v);
  }
}
