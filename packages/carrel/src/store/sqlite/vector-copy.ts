/**
 * The SQLite store's in-memory copy of a vector table (../vector-memory.ts). sqlite-vec 0.1.x has
 * no ANN index and its int8 cosine kernel is scalar: at ~100k 64-dim vectors its exact scan costs
 * ~20 ms per query, while the same scan over the packed copy costs a few ms.
 *
 * The copy is read straight from the vec0 shadow tables (`<table>_chunks` holds, per block of up to
 * 1,024 rows, the partition key, a validity bitmap and the rowids; `<table>_vector_chunks00` the
 * packed vectors of the same block): ~5 ms for 100k vectors, where `SELECT … FROM <table>` costs
 * over a second. If those tables do not have the expected shape (another sqlite-vec layout), or the
 * copy would exceed the memory budget (`MEMORY_BUDGET_BYTES`), {@link vectorMemory} returns undefined and the
 * caller keeps using sqlite-vec's own KNN.
 *
 * The copy is rebuilt when the database changed since it was taken: `PRAGMA data_version` moves on
 * commits by other connections (the ingest writer thread, other processes), and
 * {@link noteVectorWrite} records writes made through this connection.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { allocate, type VectorMemory } from '../vector-memory.js';
import { hasHiddenChunks, hiddenChunkIds } from './visibility.js';

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
