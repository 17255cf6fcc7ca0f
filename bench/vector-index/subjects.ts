/**
 * The subjects of the vector-index benchmark, each behind the same two calls: build over the whole
 * set, then answer one query (optionally restricted to one library's ids).
 *
 * @module
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApproximateIndex, type ApproximateIndexOptions } from '../../packages/carrel/src/store/approximate-index.js';
import { createDotKernel, kernelSupports } from '../../packages/carrel/src/store/int8-dot-kernel.js';
import { scanPartition, type VectorMemory } from '../../packages/carrel/src/store/vector-memory.js';
import type { VectorSet } from './data.js';

/** A filter: the accepted ids, as a set and as a list. */
export interface Allowed {
  set: Set<number>;
  list: number[];
}

/** A built index: answers a query with chunk ids, nearest first. */
export interface Subject {
  query(query: Int8Array, k: number, allowed?: Allowed): Promise<number[]> | number[];
}

/** Ids are 1-based row numbers. */
const idOf = (row: number) => row + 1;

/** Carrel's exact scan: the in-memory copy and WebAssembly kernel vector-memory.ts scans today. */
function exact(set: VectorSet): Subject {
  const { dims, count } = set;
  const outOffset = Math.ceil(dims / 16) * 16;
  const offset = outOffset + count * 4;
  const kernel = kernelSupports(dims) ? createDotKernel(offset + count * dims) : null;
  const vectors = kernel ? new Int8Array(kernel.memory, offset, count * dims) : new Int8Array(count * dims);
  vectors.set(set.vectors);
  const norms = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sq = 0;
    for (let j = 0; j < dims; j++) sq += vectors[i * dims + j]! ** 2;
    norms[i] = Math.sqrt(sq);
  }
  const ids = Float64Array.from({ length: count }, (_, i) => idOf(i));
  const memory: VectorMemory = { dims, partitions: new Map([[1, { ids, vectors, offset, norms }]]), kernel, outOffset };
  return { query: (q, k, allowed) => scanPartition(memory, 1, q, k, allowed?.list).map((h) => h.chunkId) };
}

/** usearch HNSW, int8, through Carrel's ApproximateIndex (its over-fetching filter included). */
function usearch(set: VectorSet, options: ApproximateIndexOptions): Subject {
  const index = ApproximateIndex.create(set.dims, options);
  index.add(
    Float64Array.from({ length: set.count }, (_, i) => idOf(i)),
    set.vectors,
  );
  return {
    query: (q, k, allowed) => index.search(q, k, allowed && ((id) => allowed.set.has(id)), allowed?.list.length).map((h) => h.chunkId),
  };
}

/**
 * A comparison library installed for this benchmark only (bench/README.md § Vector index says how):
 * LanceDB alone is ~500 MB, and hnswlib-node compiles from source, so neither is in the lockfile.
 */
async function comparison<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch {
    throw new Error(`${name} is not installed; see bench/README.md § Vector index for the one-off install`);
  }
}

interface Hnswlib {
  default: {
    HierarchicalNSW: new (
      space: 'cosine',
      dims: number,
    ) => {
      initIndex(options: { maxElements: number; m: number; efConstruction: number }): void;
      addPoint(point: number[], label: number): void;
      setEf(ef: number): void;
      searchKnn(query: number[], k: number, filter?: (label: number) => boolean): { neighbors: number[] };
    };
  };
}

/** hnswlib-node HNSW, float32 (its only type), filtered by its per-candidate callback. */
async function hnswlib(set: VectorSet): Promise<Subject> {
  const { HierarchicalNSW } = (await comparison<Hnswlib>('hnswlib-node')).default;
  const { dims, count } = set;
  const index = new HierarchicalNSW('cosine', dims);
  index.initIndex({ maxElements: count, m: 16, efConstruction: 128 });
  const point = new Array<number>(dims);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dims; j++) point[j] = set.vectors[i * dims + j]!;
    index.addPoint(point, idOf(i));
  }
  index.setEf(128);
  return {
    query: (q, k, allowed) => index.searchKnn(Array.from(q), k, allowed && ((id: number) => allowed.set.has(id))).neighbors,
  };
}

interface LanceQuery {
  distanceType(type: 'cosine'): LanceQuery;
  nprobes(n: number): LanceQuery;
  refineFactor(n: number): LanceQuery;
  limit(n: number): LanceQuery;
  select(columns: string[]): LanceQuery;
  where(predicate: string): LanceQuery;
  toArray(): Promise<{ id: number }[]>;
}
interface LanceTable {
  add(rows: object[]): Promise<unknown>;
  createIndex(column: string, options: { config: unknown }): Promise<void>;
  vectorSearch(vector: number[]): LanceQuery;
}
interface Lancedb {
  connect(dir: string): Promise<{ createTable(name: string, rows: object[]): Promise<LanceTable> }>;
  Index: { ivfPq(options: { numPartitions: number; numSubVectors: number; distanceType: 'cosine' }): unknown };
}

/** LanceDB IVF-PQ on disk (float32 input), filtered by its prefilter on a library column. */
async function lancedb(set: VectorSet): Promise<Subject> {
  const lance = await comparison<Lancedb>('@lancedb/lancedb');
  const { dims, count } = set;
  const db = await lance.connect(mkdtempSync(join(tmpdir(), 'carrel-bench-lance-')));
  let table: LanceTable | undefined;
  for (let start = 0; start < count; start += 50_000) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 50_000); i++)
      batch.push({ id: idOf(i), library: set.libraries[i]!, vector: Array.from(set.vectors.subarray(i * dims, (i + 1) * dims)) });
    if (!table) table = await db.createTable('vectors', batch);
    else await table.add(batch);
  }
  // √n partitions and 8 dims per PQ code (common IVF-PQ starting points); 20 probes and a refine
  // step re-ranking 10× k candidates by their full vectors.
  await table!.createIndex('vector', {
    config: lance.Index.ivfPq({ numPartitions: Math.round(Math.sqrt(count)), numSubVectors: dims / 8, distanceType: 'cosine' }),
  });
  return {
    query: async (q, k, allowed) => {
      let search = table!
        .vectorSearch(Array.from(q))
        .distanceType('cosine')
        .nprobes(20)
        .refineFactor(10)
        .limit(k)
        .select(['id', '_distance']);
      if (allowed) search = search.where(`library = ${LIBRARY}`);
      return (await search.toArray()).map((r) => Number(r.id));
    },
  };
}

/** The library the filtered queries keep (~10% of rows). */
export const LIBRARY = 3;

/** Subject names and builders. */
export const SUBJECTS: Record<string, (set: VectorSet) => Subject | Promise<Subject>> = {
  exact,
  // usearch settings named scalar-expansionAdd/expansionSearch; 'usearch' is what Carrel uses.
  usearch: (set) => usearch(set, {}),
  'usearch-i8-128/128': (set) => usearch(set, { scalar: 'i8', expansionAdd: 128, expansionSearch: 128 }),
  'usearch-f16-64/64': (set) => usearch(set, { expansionAdd: 64, expansionSearch: 64 }),
  'usearch-f16-128/128': (set) => usearch(set, { expansionAdd: 128, expansionSearch: 128 }),
  hnswlib,
  lancedb,
};
