/**
 * Which scan answers a library's nearest-neighbour query: the exact scan of the in-memory copy
 * while the library is small (exact is better when it is cheap), an approximate index
 * (approximate-index.ts) once it holds {@link vectorIndexPolicy}`.minRows` vectors.
 *
 * The index is built lazily, on the library's first search, in slices between which the event
 * loop runs; until it is ready the exact scan answers. It follows the copy: once the copy has been
 * re-read (another commit), the next search starts removing from the index what left the copy,
 * chunks that became hidden included, and adding what arrived; the exact scan answers until it
 * has, so no search ever sees a chunk the copy no longer holds.
 *
 * An owner given a folder ({@link keepIndexesIn}) keeps its indexes on disk
 * (approximate-index-files.ts): a build is saved, and so is an index once a tenth of it has
 * changed since its last save; after a restart the first search loads the saved index and brings
 * it up to date as it would after a commit, instead of building it again (minutes at 1M vectors,
 * bench/README.md § Vector index).
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
import { ApproximateIndex, approximateIndexUnavailable, type ApproximateIndexOptions } from './approximate-index.js';
import { digestOf, IndexFolder, type IndexDigest } from './approximate-index-files.js';
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
/** Vectors removed per slice: usearch repairs the graph around each, ~0.65 ms apiece at 100,000 vectors. */
const REMOVE_SLICE = 64;
/** Ids a saved index's digest is compared by per slice (~25 ms). */
const DIFF_SLICE = 65_536;
/** An index is saved again once this share of it has changed since its last save. */
const RESAVE_SHARE = 0.1;

/** One library's index, and the copy of its vectors that the index holds. */
interface Entry {
  index?: ApproximateIndex;
  /** The partition of the copy the index matches. */
  holds?: Partition;
  /** Set while the index is built or brought up to date: the exact scan answers meanwhile. */
  updating?: Promise<void>;
  /** Why building or updating failed: the exact scan then keeps serving this library. */
  failed?: string;
  /** Vectors removed or added since the index was last saved (or, never saved, Infinity). */
  unsaved: number;
  /** Why the last save failed: the index serves on, and is saved again after the next change. */
  saveFailed?: string;
}

const entries = new WeakMap<object, Map<number, Map<number, Entry>>>();
const folders = new WeakMap<object, IndexFolder>();
/** Aborted when the owner's store closes: its builds, loads and updates stop at the next slice. */
const closing = new WeakMap<object, AbortController>();

function closingOf(owner: object): AbortController {
  let controller = closing.get(owner);
  if (!controller) closing.set(owner, (controller = new AbortController()));
  return controller;
}

/** Keeps `owner`'s indexes in the folder `dir` (created when the first is saved), loading them from there after a restart. */
export function keepIndexesIn(owner: object, dir: string): void {
  folders.set(owner, new IndexFolder(dir));
}

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
  const unindexed = !p || p.ids.length < vectorIndexPolicy.minRows;
  if (exact || unindexed || approximateIndexUnavailable()) {
    // A saved index outlives an exact search, not its library's leaving the indexed sizes.
    if (unindexed) folders.get(owner)?.forget(memory.dims, partition);
    indexes.delete(partition);
    return scanPartition(memory, partition, query, k, allowed);
  }
  let entry = indexes.get(partition);
  if (!entry) indexes.set(partition, (entry = { unsaved: Infinity }));
  const closed = closingOf(owner).signal;
  if (!entry.failed && !entry.updating && entry.holds !== p && !closed.aborted)
    entry.updating = update(entry, p, { closed, dims: memory.dims, partition, folder: folders.get(owner) });
  if (!entry.index || entry.holds !== p) return scanPartition(memory, partition, query, k, allowed);
  if (allowed && allowed.length <= vectorIndexPolicy.exactFilterRows) return scanPartition(memory, partition, query, k, allowed);
  const accepted = allowed && new Set(allowed);
  entry.index.searchBreadth = vectorIndexPolicy.searchBreadth;
  return entry.index.search(query, k, accepted && ((id) => accepted.has(id)), accepted?.size);
}

/** The settings every index is built with. */
const indexSettings = (): Required<ApproximateIndexOptions> => ({
  scalar: 'f16',
  expansionAdd: vectorIndexPolicy.insertBreadth,
  expansionSearch: vectorIndexPolicy.searchBreadth,
});

/** Which partition's index an update works on, where it is kept, and when its owner closes. */
interface Place {
  closed: AbortSignal;
  dims: number;
  partition: number;
  folder: IndexFolder | undefined;
}

/**
 * Builds the index from `to` (or loads the saved one), or brings it from the partition it holds to
 * `to`: what left the copy is removed, what arrived is added, a chunk id whose vector changed is
 * replaced. Removes and adds run in slices on later turns of the event loop (an insert costs
 * ~0.1–0.5 ms, a removal more), so a large commit never stalls other requests; the copy may move
 * on meanwhile, and the next search starts another update. Then saves the index when it is new or
 * has changed enough. Stops between slices once the owner's store closes.
 */
async function update(entry: Entry, to: Partition, { closed, dims, partition, folder }: Place): Promise<void> {
  /** Waits for the next turn of the event loop; false once the owner's store was closed. */
  const goOn = async () => {
    await nextTurn();
    return !closed.aborted;
  };
  try {
    if (!(await goOn())) return;
    const { holds: from, index } = entry;
    let target: ApproximateIndex;
    let rows: ArrayLike<number>;
    /** What to remove, and which rows of `to` to add; null for a new build, which adds every row in order. */
    let changes: { removed: number[]; addedRows: number[] } | null = null;
    /** `to`'s digest when working out the changes computed it. */
    let digest: IndexDigest | undefined;
    const saved = index && from ? null : await folder?.load(dims, partition, indexSettings(), closed);
    if (closed.aborted) return;
    if (index && from) {
      changes = diff(from, to, dims);
      target = index;
    } else if (saved) {
      digest = await digestOf(to, dims, closed);
      if (closed.aborted) return;
      changes = await diffDigest(saved.digest, to, digest);
      target = saved.index;
    } else {
      target = ApproximateIndex.create(dims, indexSettings());
    }
    if (changes) {
      for (let start = 0; start < changes.removed.length; start += REMOVE_SLICE) {
        if (start > 0 && !(await goOn())) return;
        target.remove(changes.removed.slice(start, start + REMOVE_SLICE));
      }
      rows = changes.addedRows;
      // A saved index starts as saved; one built here or changed here is counted as changed.
      if (saved) entry.unsaved = 0;
      entry.unsaved += changes.removed.length + changes.addedRows.length;
    } else {
      rows = { length: to.ids.length };
    }
    for (let start = 0; start < rows.length; start += ADD_SLICE) {
      if (start > 0 && !(await goOn())) return;
      const end = Math.min(rows.length, start + ADD_SLICE);
      const ids = new Float64Array(end - start);
      const vectors = new Int8Array((end - start) * dims);
      for (let i = start; i < end; i++) {
        const row = changes ? rows[i]! : i;
        ids[i - start] = to.ids[row]!;
        vectors.set(to.vectors.subarray(row * dims, (row + 1) * dims), (i - start) * dims);
      }
      target.add(ids, vectors);
    }
    entry.index = target;
    entry.holds = to;
    if (folder && entry.unsaved >= Math.max(ADD_SLICE, to.ids.length * RESAVE_SHARE)) {
      digest ??= await digestOf(to, dims, closed);
      if (closed.aborted) return;
      try {
        await folder.save(dims, partition, target, digest);
        entry.unsaved = 0;
        entry.saveFailed = undefined;
      } catch (error) {
        entry.saveFailed = error instanceof Error ? error.message : String(error);
      }
    }
  } catch (error) {
    entry.failed = error instanceof Error ? error.message : String(error);
  } finally {
    entry.updating = undefined;
  }
}

/**
 * What changed between the vectors a saved index holds and a copy of the partition (whose digest
 * is `now`), worked out in slices: a map of a million ids takes ~0.4 s to build and probe.
 */
async function diffDigest(saved: IndexDigest, after: Partition, now: IndexDigest): Promise<{ removed: number[]; addedRows: number[] }> {
  const savedRow = new Map<number, number>();
  for (let i = 0; i < saved.ids.length; i++) {
    if (i > 0 && i % DIFF_SLICE === 0) await nextTurn();
    savedRow.set(saved.ids[i]!, i);
  }
  const kept = new Uint8Array(saved.ids.length);
  const removed: number[] = [];
  const addedRows: number[] = [];
  for (let row = 0; row < after.ids.length; row++) {
    if (row > 0 && row % DIFF_SLICE === 0) await nextTurn();
    const id = after.ids[row]!;
    const was = savedRow.get(id);
    if (was === undefined) {
      addedRows.push(row);
      continue;
    }
    kept[was] = 1;
    if (saved.hashes[was * 2] !== now.hashes[row * 2] || saved.hashes[was * 2 + 1] !== now.hashes[row * 2 + 1]) {
      removed.push(id);
      addedRows.push(row);
    }
  }
  for (let i = 0; i < saved.ids.length; i++) if (kept[i] === 0) removed.push(saved.ids[i]!);
  return { removed, addedRows };
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

/**
 * Stops `owner`'s builds and updates at their next slice, saving nothing more: a closed store's
 * process is done searching, and a one-shot command (`carrel search`) would otherwise stay alive
 * until a build it started had finished (minutes at 1M vectors).
 */
export function stopIndexing(owner: object): void {
  closingOf(owner).abort();
}

/** Resolves when every build or update of `owner`'s indexes under way has finished. */
export async function vectorIndexesBuilt(owner: object): Promise<void> {
  const updates = [...(entries.get(owner)?.values() ?? [])].flatMap((m) => [...m.values()].map((e) => e.updating));
  await Promise.all(updates);
}

/** The approximate indexes of `owner`'s libraries: how many vectors each holds, and whether it is being built or brought up to date. */
export function vectorIndexStatus(
  owner: object,
): { dims: number; library: number; vectors: number; updating: boolean; failed?: string; saveFailed?: string }[] {
  return [...(entries.get(owner) ?? new Map<number, Map<number, Entry>>())].flatMap(([dims, perPartition]) =>
    [...perPartition].map(([library, e]) => ({
      dims,
      library,
      vectors: e.index?.size ?? 0,
      updating: e.updating !== undefined,
      ...(e.failed === undefined ? {} : { failed: e.failed }),
      ...(e.saveFailed === undefined ? {} : { saveFailed: e.saveFailed }),
    })),
  );
}
