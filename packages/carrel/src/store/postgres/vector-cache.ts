/**
 * The vector retriever without the `vector` extension: each node keeps an in-memory copy of a
 * library's live vectors and scans it with the SIMD kernel SQLite's copy uses
 * (`../vector-memory.ts`), or through the approximate index once the library is large
 * (`../approximate-search.ts`).
 *
 * Kept current across nodes by the library's vector generation (migration 0001), which every
 * change of the library's live vectors moves in the committing transaction. Before each KNN the
 * node reads the generation (one primary-key lookup, well under a millisecond) and re-reads the
 * library's vectors when it moved; the re-read returns the generation it is current for from the
 * same snapshot. So a KNN never answers from a copy older than the last commit it could see, on
 * whatever node that commit was made: read-your-writes across the cluster without relying on a
 * notification, which PostgreSQL drops while a LISTEN connection is down. (LISTEN/NOTIFY could
 * start the re-read before the next query arrives; it would only save latency, never be needed
 * for correctness, and is left for when a measurement asks for it.)
 *
 * @module
 */
import { nearestInPartition } from '../approximate-search.js';
import { packPartition, type VectorHit, type VectorMemory } from '../vector-memory.js';
import type { Query } from './client.js';
import { libraryVectors, vectorGeneration } from './sql/vectors.js';

interface Copy {
  generation: number;
  memory: VectorMemory;
}

/** One repository's copies, per dimension and library. */
export class VectorCache {
  readonly #copies = new Map<string, Copy>();
  readonly #loading = new Map<string, Promise<Copy>>();

  constructor(private readonly query: Query) {}

  /** The `k` live chunks of the library nearest `query` (among `allowed` when given), nearest first. */
  async nearest(dims: number, libraryId: number, query: Int8Array, k: number, allowed?: readonly number[]): Promise<VectorHit[]> {
    const generation = await vectorGeneration(this.query, libraryId);
    if (generation === undefined) return [];
    const copy = await this.#current(dims, libraryId, generation);
    return nearestInPartition(this, copy.memory, libraryId, query, k, allowed);
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
      const load = this.#load(dims, libraryId)
        .then((loaded) => {
          this.#copies.set(key, loaded);
          return loaded;
        })
        .finally(() => this.#loading.delete(key));
      this.#loading.set(key, load);
      return load;
    }
  }

  async #load(dims: number, libraryId: number): Promise<Copy> {
    const { generation, ids, vectors } = await libraryVectors(this.query, dims, libraryId);
    const memory = packPartition(dims, libraryId, ids, vectors);
    if (!memory) {
      throw new Error(
        `Library ${libraryId} holds too many ${dims}-dimension vectors to scan in memory; install the pgvector extension (vector) in its database`,
      );
    }
    return { generation, memory };
  }
}
