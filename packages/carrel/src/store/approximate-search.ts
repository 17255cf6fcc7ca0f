/**
 * Which scan answers a library's nearest-neighbour query: the exact scan of the in-memory copy
 * while the library is small (exact is better when it is cheap), an approximate index
 * (approximate-index.ts) once it holds {@link vectorIndexPolicy}`.minRows` vectors.
 *
 * The index is built lazily, on the library's first search, in slices between which the event
 * loop runs; until it is ready the exact scan answers. It is not persisted: it is rebuilt after a
 * restart (bench/README.md § Vector index gives the build times this rests on). It follows the
 * copy: when the copy has been re-read (another commit), the next search removes from the index
 * what left the copy, including chunks that became hidden, and adds what arrived, before it runs.
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
import { rowOf, scanPartition, type Partition, type VectorHit, type VectorMemory } from './vector-memory.js';

/** When a library gets an approximate index, and when a filter is scanned exactly instead. */
export const vectorIndexPolicy = {
  /** Vectors a library must hold to be indexed; below this its exact scan measured a few ms. */
  minRows: 100_000,
  /** Filters keeping at most this many rows scan them exactly (~1 µs per 384-dim row). */
  exactFilterRows: 10_000,
};

/** Vectors added per slice of a build: a few tens of milliseconds of the event loop at 384 dims. */
const BUILD_SLICE = 256;

/** One library's index, and the copy of its vectors that the index holds. */
interface Entry {
  index?: ApproximateIndex;
  /** The partition of the copy the index matches (or, while building, is being built from). */
  holds: Partition;
  building?: Promise<void>;
  /** Why the build failed: the exact scan then keeps serving this library. */
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
 * `allowed` chunk ids when given; exact or approximate as the partition's size says.
 */
export function nearestInPartition(
  owner: object,
  memory: VectorMemory,
  partition: number,
  query: Int8Array,
  k: number,
  allowed?: readonly number[],
): VectorHit[] {
  const p = memory.partitions.get(partition);
  const indexes = entriesOf(owner, memory.dims);
  if (!p || p.ids.length < vectorIndexPolicy.minRows || approximateIndexUnavailable()) {
    indexes.delete(partition);
    return scanPartition(memory, partition, query, k, allowed);
  }
  let entry = indexes.get(partition);
  if (!entry) indexes.set(partition, (entry = { holds: p }));
  if (!entry.index) {
    if (!entry.failed) entry.building ??= build(entry, memory.dims);
    return scanPartition(memory, partition, query, k, allowed);
  }
  if (entry.holds !== p) follow(entry.index, entry.holds, p, memory.dims);
  entry.holds = p;
  if (allowed && allowed.length <= vectorIndexPolicy.exactFilterRows) return scanPartition(memory, partition, query, k, allowed);
  const accepted = allowed && new Set(allowed);
  return entry.index.search(query, k, accepted && ((id) => accepted.has(id)), accepted?.size);
}

async function build(entry: Entry, dims: number): Promise<void> {
  const from = entry.holds;
  try {
    const index = ApproximateIndex.create(dims);
    for (let start = 0; start < from.ids.length; start += BUILD_SLICE) {
      await nextTurn();
      const end = Math.min(from.ids.length, start + BUILD_SLICE);
      index.add(from.ids.subarray(start, end), from.vectors.subarray(start * dims, end * dims));
    }
    // The index holds `from`, however far the copy has moved meanwhile: the next search brings it up to date.
    entry.index = index;
    entry.holds = from;
  } catch (error) {
    entry.failed = error instanceof Error ? error.message : String(error);
  } finally {
    entry.building = undefined;
  }
}

/** Brings `index` from the vectors of `before` to those of `after`: a chunk id whose vector changed is replaced. */
function follow(index: ApproximateIndex, before: Partition, after: Partition, dims: number): void {
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
  index.remove(removed);
  const ids = new Float64Array(addedRows.length);
  const vectors = new Int8Array(addedRows.length * dims);
  addedRows.forEach((row, i) => {
    ids[i] = after.ids[row]!;
    vectors.set(after.vectors.subarray(row * dims, (row + 1) * dims), i * dims);
  });
  index.add(ids, vectors);
}

function sameVector(a: Int8Array, rowA: number, b: Int8Array, rowB: number, dims: number): boolean {
  for (let j = 0, i = rowA * dims, k = rowB * dims; j < dims; j++) if (a[i + j] !== b[k + j]) return false;
  return true;
}

/** Resolves when every index `owner` has started building is ready. */
export async function vectorIndexesBuilt(owner: object): Promise<void> {
  const builds = [...(entries.get(owner)?.values() ?? [])].flatMap((m) => [...m.values()].map((e) => e.building));
  await Promise.all(builds);
}

/** The approximate indexes of `owner`'s libraries: how many vectors each holds, and whether it is still building. */
export function vectorIndexStatus(owner: object): { dims: number; library: number; vectors: number; building: boolean; failed?: string }[] {
  return [...(entries.get(owner) ?? new Map<number, Map<number, Entry>>())].flatMap(([dims, perPartition]) =>
    [...perPartition].map(([library, e]) => ({
      dims,
      library,
      vectors: e.index?.size ?? 0,
      building: e.building !== undefined,
      ...(e.failed === undefined ? {} : { failed: e.failed }),
    })),
  );
}
