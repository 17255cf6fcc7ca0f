/**
 * An approximate nearest-neighbour index over one library's int8 vectors: an HNSW graph from
 * usearch, cosine, vectors held as f16 (which holds int8 values exactly, so it ranks by the same
 * cosine as the exact scan). Chosen by measurement (bench/vector-index, bench/README.md § Vector
 * index): at 100k vectors it answered in ~0.1× the exact scan's time with recall@10 1.000 and
 * built faster than hnswlib-node (which compiles from source and takes one JavaScript call per
 * vector); LanceDB's IVF-PQ answered 2× slower than the exact scan and built 3× slower.
 *
 * The module knows nothing of a database: it takes chunk ids and packed vectors, so the SQLite
 * store feeds it from its in-memory copy and a PostgreSQL store can feed it from its change feed.
 *
 * usearch's JavaScript binding has no filtered search, so a filter is applied by over-fetching:
 * ask for as many neighbours as the filter's selectivity says it takes to keep `k`, and widen the
 * search until `k` pass or the whole index has been walked. Callers scan small filtered sets
 * exactly instead (cheaper than walking a graph for them).
 *
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as UsearchModule from 'usearch';
import type { Index } from 'usearch';
import type { VectorHit } from './vector-memory.js';

type Usearch = typeof UsearchModule;

let usearch: Usearch | null | undefined;

/**
 * usearch, or null where its native module does not load. It is an optional dependency with
 * prebuilt binaries for Linux and macOS only; elsewhere the exact scan keeps serving (correct, and
 * slower past ~100k vectors per library), which {@link approximateIndexUnavailable} explains.
 */
function loadUsearch(): Usearch | null {
  if (usearch === undefined) {
    try {
      usearch = createRequire(import.meta.url)('usearch') as Usearch;
    } catch (error) {
      usearch = null;
      unavailableBecause = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    }
  }
  return usearch;
}

let unavailableBecause: string | undefined;

let version: string | undefined;

/** The version of the usearch package loaded (its files' format may change between versions). */
export function usearchVersion(): string {
  if (version === undefined) {
    // usearch's exports leave out its package.json: found from its entry point instead.
    let dir = dirname(createRequire(import.meta.url).resolve('usearch'));
    for (;;) {
      const manifest = join(dir, 'package.json');
      const found = existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string });
      if (found && found.name === 'usearch') return (version = found.version ?? 'unknown');
      if (dirname(dir) === dir) return (version = 'unknown');
      dir = dirname(dir);
    }
  }
  return version;
}

/** Why no approximate index can be built here (usearch did not load), or undefined when one can. */
export function approximateIndexUnavailable(): string | undefined {
  loadUsearch();
  return unavailableBecause && `usearch did not load (${unavailableBecause}): vector search scans exactly`;
}

/** How the graph is built and searched (the benchmark compares settings; Carrel uses the defaults). */
export interface ApproximateIndexOptions {
  /**
   * How the index stores vectors. `f16` (the default) holds the int8 values exactly and ranks by
   * the true cosine; usearch's `i8` cosine kernel is approximate and lost ~8% of recall@10 in
   * the benchmark, for half the memory.
   */
  scalar?: 'f16' | 'i8';
  /** Candidates kept while inserting: higher builds slower and finds more. */
  expansionAdd?: number;
  /**
   * Candidates kept while searching (usearch widens it to k when k is larger). Applied per query
   * by asking for that many neighbours, so {@link ApproximateIndex.searchBreadth} can change it.
   */
  expansionSearch?: number;
}

/** Graph degree: usearch's default. */
const CONNECTIVITY = 16;
/** Carrel's settings (approximate-search.ts `vectorIndexPolicy`, measured at 1M vectors). */
const DEFAULTS: Required<ApproximateIndexOptions> = { scalar: 'f16', expansionAdd: 128, expansionSearch: 256 };
/** Rows converted to float32 and added at a time, so a large build holds one batch in float32, not the whole set. */
const ADD_BATCH = 16_384;

/** One library's approximate index. */
export class ApproximateIndex {
  private readonly index: Index;
  /** Whether vectors go in as int8 (`i8`) or as float32 that usearch stores as f16. */
  private readonly int8: boolean;
  /** Candidates kept while searching: see {@link ApproximateIndexOptions.expansionSearch}. */
  searchBreadth: number;

  private constructor(
    readonly dims: number,
    readonly options: Required<ApproximateIndexOptions>,
  ) {
    const { scalar, expansionAdd, expansionSearch } = options;
    this.int8 = scalar === 'i8';
    this.searchBreadth = expansionSearch;
    const { Index, MetricKind, ScalarKind } = loadUsearch() ?? fail();
    this.index = new Index({
      dimensions: dims,
      metric: MetricKind.Cos,
      quantization: this.int8 ? ScalarKind.I8 : ScalarKind.F16,
      connectivity: CONNECTIVITY,
      expansion_add: expansionAdd,
      expansion_search: expansionSearch,
      multi: false,
    });
  }

  /** An empty index for vectors of `dims` (throws where {@link approximateIndexUnavailable} says why). */
  static create(dims: number, options: ApproximateIndexOptions = {}): ApproximateIndex {
    return new ApproximateIndex(dims, { ...DEFAULTS, ...options });
  }

  /**
   * The index saved at `path` by {@link save}, built with `options`; throws when it holds vectors
   * of other dimensions. The file must be known to be one a save wrote (approximate-index-files.ts
   * checks its SHA-256 first): usearch trusts it, and a torn file crashed the process in a test.
   */
  static load(path: string, dims: number, options: ApproximateIndexOptions = {}): ApproximateIndex {
    const loaded = new ApproximateIndex(dims, { ...DEFAULTS, ...options });
    loaded.index.load(path);
    if (loaded.index.dimensions() !== dims) throw new Error(`${path} holds ${loaded.index.dimensions()}-dimension vectors, not ${dims}`);
    return loaded;
  }

  /** Writes the whole index (graph and vectors) to `path`, synchronously. */
  save(path: string): void {
    this.index.save(path);
  }

  /** Live vectors. */
  get size(): number {
    return this.index.size();
  }

  /** Adds `ids.length` vectors (row-major in `vectors`); `threads` 0 uses every core. */
  add(ids: ArrayLike<number>, vectors: Int8Array, threads = 0): void {
    const { dims } = this;
    for (let start = 0; start < ids.length; start += ADD_BATCH) {
      const end = Math.min(ids.length, start + ADD_BATCH);
      const keys = BigUint64Array.from({ length: end - start }, (_, i) => BigInt(ids[start + i]!));
      this.index.add(keys, this.input(vectors.subarray(start * dims, end * dims)), threads);
    }
  }

  /** Vectors as the index takes them: cosine ignores scale, so int8 values pass as float32 unscaled. */
  private input(vectors: Int8Array): Int8Array | Float32Array {
    return this.int8 ? vectors : Float32Array.from(vectors);
  }

  /** Removes the vectors of `ids` (ids not in the index are ignored). */
  remove(ids: ArrayLike<number>): void {
    if (ids.length === 0) return;
    const keys = BigUint64Array.from({ length: ids.length }, (_, i) => BigInt(ids[i]!));
    this.index.remove(keys);
  }

  /**
   * The `k` nearest vectors to `query` (distance 1 − cosine), nearest first. With `accept`, only
   * ids it accepts count; `accepted` (how many ids it accepts, at most) sets the first fetch.
   */
  search(query: Int8Array, k: number, accept?: (id: number) => boolean, accepted?: number): VectorHit[] {
    const size = this.size;
    if (k <= 0 || size === 0) return [];
    const selectivity = accept ? Math.max(1, accepted ?? size) / size : 1;
    let fetch = Math.min(size, Math.ceil((k / selectivity) * (accept ? 2 : 1)));
    for (;;) {
      const { keys, distances } = this.index.search(this.input(query), Math.min(size, Math.max(fetch, this.searchBreadth)), 1);
      const hits: VectorHit[] = [];
      for (let i = 0; i < keys.length && hits.length < k; i++) {
        const chunkId = Number(keys[i]!);
        if (!accept || accept(chunkId)) hits.push({ chunkId, distance: distances[i]! });
      }
      if (hits.length >= k || fetch >= size) return hits;
      fetch = Math.min(size, fetch * 4);
    }
  }
}

function fail(): never {
  throw new Error(approximateIndexUnavailable());
}
