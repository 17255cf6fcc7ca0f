/**
 * The vector-index benchmark's data: clustered int8 vectors shaped like sentence embeddings, written
 * once to a file that every subject's process maps back.
 *
 * Uniform noise would make every neighbour as far as every other, so recall would mean nothing.
 * Instead each vector is a cluster centre plus a point on a low-dimensional plane of that cluster,
 * plus a little noise in every dimension, normalized and quantized as Carrel quantizes embeddings
 * (× 127, rounded):
 *
 *   x = c + 0.45 · Σ₁⁸ gᵢ·bᵢ/√8 + 0.2 · n/√dims        c, bᵢ, n ~ N(0, 1/dims)… per cluster / per vector
 *
 * with `n / 500` clusters (2,000 at 1M) and vectors assigned to clusters at random. Queries are
 * fresh draws from the same clusters (never in the data). `library` gives every vector one of 10
 * libraries at random, so a one-library filter keeps ~10% of the rows.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PLANE = 8;

/** Seeded uniform generator (mulberry32). */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded standard normal generator (Box–Muller). */
export function normal(seed: number): () => number {
  const u = uniform(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(u() || 1e-12));
    const t = 2 * Math.PI * u();
    spare = r * Math.sin(t);
    return r * Math.cos(t);
  };
}

/** A clustered space (see module comment): draws unit-length vectors from one of its clusters. */
export interface ClusteredSpace {
  dims: number;
  clusters: number;
  /** A vector of cluster `c`, its noise and plane weights drawn from `g`, written to `out` (length `dims`). */
  draw(c: number, g: () => number, out: Float32Array): Float32Array;
}

/** `clusters` centres and planes of `dims` dimensions, drawn from `g`. */
export function clusteredSpace(dims: number, clusters: number, g: () => number): ClusteredSpace {
  const scale = 1 / Math.sqrt(dims);
  const centres = Float32Array.from({ length: clusters * dims }, () => g() * scale);
  const planes = Float32Array.from({ length: clusters * PLANE * dims }, () => g() * scale);
  return {
    dims,
    clusters,
    draw(c, g, x) {
      for (let j = 0; j < dims; j++) x[j] = centres[c * dims + j]! + 0.2 * g() * scale;
      for (let p = 0; p < PLANE; p++) {
        const w = (0.45 * g()) / Math.sqrt(PLANE);
        const base = (c * PLANE + p) * dims;
        for (let j = 0; j < dims; j++) x[j] = x[j]! + w * planes[base + j]!;
      }
      let sq = 0;
      for (let j = 0; j < dims; j++) sq += x[j]! * x[j]!;
      const norm = Math.sqrt(sq) || 1;
      for (let j = 0; j < dims; j++) x[j] = x[j]! / norm;
      return x;
    },
  };
}

/** The benchmark's data set: `count` vectors, their libraries, and `queries` query vectors. */
export interface VectorSet {
  dims: number;
  count: number;
  vectors: Int8Array;
  libraries: Uint8Array;
  queries: Int8Array;
  queryCount: number;
}

function generate(count: number, dims: number, queryCount: number): VectorSet {
  const g = normal(42);
  const space = clusteredSpace(dims, Math.max(10, Math.floor(count / 500)), g);
  const u = uniform(7);
  const x = new Float32Array(dims);
  const draw = (out: Int8Array, at: number) => {
    space.draw(Math.floor(u() * space.clusters), g, x);
    for (let j = 0; j < dims; j++) out[at + j] = Math.max(-127, Math.min(127, Math.round(x[j]! * 127)));
  };
  const vectors = new Int8Array(count * dims);
  for (let i = 0; i < count; i++) draw(vectors, i * dims);
  const libraries = Uint8Array.from({ length: count }, () => Math.floor(u() * 10));
  const queries = new Int8Array(queryCount * dims);
  for (let i = 0; i < queryCount; i++) draw(queries, i * dims);
  return { dims, count, vectors, libraries, queries, queryCount };
}

/** The set for these sizes, generated on first use and cached in `dir`. */
export function vectorSet(dir: string, count: number, dims: number, queryCount: number): VectorSet {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `clustered-${count}x${dims}-q${queryCount}.bin`);
  if (!existsSync(file)) {
    const set = generate(count, dims, queryCount);
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(set.vectors.buffer), Buffer.from(set.libraries.buffer), Buffer.from(set.queries.buffer)]),
    );
    return set;
  }
  const bytes = readFileSync(file);
  const at = (offset: number, length: number) => bytes.subarray(offset, offset + length);
  const v = at(0, count * dims);
  const l = at(count * dims, count);
  const q = at(count * dims + count, queryCount * dims);
  return {
    dims,
    count,
    vectors: new Int8Array(v.buffer, v.byteOffset, v.length),
    libraries: new Uint8Array(l.buffer, l.byteOffset, l.length),
    queries: new Int8Array(q.buffer, q.byteOffset, q.length),
    queryCount,
  };
}
