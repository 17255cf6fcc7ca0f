/**
 * Seeded clustered int8 vectors for the approximate-index tests: uniform noise would make every
 * neighbour as near as any other, so recall would measure nothing. Each vector is a cluster centre
 * plus a point on a small plane of that cluster plus a little noise, normalized and quantized as
 * Carrel quantizes embeddings.
 *
 * @module
 */

/** Seeded standard normal draws (mulberry32 + Box–Muller), so failures reproduce. */
function normal(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

/** `count` vectors of `dims` in `clusters` clusters; the same seed gives the same clusters, `draw` picks the points. */
export function clusteredVectors(count: number, dims: number, { clusters = 30, seed = 1, draw = 2 } = {}): Int8Array[] {
  const g = normal(seed);
  const centres = Array.from({ length: clusters }, () => Float64Array.from({ length: dims }, g));
  const planes = Array.from({ length: clusters }, () => Array.from({ length: 4 }, () => Float64Array.from({ length: dims }, g)));
  const pick = normal(seed * 7919 + draw);
  return Array.from({ length: count }, () => {
    const c = Math.floor(Math.abs(pick() * 1e6)) % clusters;
    const x = Float64Array.from(centres[c]!, (v) => v + 0.2 * pick());
    for (const b of planes[c]!) {
      const w = 0.45 * pick();
      for (let j = 0; j < dims; j++) x[j] = x[j]! + w * b[j]!;
    }
    const norm = Math.hypot(...x) || 1;
    return Int8Array.from(x, (v) => Math.max(-127, Math.min(127, Math.round((v / norm) * 127))));
  });
}

/** The exact cosine distance Carrel's scans report (1 − cosine of the int8 vectors). */
export function cosineDistance(a: Int8Array, b: Int8Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    aa += a[j]! * a[j]!;
    bb += b[j]! * b[j]!;
  }
  return aa === 0 || bb === 0 ? 1 : 1 - dot / Math.sqrt(aa * bb);
}

/** Share of `got` ids found in `want` (recall@k with k = want's length). */
export function recall(got: readonly number[], want: readonly number[]): number {
  const wanted = new Set(want);
  return got.filter((id) => wanted.has(id)).length / want.length;
}
