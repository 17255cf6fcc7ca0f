/**
 * Which scan answers a library's nearest-neighbour query: the exact scan of the in-memory copy
 * while the library is small (exact is better when it is cheap), an approximate index
 * (approximate-index.ts) once it holds {@link vectorIndexPolicy}`.minRows` vectors.
 *
 * The index is built lazily, on the library's first search, in slices between which the event
 * loop runs; until it is ready the exact scan answers. It is not persisted: it is rebuilt after a
 * restart (bench/README.md § Vector index gives the build times this rests on). It follows the
 * copy: once the copy has been re-read (another commit), the next search starts removing from the
 * index what left the copy, chunks that became hidden included, and adding what arrived; the exact
 * scan answers until it has, so no search ever sees a chunk the copy no longer holds.
 *
 * A filter that keeps few rows is scanned exactly over those rows; a wider one over-fetches from
 * the index until k pass it.
 *
 * Nothing here knows SQLite: the caller names an owner object (a connection, a store) that the
 * indexes live as long as, and hands over its copy.
 *
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ApproximateIndex, approximateIndexUnavailable } from './approximate-index.js';
import type { NearestOptions } from './records.js';
import { rowOf, scanPartition, type Partition, type VectorHit, type VectorMemory } from './vector-memory.js';

/** When a library gets an approximate index, and when a filter is scanned exactly instead. */
export const vectorIndexPolicy = {
  /** Vectors a library must hold to be indexed; below this its exact scan measured a few ms. */
  minRows: 100_000,
  /** Filters keeping at most this many rows scan them exactly (~1 µs per 384-dim row). */
  exactFilterRows: 10_000,
  /**
   * Candidates kept while inserting (HNSW `efConstruction`) and while searching (`ef`). At 1M
   * vectors (bench/README.md § Vector index), 128/256 measured recall@10 0.984 at 1.6 ms p50;
   * 64/512 reached only 0.951, in half the build time.
   */
  insertBreadth: 128,
  searchBreadth: 256,
};

/** Vectors added per slice: a few tens of milliseconds of the event loop at 384 dims. */
const ADD_SLICE = 256;

/** One library's index, and the copy of its vectors that the index holds. */
interface Entry {
  index?: ApproximateIndex;
  /** The partition of the copy the index matches. */
  holds?: Partition;
  /** Set while the index is built or brought up to date: the exact scan answers meanwhile. */
  updating?: Promise<void>;
  /** Why building or updating failed: the exact scan then keeps serving this library. */
  failed?: string;
}

const entries = new WeakMap<object, Map<number, Map<number, Entry>>>();

function entriesOf(owner: object, dims: number): Map<number, Entry> {
  let perDims = entries.get(owner);
  if (!perDims) entries.set(owner, (perDims = new Map()));
  let perPartition = perDims.get(dims);
  if (!perPartition) perDims.set(dims, (perPartition = new Map()));
  return perPartition;
}

/**
 * The `k` nearest vectors of one partition (a library) to `query`, nearest first, restricted to
 * `allowed` chunk ids when given; exact or approximate as the partition's size says, always
 * exact with `exact` (then no index is built or kept for the partition).
 */
export function nearestInPartition(
  owner: object,
  memory: VectorMemory,
  partition: number,
  query: Int8Array,
  k: number,
  allowed?: readonly number[],
  { exact = false }: NearestOptions = {},
): VectorHit[] {
  const p = memory.partitions.get(partition);
  const indexes = entriesOf(owner, memory.dims);
  if (exact || !p || p.ids.length < vectorIndexPolicy.minRows || approximateIndexUnavailable()) {
    indexes.delete(partition);
    return scanPartition(memory, partition, query, k, allowed);
  }
  let entry = indexes.get(partition);
  if (!entry) indexes.set(partition, (entry = {}));
  if (!entry.failed && !entry.updating && entry.holds !== p) entry.updating = update(entry, p, memory.dims);
  if (!entry.index || entry.holds !== p) return scanPartition(memory, partition, query, k, allowed);
  if (allowed && allowed.length <= vectorIndexPolicy.exactFilterRows) return scanPartition(memory, partition, query, k, allowed);
  const accepted = allowed && new Set(allowed);
  entry.index.searchBreadth = vectorIndexPolicy.searchBreadth;
  return entry.index.search(query, k, accepted && ((id) => accepted.has(id)), accepted?.size);
}

/**
 * Builds the index from `to`, or brings it from the partition it holds to `to`: what left the copy
 * is removed, what arrived is added, a chunk id whose vector changed is replaced. Adds run in
 * slices on later turns of the event loop (an insert costs ~0.1–0.5 ms), so a large commit never
 * stalls other requests; the copy may move on meanwhile, and the next search starts another update.
 */
async function update(entry: Entry, to: Partition, dims: number): Promise<void> {
  try {
    await nextTurn();
    const { holds: from, index } = entry;
    let rows: ArrayLike<number>;
    let target: ApproximateIndex;
    if (index && from) {
      const changes = diff(from, to, dims);
      index.remove(changes.removed);
      rows = changes.addedRows;
      target = index;
    } else {
      rows = { length: to.ids.length };
      target = ApproximateIndex.create(dims, { expansionAdd: vectorIndexPolicy.insertBreadth });
    }
    for (let start = 0; start < rows.length; start += ADD_SLICE) {
      if (start > 0) await nextTurn();
      const end = Math.min(rows.length, start + ADD_SLICE);
      const ids = new Float64Array(end - start);
      const vectors = new Int8Array((end - start) * dims);
      for (let i = start; i < end; i++) {
        const row = index && from ? rows[i]! : i;
        ids[i - start] = to.ids[row]!;
        vectors.set(to.vectors.subarray(row * dims, (row + 1) * dims), (i - start) * dims);
      }
      target.add(ids, vectors);
    }
    entry.index = target;
    entry.holds = to;
  } catch (error) {
    entry.failed = error instanceof Error ? error.message : String(error);
  } finally {
    entry.updating = undefined;
  }
}

/** What changed between two copies of a partition: ids to remove, and rows of `after` to add. */
function diff(before: Partition, after: Partition, dims: number): { removed: number[]; addedRows: number[] } {
  const oldRows = rowOf(before);
  const newRows = rowOf(after);
  const removed: number[] = [];
  const addedRows: number[] = [];
  for (const [id, row] of oldRows) {
    const now = newRows.get(id);
    if (now === undefined) removed.push(id);
    else if (!sameVector(before.vectors, row, after.vectors, now, dims)) {
      removed.push(id);
      addedRows.push(now);
    }
  }
  for (const [id, row] of newRows) if (!oldRows.has(id)) addedRows.push(row);
  return { removed, addedRows };
}

function sameVector(a: Int8Array, rowA: number, b: Int8Array, rowB: number, dims: number): boolean {
  for (let j = 0, i = rowA * dims, k = rowB * dims; j < dims; j++) if (a[i + j] !== b[k + j]) return false;
  return true;
}

/** Resolves when every build or update of `owner`'s indexes under way has finished. */
export async function vectorIndexesBuilt(owner: object): Promise<void> {
  const updates = [...(entries.get(owner)?.values() ?? [])].flatMap((m) => [...m.values()].map((e) => e.updating));
  await Promise.all(updates);
}

/** The approximate indexes of `owner`'s libraries: how many vectors each holds, and whether it is being built or brought up to date. */
export function vectorIndexStatus(owner: object): { dims: number; library: number; vectors: number; updating: boolean; failed?: string }[] {
  return [...(entries.get(owner) ?? new Map<number, Map<number, Entry>>())].flatMap(([dims, perPartition]) =>
    [...perPartition].map(([library, e]) => ({
      dims,
      library,
      vectors: e.index?.size ?? 0,
      updating: e.updating !== undefined,
      ...(e.failed === undefined ? {} : { failed: e.failed }),
    })),
  );
}
