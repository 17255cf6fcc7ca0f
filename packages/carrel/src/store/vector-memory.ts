/**
 * An in-memory copy of a vector table, scanned exactly in JavaScript. sqlite-vec 0.1.x has no ANN
 * index and its int8 cosine kernel is scalar: at ~100k 64-dim vectors its exact scan costs ~20 ms
 * per query, while the same scan over a packed Int8Array with precomputed norms costs a few ms.
 * A large library's copy also feeds its approximate index (approximate-search.ts).
 *
 * The copy is read straight from the vec0 shadow tables (`<table>_chunks` holds, per block of up to
 * 1,024 rows, the partition key, a validity bitmap and the rowids; `<table>_vector_chunks00` the
 * packed vectors of the same block): ~5 ms for 100k vectors, where `SELECT … FROM <table>` costs
 * over a second. If those tables do not have the expected shape (another sqlite-vec layout), or the
 * copy would exceed {@link MEMORY_BUDGET_BYTES}, {@link vectorMemory} returns undefined and the
 * caller keeps using sqlite-vec's own KNN.
 *
 * The copy is rebuilt when the database changed since it was taken: `PRAGMA data_version` moves on
 * commits by other connections (the ingest writer thread, other processes), and
 * {@link noteVectorWrite} records writes made through this connection.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { DotKernel } from './int8-dot-kernel.js';
import { createDotKernel, kernelSupports } from './int8-dot-kernel.js';
import { hasHiddenChunks, hiddenChunkIds } from './sqlite/visibility.js';

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

interface Cached {
  dataVersion: number;
  writes: number;
  memory: VectorMemory | undefined;
}

const caches = new WeakMap<Database, Map<number, Cached>>();
const writeCounts = new WeakMap<Database, number>();

/** Records that this connection wrote vectors, so its copies are re-read before the next scan. */
export function noteVectorWrite(db: Database): void {
  writeCounts.set(db, (writeCounts.get(db) ?? 0) + 1);
}

/** The current copy of `vec_chunks_<dims>`, re-read if the database changed; undefined when unavailable. */
export function vectorMemory(db: Database, table: string, dims: number): VectorMemory | undefined {
  let perDims = caches.get(db);
  if (!perDims) caches.set(db, (perDims = new Map()));
  const dataVersion = db.pragma('data_version', { simple: true }) as number;
  const writes = writeCounts.get(db) ?? 0;
  const cached = perDims.get(dims);
  if (cached && cached.dataVersion === dataVersion && cached.writes === writes) return cached.memory;
  const memory = load(db, table, dims);
  perDims.set(dims, { dataVersion, writes, memory });
  return memory;
}

function hasColumns(db: Database, table: string, columns: readonly string[]): boolean {
  const names = new Set(
    db
      .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
      .all(table)
      .map((c) => c.name),
  );
  return columns.every((c) => names.has(c));
}

function load(db: Database, table: string, dims: number): VectorMemory | undefined {
  const blocksTable = `${table}_chunks`;
  const vectorsTable = `${table}_vector_chunks00`;
  if (
    !hasColumns(db, blocksTable, ['chunk_id', 'size', 'partition00', 'validity', 'rowids']) ||
    !hasColumns(db, vectorsTable, ['rowid', 'vectors'])
  ) {
    return undefined;
  }
  const blocks = db
    .prepare<[], [number, number, number | bigint, Buffer, Buffer, Buffer | null]>(
      `SELECT b.chunk_id, b.size, b.partition00, b.validity, b.rowids, v.vectors FROM "${blocksTable}" b LEFT JOIN "${vectorsTable}" v ON v.rowid = b.chunk_id`,
    )
    .raw()
    .all();
  // Vectors of staged and garbage versions stay out of the copy: readers must not find them.
  const hidden = hasHiddenChunks(db) ? hiddenChunkIds(db) : null;
  const kept = (validity: Buffer, ids: BigInt64Array, i: number) =>
    (validity[i >> 3]! & (1 << (i & 7))) !== 0 && (hidden === null || !hidden.has(Number(ids[i])));
  // First pass: validate every block and count the kept rows of each partition.
  const counts = new Map<number, number>();
  for (const [, size, partition, validity, rowids, vectors] of blocks) {
    if (!vectors || validity.length * 8 < size || rowids.length < size * 8 || vectors.length < size * dims) return undefined;
    const ids = new BigInt64Array(rowids.buffer, rowids.byteOffset, size);
    let live = 0;
    for (let i = 0; i < size; i++) if (kept(validity, ids, i)) live++;
    const key = Number(partition);
    counts.set(key, (counts.get(key) ?? 0) + live);
  }
  const memory = allocate(dims, counts);
  if (!memory) return undefined;
  const { partitions } = memory;
  const filled = new Map<number, number>();
  for (const [, size, partition, validity, rowids, vectors] of blocks) {
    const key = Number(partition);
    const p = partitions.get(key)!;
    let at = filled.get(key) ?? 0;
    const ids = new BigInt64Array(rowids.buffer, rowids.byteOffset, size);
    const packed = new Int8Array(vectors!.buffer, vectors!.byteOffset, size * dims);
    for (let i = 0; i < size; i++) {
      if (!kept(validity, ids, i)) continue;
      p.ids[at] = Number(ids[i]);
      let sq = 0;
      for (let j = 0, from = i * dims, to = at * dims; j < dims; j++) {
        const x = packed[from + j]!;
        p.vectors[to + j] = x;
        sq += x * x;
      }
      p.norms[at] = Math.sqrt(sq);
      at++;
    }
    filled.set(key, at);
  }
  return memory;
}

/** An empty copy with room for `counts` (partition → rows) vectors; undefined past {@link MEMORY_BUDGET_BYTES}. */
function allocate(dims: number, counts: ReadonlyMap<number, number>): VectorMemory | undefined {
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
 * vectors as bytes (PostgreSQL's node-side scan).
 */
export function packPartition(dims: number, partition: number, ids: ArrayLike<number>, vectors: Int8Array): VectorMemory | undefined {
  const memory = allocate(dims, new Map([[partition, ids.length]]));
  if (!memory) return undefined;
  const p = memory.partitions.get(partition)!;
  p.vectors.set(vectors.subarray(0, ids.length * dims));
  for (let row = 0; row < ids.length; row++) {
    p.ids[row] = ids[row]!;
    let sq = 0;
    for (let j = 0, at = row * dims; j < dims; j++) sq += vectors[at + j]! * vectors[at + j]!;
    p.norms[row] = Math.sqrt(sq);
  }
  return memory;
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
