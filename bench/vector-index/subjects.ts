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
import { nearestInPartition, vectorIndexPolicy, vectorIndexesBuilt } from '../../packages/carrel/src/store/approximate-search.js';
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
  /** Search breadths to measure one after another on the same build, and how to switch to one. */
  breadths?: { values: number[]; use(breadth: number): void };
  /** Milliseconds for the index to catch up with a copy in which 1% of the vectors changed, where measured. */
  change?(): Promise<number>;
}

/** Ids are 1-based row numbers. */
export const idOf = (row: number) => row + 1;

/** A one-library copy of `count` vectors from row `from` of the set, as vector-memory.ts lays one out. */
export function memoryOf(set: VectorSet, ids: Float64Array, vectorsOf: (row: number) => Int8Array): VectorMemory {
  const { dims } = set;
  const count = ids.length;
  const outOffset = Math.ceil(dims / 16) * 16;
  const offset = outOffset + count * 4;
  const kernel = kernelSupports(dims) ? createDotKernel(offset + count * dims) : null;
  const vectors = kernel ? new Int8Array(kernel.memory, offset, count * dims) : new Int8Array(count * dims);
  const norms = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = vectorsOf(i);
    vectors.set(v, i * dims);
    let sq = 0;
    for (let j = 0; j < dims; j++) sq += v[j]! ** 2;
    norms[i] = Math.sqrt(sq);
  }
  return { dims, partitions: new Map([[1, { ids, vectors, offset, norms }]]), kernel, outOffset };
}

export const rowsOf = (set: VectorSet) => (row: number) => set.vectors.subarray(row * set.dims, (row + 1) * set.dims);

/** Carrel's exact scan: the in-memory copy and WebAssembly kernel vector-memory.ts scans. */
function exact(set: VectorSet): Subject {
  const memory = memoryOf(
    set,
    Float64Array.from({ length: set.count }, (_, i) => idOf(i)),
    rowsOf(set),
  );
  return { query: (q, k, allowed) => scanPartition(memory, 1, q, k, allowed?.list).map((h) => h.chunkId) };
}

/**
 * Carrel's whole path (approximate-search.ts): the index built in slices on the first search,
 * filters exact up to 10,000 rows and over-fetched past them; `change` then measures bringing the
 * index up to date with a copy re-read after a commit that replaced 1% of the vectors (searches
 * meanwhile are exact).
 */
async function carrel(set: VectorSet, insertBreadth = vectorIndexPolicy.insertBreadth): Promise<Subject> {
  const owner = {};
  // The index at every size measured here (Carrel builds one from 100,000 vectors).
  vectorIndexPolicy.minRows = 0;
  vectorIndexPolicy.insertBreadth = insertBreadth;
  const ids = Float64Array.from({ length: set.count }, (_, i) => idOf(i));
  let memory = memoryOf(set, ids, rowsOf(set));
  nearestInPartition(owner, memory, 1, set.queries.subarray(0, set.dims), 10);
  await vectorIndexesBuilt(owner);
  const query = (q: Int8Array, k: number, allowed?: Allowed) =>
    nearestInPartition(owner, memory, 1, q, k, allowed?.list).map((h) => h.chunkId);
  return {
    query,
    breadths: { values: [128, 256, 512, 1024], use: (breadth) => (vectorIndexPolicy.searchBreadth = breadth) },
    change: async () => {
      // 1% replaced: the first 0.5% of rows deleted, 0.5% new chunks (copies of other rows) added.
      const half = Math.floor(set.count / 200);
      const changed = Float64Array.from({ length: set.count }, (_, i) => (i < half ? set.count + 1 + i : idOf(i)));
      memory = memoryOf(set, changed, (row) => rowsOf(set)(row < half ? set.count - 1 - row : row));
      const started = performance.now();
      query(set.queries.subarray(0, set.dims), 10);
      await vectorIndexesBuilt(owner);
      return performance.now() - started;
    },
  };
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
  // usearch settings named scalar-expansionAdd/expansionSearch; 'usearch' is what Carrel uses, 'carrel' its whole path.
  usearch: (set) => usearch(set, {}),
  carrel: (set) => carrel(set),
  'carrel-insert64': (set) => carrel(set, 64),
  'usearch-i8-128/128': (set) => usearch(set, { scalar: 'i8', expansionAdd: 128, expansionSearch: 128 }),
  'usearch-f16-64/64': (set) => usearch(set, { expansionAdd: 64, expansionSearch: 64 }),
  'usearch-f16-128/128': (set) => usearch(set, { expansionAdd: 128, expansionSearch: 128 }),
  hnswlib,
  lancedb,
};
