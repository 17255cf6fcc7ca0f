/**
 * The vector retriever without the `vector` extension: each node keeps an in-memory copy of a
 * library's live vectors and scans it with the SIMD kernel SQLite's copy uses
 * (`../vector-memory.ts`), or through the approximate index once the library is large
 * (`../approximate-search.ts`).
 *
 * Kept current across nodes by the library's vector generation (migration 0001), which every
 * change of the library's live vectors moves in the committing transaction. Before each KNN the
 * node reads the generation (one primary-key lookup) and brings its copy up to it when it moved;
 * the read returns the generation it is current for from the same snapshot. So a KNN never
 * answers from a copy older than the last commit it could see, on whatever node that commit was
 * made: read-your-writes across the cluster without relying on a notification, which PostgreSQL
 * drops while a LISTEN connection is down (and which may arrive after the query it should have
 * preceded). A search saves that round trip: the repository's `searchableLibraries`, which every
 * search runs first, reads the generations in its own statement and hands them here
 * ({@link VectorCache.noteGenerations}); each is used by one KNN of that library at most (a KNN
 * finding none reads the generation itself), so a KNN still answers from a generation read after
 * its search began.
 *
 * Bringing a copy up to date reads only the chunks that entered or left the library's live
 * vectors since the copy's generation (the log of migration 0002), and the copy is rebuilt in the
 * node from the old one and that delta; the whole library is read again only when the log does
 * not reach back that far or the delta is large ({@link deltaLimit}).
 *
 * @module
 */
import { nearestInPartition } from '../approximate-search.js';
import type { NearestOptions } from '../records.js';
import { packPartition, vectorNorm, type Partition, type VectorHit, type VectorMemory } from '../vector-memory.js';
import type { Query } from './client.js';
import { libraryVectors, vectorDelta, vectorGeneration, type VectorDelta } from './sql/vectors.js';

interface Copy {
  generation: number;
  memory: VectorMemory;
}

/** How many times copies were read, whole or by delta, and how many vectors those reads returned. */
export interface VectorCopyReads {
  whole: number;
  delta: number;
  vectors: number;
}

/** Most changed chunks a delta may hold before the copy is read whole: past a quarter of it, rebuilding costs as much. */
const deltaLimit = (rows: number) => Math.max(1000, Math.floor(rows / 4));

/** One repository's copies, per dimension and library. */
export class VectorCache {
  readonly #copies = new Map<string, Copy>();
  readonly #loading = new Map<string, Promise<Copy>>();
  /** Generations read by searches' `searchableLibraries`, each for one KNN (see module comment). */
  readonly #noted = new Map<number, number>();
  readonly reads: VectorCopyReads = { whole: 0, delta: 0, vectors: 0 };

  constructor(private readonly query: Query) {}

  /**
   * The libraries' vector generations as a search just read them, for that search's KNNs. Kept
   * only when newer than a generation already noted: two searches' reads may resolve out of order,
   * and a KNN must not answer older than its own search's read.
   */
  noteGenerations(generations: Map<number, number>): void {
    for (const [library, generation] of generations) this.#noted.set(library, Math.max(generation, this.#noted.get(library) ?? generation));
  }

  /** The `k` live chunks of the library nearest `query` (among `allowed` when given), nearest first. */
  async nearest(
    dims: number,
    libraryId: number,
    query: Int8Array,
    k: number,
    allowed?: readonly number[],
    options?: NearestOptions,
  ): Promise<VectorHit[]> {
    const noted = this.#noted.get(libraryId);
    this.#noted.delete(libraryId);
    const generation = noted ?? (await vectorGeneration(this.query, libraryId));
    if (generation === undefined) return [];
    const copy = await this.#current(dims, libraryId, generation);
    return nearestInPartition(this, copy.memory, libraryId, query, k, allowed, options);
  }

  /** A copy at least as new as `generation` (generations only grow), loading one if needed; one load per key at a time. */
  async #current(dims: number, libraryId: number, generation: number): Promise<Copy> {
    const key = `${dims}:${libraryId}`;
    for (;;) {
      const copy = this.#copies.get(key);
      if (copy && copy.generation >= generation) return copy;
      const loading = this.#loading.get(key);
      if (loading) {
        await loading.catch(() => undefined);
        continue;
      }
      const load = this.#load(dims, libraryId, copy)
        .then((loaded) => {
          this.#copies.set(key, loaded);
          return loaded;
        })
        .finally(() => this.#loading.delete(key));
      this.#loading.set(key, load);
      return load;
    }
  }

  async #load(dims: number, libraryId: number, previous: Copy | undefined): Promise<Copy> {
    const held = previous?.memory.partitions.get(libraryId);
    if (previous && held) {
      const delta = await vectorDelta(this.query, dims, libraryId, previous.generation, deltaLimit(held.ids.length));
      if (delta) {
        this.reads.delta++;
        this.reads.vectors += delta.ids.length;
        return { generation: delta.generation, memory: pack(dims, libraryId, applyDelta(held, dims, delta)) };
      }
    }
    const { generation, ids, vectors } = await libraryVectors(this.query, dims, libraryId);
    this.reads.whole++;
    this.reads.vectors += ids.length;
    return { generation, memory: pack(dims, libraryId, { ids, vectors }) };
  }
}

function pack(
  dims: number,
  libraryId: number,
  { ids, vectors, norms }: { ids: Float64Array; vectors: Int8Array; norms?: Float32Array },
): VectorMemory {
  const memory = packPartition(dims, libraryId, ids, vectors, norms);
  if (!memory) {
    throw new Error(
      `Library ${libraryId} holds too many ${dims}-dimension vectors to scan in memory; install the pgvector extension (vector) in its database`,
    );
  }
  return memory;
}

/**
 * The rows of `held` whose chunk did not change, merged with the delta's live rows, ascending by
 * chunk id as a whole read returns them (both inputs are ascending), with their norms. Unchanged
 * rows are copied a run at a time with the norms they had: row by row, with every norm computed
 * again, a delta of 91 chunks took 0.43 s with the packing on a library of 250,000 384-dim
 * vectors, 0.14 s this way (bench/README.md § Stop 27).
 */
export function applyDelta(
  held: Partition,
  dims: number,
  delta: VectorDelta,
): { ids: Float64Array; vectors: Int8Array; norms: Float32Array } {
  const changed = new Set(delta.changed);
  const total = held.ids.length + delta.ids.length;
  const ids = new Float64Array(total);
  const vectors = new Int8Array(total * dims);
  const norms = new Float32Array(total);
  let n = 0;
  let row = 0;
  let j = 0;
  while (row < held.ids.length || j < delta.ids.length) {
    if (row < held.ids.length && changed.has(held.ids[row]!)) {
      row++;
    } else if (j < delta.ids.length && (row === held.ids.length || delta.ids[j]! < held.ids[row]!)) {
      ids[n] = delta.ids[j]!;
      vectors.set(delta.vectors.subarray(j * dims, (j + 1) * dims), n * dims);
      norms[n++] = vectorNorm(delta.vectors, j++, dims);
    } else {
      // A run of unchanged rows, up to the next changed chunk or the next arriving one.
      const before = j < delta.ids.length ? delta.ids[j]! : Infinity;
      let end = row + 1;
      while (end < held.ids.length && held.ids[end]! < before && !changed.has(held.ids[end]!)) end++;
      ids.set(held.ids.subarray(row, end), n);
      vectors.set(held.vectors.subarray(row * dims, end * dims), n * dims);
      norms.set(held.norms.subarray(row, end), n);
      n += end - row;
      row = end;
    }
  }
  return { ids: ids.subarray(0, n), vectors: vectors.subarray(0, n * dims), norms: norms.subarray(0, n) };
}
