/**
 * A deterministic offline embedder: signed feature hashing of word unigrams and bigrams with
 * log-scaled term frequency, L2-normalized. It carries no semantics beyond shared words, but it is
 * fast, needs no download, and gives identical vectors on every machine, which is what tests and
 * benchmarks need.
 *
 * @module
 */
import type { Embedder } from './embedder.js';
import { normalize } from './embedder.js';

/** Default dimension: small, so the store stays compact and a brute-force KNN stays fast. */
export const OFFLINE_DEFAULT_DIMS = 64;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Function words carry no topic; in a small hashed space they would only add collisions.
const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in into is it its of on or so than that the then there these this to was what when where which who why will with you your'.split(' '),
);

/** Lowercased content-word tokens with a crude plural strip, so "queues" and "queue" share a feature. */
export function tokenize(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  const out: string[] = [];
  for (const w of words) if (!STOPWORDS.has(w)) out.push(w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);
  return out;
}

/** See module comment. */
export class OfflineEmbedder implements Embedder {
  readonly id: string;
  readonly dims: number;

  constructor(dims = OFFLINE_DEFAULT_DIMS) {
    this.dims = dims;
    this.id = 'offline:hash-v2';
  }

  async load(): Promise<void> {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  /** Synchronous form, for callers on a hot path. */
  embedOne(text: string): Float32Array {
    // Features are keyed by hash, never by string: bigram hashes combine the two word hashes.
    const counts = new Map<number, number>();
    let previous = 0;
    for (const word of tokenize(text)) {
      const h = fnv1a(word);
      counts.set(h, (counts.get(h) ?? 0) + 1);
      if (previous !== 0) {
        const bigram = (Math.imul(previous ^ 0x9e3779b9, 0x85ebca6b) ^ h) >>> 0;
        counts.set(bigram, (counts.get(bigram) ?? 0) + 0.5);
      }
      previous = h;
    }
    const v = new Float32Array(this.dims);
    for (const [h, tf] of counts) {
      const i = h % this.dims;
      v[i] = v[i]! + (h & 0x80000000 ? -1 : 1) * (1 + Math.log(tf));
    }
    return normalize(v);
  }
}
