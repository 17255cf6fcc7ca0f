/**
 * A packed in-memory copy of vectors with precomputed norms, scanned exactly in JavaScript (with
 * the SIMD kernel where it runs): for ~100k 64-dim vectors a few ms per query. Each store fills it
 * its own way (SQLite from sqlite-vec's shadow tables, `sqlite/vector-copy.ts`; PostgreSQL from
 * its bytea column, `postgres/vector-cache.ts`), and a large library's copy feeds its approximate
 * index (approximate-search.ts).
 *
 * @module
 */
import type { DotKernel } from './int8-dot-kernel.js';
import { createDotKernel, kernelSupports } from './int8-dot-kernel.js';

/** One KNN hit. */
export interface VectorHit {
  chunkId: number;
  distance: number;
}

/**
 * Largest copy kept in memory (vectors, ids and norms of one table), beyond which sqlite-vec scans:
 * room for 1M chunks of 384 dims (~400 MB), the size the approximate index is sized for.
 */
export const MEMORY_BUDGET_BYTES = 512 * 1024 * 1024;

/** One library's vectors, packed. */
export interface Partition {
  ids: Float64Array;
  /** Row-major vectors; a view on the kernel's memory when there is a kernel. */
  vectors: Int8Array;
  /** Byte offset of `vectors` in the kernel's memory. */
  offset: number;
  norms: Float32Array;
  /** chunk id → row, built on first use (see {@link rowOf}). */
  rowOf?: Map<number, number>;
}

/** The copy of one vector table. */
export interface VectorMemory {
  dims: number;
  partitions: Map<number, Partition>;
  /** The SIMD kernel and its memory: the query at byte 0, the dot products at `outOffset`, then the vectors. */
  kernel: DotKernel | null;
  outOffset: number;
}

/** An empty copy with room for `counts` (partition → rows) vectors; undefined past {@link MEMORY_BUDGET_BYTES}. */
export function allocate(dims: number, counts: ReadonlyMap<number, number>): VectorMemory | undefined {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total * (dims + 12) > MEMORY_BUDGET_BYTES) return undefined;
  const outOffset = Math.ceil(dims / 16) * 16;
  const largest = Math.max(0, ...counts.values());
  let offset = outOffset + largest * 4;
  const kernel = kernelSupports(dims) ? createDotKernel(offset + total * dims) : null;
  const partitions = new Map<number, Partition>();
  for (const [key, n] of counts) {
    const vectors = kernel ? new Int8Array(kernel.memory, offset, n * dims) : new Int8Array(n * dims);
    partitions.set(key, { ids: new Float64Array(n), vectors, offset, norms: new Float32Array(n) });
    offset += n * dims;
  }
  return { dims, partitions, kernel, outOffset };
}

/**
 * A copy holding one partition: `vectors` packed row-major (`dims` bytes each) for the chunk
 * `ids` in the same order; undefined past {@link MEMORY_BUDGET_BYTES}. For stores that read their
 * vectors as bytes (PostgreSQL's node-side scan). `norms`, when the caller has them (a copy
 * rebuilt from an older one), are taken as they are: computing them is most of the packing
 * (~0.3 s for 250,000 384-dim vectors).
 */
export function packPartition(
  dims: number,
  partition: number,
  ids: ArrayLike<number>,
  vectors: Int8Array,
  norms?: Float32Array,
): VectorMemory | undefined {
  const memory = allocate(dims, new Map([[partition, ids.length]]));
  if (!memory) return undefined;
  const p = memory.partitions.get(partition)!;
  p.vectors.set(vectors.subarray(0, ids.length * dims));
  p.ids.set(ids);
  if (norms) p.norms.set(norms.subarray(0, ids.length));
  else for (let row = 0; row < ids.length; row++) p.norms[row] = vectorNorm(vectors, row, dims);
  return memory;
}

/** The Euclidean norm of row `row` of `vectors`. */
export function vectorNorm(vectors: Int8Array, row: number, dims: number): number {
  let sq = 0;
  for (let j = 0, at = row * dims; j < dims; j++) sq += vectors[at + j]! * vectors[at + j]!;
  return Math.sqrt(sq);
}

/**
 * Exact cosine KNN over one partition (a library), the `k` nearest first, with the distance
 * sqlite-vec reports (1 − cosine). `allowed` restricts the scan to those chunk ids.
 */
export function scanPartition(
  memory: VectorMemory,
  partition: number,
  query: Int8Array,
  k: number,
  allowed?: readonly number[],
): VectorHit[] {
  const p = memory.partitions.get(partition);
  if (!p || k <= 0) return [];
  const { dims } = memory;
  let qq = 0;
  for (let j = 0; j < dims; j++) qq += query[j]! * query[j]!;
  const qNorm = Math.sqrt(qq);
  const top = new TopK(k);
  if (allowed === undefined && memory.kernel) {
    const { kernel, outOffset } = memory;
    new Int8Array(kernel.memory, 0, dims).set(query);
    kernel.dots(0, p.offset, p.ids.length, dims, outOffset);
    const dots = new Int32Array(kernel.memory, outOffset, p.ids.length);
    for (let row = 0; row < dots.length; row++) {
      const denom = qNorm * p.norms[row]!;
      const distance = denom === 0 ? 1 : 1 - dots[row]! / denom;
      if (distance < top.worst()) top.offer(distance, row);
    }
  } else if (allowed === undefined) {
    scanRows(p, dims, query, qNorm, top, null);
  } else {
    const rows = new Int32Array(allowed.length);
    const rowOfId = rowOf(p);
    let n = 0;
    for (const id of allowed) {
      const row = rowOfId.get(id);
      if (row !== undefined) rows[n++] = row;
    }
    scanRows(p, dims, query, qNorm, top, rows.subarray(0, n));
  }
  return top.sorted().map(({ distance, row }) => ({ chunkId: p.ids[row]!, distance }));
}

/** The partition's chunk id → row map, built on first use. */
export function rowOf(p: Partition): Map<number, number> {
  if (!p.rowOf) {
    p.rowOf = new Map();
    for (let row = 0; row < p.ids.length; row++) p.rowOf.set(p.ids[row]!, row);
  }
  return p.rowOf;
}

/** Scores every row (or the listed ones) into `top`: one flat loop over typed arrays, as V8 optimizes it best. */
function scanRows(p: Partition, dims: number, query: Int8Array, qNorm: number, top: TopK, rows: Int32Array | null): void {
  const vectors = p.vectors;
  const norms = p.norms;
  const q = Int32Array.from(query);
  const count = rows === null ? norms.length : rows.length;
  for (let i = 0; i < count; i++) {
    const row = rows === null ? i : rows[i]!;
    const base = row * dims;
    // Four accumulators break the add chain so the loads and multiplies overlap.
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let j = 0;
    for (; j + 4 <= dims; j += 4) {
      d0 += q[j]! * vectors[base + j]!;
      d1 += q[j + 1]! * vectors[base + j + 1]!;
      d2 += q[j + 2]! * vectors[base + j + 2]!;
      d3 += q[j + 3]! * vectors[base + j + 3]!;
    }
    for (; j < dims; j++) d0 += q[j]! * vectors[base + j]!;
    const dot = d0 + d1 + d2 + d3;
    const denom = qNorm * norms[row]!;
    const distance = denom === 0 ? 1 : 1 - dot / denom;
    if (distance < top.worst()) top.offer(distance, row);
  }
}

/** The k smallest distances seen, kept in a binary max-heap (ties broken by row, i.e. insertion order). */
class TopK {
  private readonly distances: Float64Array;
  private readonly rows: Int32Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.distances = new Float64Array(k);
    this.rows = new Int32Array(k);
  }

  /** The distance a new entry must beat (Infinity until k are held). */
  worst(): number {
    return this.size < this.k ? Infinity : this.distances[0]!;
  }

  offer(distance: number, row: number): void {
    const { distances, rows } = this;
    if (this.size < this.k) {
      let i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (distances[parent]! >= distance) break;
        distances[i] = distances[parent]!;
        rows[i] = rows[parent]!;
        i = parent;
      }
      distances[i] = distance;
      rows[i] = row;
      return;
    }
    if (distance >= distances[0]!) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= this.size) break;
      const right = left + 1;
      const child = right < this.size && distances[right]! > distances[left]! ? right : left;
      if (distances[child]! <= distance) break;
      distances[i] = distances[child]!;
      rows[i] = rows[child]!;
      i = child;
    }
    distances[i] = distance;
    rows[i] = row;
  }

  sorted(): { distance: number; row: number }[] {
    const out: { distance: number; row: number }[] = [];
    for (let i = 0; i < this.size; i++) out.push({ distance: this.distances[i]!, row: this.rows[i]! });
    return out.sort((a, b) => a.distance - b.distance || a.row - b.row);
  }
}
