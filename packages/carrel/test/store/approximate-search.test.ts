import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApproximateIndex } from '../../src/store/approximate-index.js';
import { keepIndexesIn, vectorIndexPolicy, vectorIndexStatus, vectorIndexesBuilt } from '../../src/store/approximate-search.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { SqliteRepository } from '../../src/store/sqlite/sqlite-repository.js';
import { deleteVectorsOfChunks, ensureVectorTable, insertVectors, knn, sqliteVecKnn } from '../../src/store/sqlite/vectors.js';
import { publishRun } from '../../src/store/sqlite/publish.js';
import { openRun } from '../../src/store/sqlite/runs.js';
import { stageDocuments } from '../../src/store/sqlite/staging.js';
import { clusteredVectors, recall } from '../support/clustered-vectors.js';
import { libraryId, writeLive } from '../support/store.js';
import { tempDir } from '../support/temp-dir.js';

const DIMS = 64;
const LARGE = 2500;
const defaults = { ...vectorIndexPolicy };

beforeEach(() => {
  // Indexes from 1,000 vectors: library 1 (2,500) gets one, library 2 (300) keeps the exact scan.
  vectorIndexPolicy.minRows = 1000;
});
afterEach(() => {
  Object.assign(vectorIndexPolicy, defaults);
  vi.restoreAllMocks();
});

function seed(path: string) {
  const db = openDatabase(path);
  const table = ensureVectorTable(db, DIMS);
  const all = clusteredVectors(LARGE + 300, DIMS);
  insertVectors(
    db,
    DIMS,
    1,
    all.slice(0, LARGE).map((vector, i) => ({ chunkId: i + 1, vector })),
    false,
  );
  insertVectors(
    db,
    DIMS,
    2,
    all.slice(LARGE).map((vector, i) => ({ chunkId: LARGE + 1 + i, vector })),
    false,
  );
  return { db, table };
}

/** Mean recall@k of `knn` against sqlite-vec's exact KNN over `queries`. */
function meanRecall(db: ReturnType<typeof openDatabase>, table: string, queries: Int8Array[], k: number, allowed?: number[]) {
  let sum = 0;
  for (const q of queries) {
    const got = knn(db, DIMS, 1, q, k, allowed);
    expect(got).toHaveLength(k);
    if (allowed) expect(got.every((h) => allowed.includes(h.chunkId))).toBe(true);
    sum += recall(
      got.map((h) => h.chunkId),
      sqliteVecKnn(db, table, 1, q, k, allowed).map((h) => h.chunkId),
    );
  }
  return sum / queries.length;
}

describe('approximate search over the in-memory copy', () => {
  it('builds an index for a library past the threshold only, and answers exactly until it is ready', async () => {
    const { db, table } = seed(join(tempDir(), 'kb.db'));
    const [q] = clusteredVectors(1, DIMS, { draw: 5 });
    expect(knn(db, DIMS, 1, q!, 10)).toEqual(
      sqliteVecKnn(db, table, 1, q!, 10).map((h) => ({ ...h, distance: expect.closeTo(h.distance, 5) })),
    );
    knn(db, DIMS, 2, q!, 10);
    expect(vectorIndexStatus(db)).toEqual([{ dims: DIMS, library: 1, vectors: 0, updating: true }]);
    await vectorIndexesBuilt(db);
    expect(vectorIndexStatus(db)).toEqual([{ dims: DIMS, library: 1, vectors: LARGE, updating: false }]);
    db.close();
  });

  it('finds ≥ 95% of the exact 10 and 50 nearest once built', async () => {
    const { db, table } = seed(join(tempDir(), 'kb.db'));
    const queries = clusteredVectors(40, DIMS, { draw: 6 });
    knn(db, DIMS, 1, queries[0]!, 10);
    await vectorIndexesBuilt(db);
    expect(meanRecall(db, table, queries, 10)).toBeGreaterThanOrEqual(0.95);
    expect(meanRecall(db, table, queries, 50)).toBeGreaterThanOrEqual(0.95);
    db.close();
  });

  it('returns k allowed chunks for a filter, scanned exactly when it is small and through the index when it is not', async () => {
    const { db, table } = seed(join(tempDir(), 'kb.db'));
    const queries = clusteredVectors(30, DIMS, { draw: 7 });
    knn(db, DIMS, 1, queries[0]!, 10);
    await vectorIndexesBuilt(db);
    const tenth = Array.from({ length: LARGE / 10 }, (_, i) => 1 + i * 10);
    vectorIndexPolicy.exactFilterRows = 100;
    expect(meanRecall(db, table, queries, 10, tenth)).toBeGreaterThanOrEqual(0.95);
    vectorIndexPolicy.exactFilterRows = 1000;
    expect(meanRecall(db, table, queries, 10, tenth)).toBe(1);
    db.close();
  });

  it('follows deletes, inserts and replaced vectors on this connection and commits from another', async () => {
    const path = join(tempDir(), 'kb.db');
    const { db } = seed(path);
    const [q] = clusteredVectors(1, DIMS, { draw: 8 });
    /** The k nearest through the index, once it has caught up with the last commit (the exact scan answers until then). */
    const settled = async (k: number) => {
      knn(db, DIMS, 1, q!, k);
      await vectorIndexesBuilt(db);
      expect(vectorIndexStatus(db)[0]!.updating).toBe(false);
      return knn(db, DIMS, 1, q!, k);
    };
    const nearest = (await settled(1))[0]!.chunkId;
    deleteVectorsOfChunks(db, [nearest]);
    expect((await settled(10)).map((h) => h.chunkId)).not.toContain(nearest);
    expect(vectorIndexStatus(db)[0]!.vectors).toBe(LARGE - 1);

    insertVectors(db, DIMS, 1, [{ chunkId: 9001, vector: q! }]);
    expect((await settled(1))[0]).toEqual({ chunkId: 9001, distance: expect.closeTo(0, 5) });

    // The same chunk id with another vector (SQLite reuses the rowid of a deleted last row).
    deleteVectorsOfChunks(db, [9001]);
    insertVectors(db, DIMS, 1, [{ chunkId: 9001, vector: Int8Array.from(q!, (x) => -x) }]);
    expect((await settled(10)).map((h) => h.chunkId)).not.toContain(9001);

    const other = openDatabase(path);
    insertVectors(other, DIMS, 1, [{ chunkId: 9002, vector: q! }]);
    expect((await settled(1))[0]!.chunkId).toBe(9002);
    deleteVectorsOfChunks(other, [9002]);
    expect((await settled(10)).map((h) => h.chunkId)).not.toContain(9002);
    other.close();
    expect(vectorIndexStatus(db)[0]!.vectors).toBe(LARGE);
    db.close();
  });

  it('removes many vectors in slices, between which the event loop runs, as it adds them', async () => {
    const { db } = seed(join(tempDir(), 'kb.db'));
    const [q] = clusteredVectors(1, DIMS, { draw: 18 });
    knn(db, DIMS, 1, q!, 10);
    await vectorIndexesBuilt(db);
    const remove = vi.spyOn(ApproximateIndex.prototype, 'remove');
    deleteVectorsOfChunks(
      db,
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    // Turns of the event loop while the index catches up: one per turn, as each slice waits for the next.
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    knn(db, DIMS, 1, q!, 10);
    await vectorIndexesBuilt(db);
    counting = false;
    const sizes = remove.mock.calls.map(([ids]) => ids.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(500);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64);
    expect(turns).toBeGreaterThanOrEqual(sizes.length - 1);
    expect(vectorIndexStatus(db)[0]!.vectors).toBe(LARGE - 500);
    db.close();
  });

  it('scans a library past the threshold exactly, and builds it no index, when asked for exact ranking', async () => {
    const { db, table } = seed(join(tempDir(), 'kb.db'));
    const [q] = clusteredVectors(1, DIMS, { draw: 11 });
    expect(knn(db, DIMS, 1, q!, 10, undefined, { exact: true })).toEqual(
      sqliteVecKnn(db, table, 1, q!, 10).map((h) => ({ ...h, distance: expect.closeTo(h.distance, 5) })),
    );
    await vectorIndexesBuilt(db);
    expect(vectorIndexStatus(db)).toEqual([]);
    // An index built by an approximate search is dropped by the next exact one, not kept up to date.
    knn(db, DIMS, 1, q!, 10);
    await vectorIndexesBuilt(db);
    expect(vectorIndexStatus(db)).toHaveLength(1);
    knn(db, DIMS, 1, q!, 10, undefined, { exact: true });
    expect(vectorIndexStatus(db)).toEqual([]);
    db.close();
  });

  it('drops the index of a library that shrinks below the threshold', async () => {
    const { db } = seed(join(tempDir(), 'kb.db'));
    const [q] = clusteredVectors(1, DIMS, { draw: 9 });
    knn(db, DIMS, 1, q!, 10);
    await vectorIndexesBuilt(db);
    deleteVectorsOfChunks(
      db,
      Array.from({ length: LARGE - 500 }, (_, i) => i + 1),
    );
    expect(knn(db, DIMS, 1, q!, 10)).toHaveLength(10);
    expect(vectorIndexStatus(db)).toEqual([]);
    db.close();
  });

  it('leaves out the chunks of a staged run until it is published', async () => {
    const path = join(tempDir(), 'kb.db');
    const db = openDatabase(path);
    const library = libraryId(db, 'big');
    const header = (source: string) => ({
      source,
      kind: 'raw' as const,
      title: source,
      contentHash: source,
      bytes: 1,
      tags: [],
      pageKind: 'content' as const,
    });
    const chunk = (vector: Int8Array) => ({ heading: '', text: 'x', overlap: 0, lead: '', trail: '', vector });
    const vectors = clusteredVectors(1200, DIMS);
    writeLive(
      db,
      library,
      DIMS,
      Array.from({ length: 12 }, (_, d) => ({ header: header(`doc-${d}`), chunks: vectors.slice(d * 100, d * 100 + 100).map(chunk) })),
    );
    const [q] = clusteredVectors(1, DIMS, { draw: 10 });
    knn(db, DIMS, library, q!, 10);
    await vectorIndexesBuilt(db);

    // Runs are written by another connection, as the store-writer thread writes them.
    const writer = openDatabase(path);
    const { run } = openRun(writer, { taskId: null, library: 'big', version: '' });
    stageDocuments(writer, run.id, DIMS, [
      { header: { ...header('staged'), libraryId: library }, status: 'created', baseVersion: 0, chunks: [chunk(q!)] },
    ]);
    knn(db, DIMS, library, q!, 10);
    await vectorIndexesBuilt(db);
    expect(knn(db, DIMS, library, q!, 10)[0]!.distance).toBeGreaterThan(0.01);
    expect(vectorIndexStatus(db)[0]!.vectors).toBe(1200);

    expect(publishRun(writer, run.id).published).toBe(true);
    writer.close();
    knn(db, DIMS, library, q!, 1);
    await vectorIndexesBuilt(db);
    expect(knn(db, DIMS, library, q!, 1)[0]!.distance).toBeCloseTo(0, 5);
    expect(vectorIndexStatus(db)[0]!.vectors).toBe(1201);
    db.close();
  });
});

describe('approximate indexes kept on disk', () => {
  /** A connection to `path` whose indexes live in `dir`, as a restarted process opens it. */
  const reopen = (path: string, dir: string) => {
    const db = openDatabase(path);
    keepIndexesIn(db, dir);
    return db;
  };
  /** Builds (or loads) library 1's index on `db` and waits until it is current. */
  const settle = async (db: ReturnType<typeof openDatabase>, q: Int8Array) => {
    knn(db, DIMS, 1, q, 10);
    await vectorIndexesBuilt(db);
    expect(vectorIndexStatus(db)).toEqual([{ dims: DIMS, library: 1, vectors: expect.any(Number), updating: false }]);
  };
  const files = (dir: string) => readdirSync(dir).sort();

  it('a restart loads the saved index instead of building one, brought up to date with what changed while it was down', async () => {
    const path = join(tempDir(), 'kb.db');
    const dir = join(tempDir(), 'indexes');
    seed(path).db.close();
    const [q] = clusteredVectors(1, DIMS, { draw: 12 });
    const first = reopen(path, dir);
    await settle(first, q!);
    expect(files(dir)).toEqual([expect.stringMatching(new RegExp(`^${DIMS}d-1-[0-9a-f]{16}\\.usearch$`)), `${DIMS}d-1.digest`]);
    const nearest = knn(first, DIMS, 1, q!, 1)[0]!.chunkId;
    first.close();

    // While no process has it open: a chunk deleted, one added nearest the query, one whose vector changed.
    const writer = openDatabase(path);
    deleteVectorsOfChunks(writer, [nearest, 7]);
    insertVectors(writer, DIMS, 1, [{ chunkId: 9001, vector: q! }]);
    insertVectors(writer, DIMS, 1, [{ chunkId: 7, vector: Int8Array.from(q!, (x) => (x === 0 ? 1 : x)) }]);
    writer.close();

    const build = vi.spyOn(ApproximateIndex, 'create');
    const load = vi.spyOn(ApproximateIndex, 'load');
    const second = reopen(path, dir);
    await settle(second, q!);
    expect(build).not.toHaveBeenCalled();
    expect(load).toHaveBeenCalledTimes(1);
    expect(vectorIndexStatus(second)[0]!.vectors).toBe(LARGE);
    const found = knn(second, DIMS, 1, q!, 10).map((h) => h.chunkId);
    expect(found.slice(0, 2).sort()).toEqual([7, 9001]);
    expect(found).not.toContain(nearest);
    const queries = clusteredVectors(20, DIMS, { draw: 13 });
    let sum = 0;
    for (const query of queries)
      sum += recall(
        knn(second, DIMS, 1, query, 10).map((h) => h.chunkId),
        sqliteVecKnn(second, `vec_chunks_${DIMS}`, 1, query, 10).map((h) => h.chunkId),
      );
    expect(sum / queries.length).toBeGreaterThanOrEqual(0.95);
    second.close();
  });

  it('saves again once a tenth of the index has changed since its last save, and not before', async () => {
    const path = join(tempDir(), 'kb.db');
    const dir = join(tempDir(), 'indexes');
    const { db } = seed(path);
    keepIndexesIn(db, dir);
    const [q] = clusteredVectors(1, DIMS, { draw: 14 });
    await settle(db, q!);
    const saved = files(dir);
    const vectors = clusteredVectors(LARGE, DIMS, { draw: 15 });
    // 200 of 2,500 vectors added: 8%, under a tenth.
    insertVectors(
      db,
      DIMS,
      1,
      vectors.slice(0, 200).map((vector, i) => ({ chunkId: 10_000 + i, vector })),
    );
    await settle(db, q!);
    expect(files(dir)).toEqual(saved);
    // 100 removed: 300 changes since the save, past a tenth of the 2,600 left.
    deleteVectorsOfChunks(
      db,
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
    await settle(db, q!);
    const resaved = files(dir);
    expect(resaved).toHaveLength(2);
    expect(resaved).not.toEqual(saved);
    db.close();

    const load = vi.spyOn(ApproximateIndex, 'load');
    const again = reopen(path, dir);
    await settle(again, q!);
    expect(load).toHaveBeenCalledTimes(1);
    expect(vectorIndexStatus(again)[0]!.vectors).toBe(LARGE + 100);
    again.close();
  });

  it('builds again, and saves over, an index whose files are torn, foreign or saved with other settings', async () => {
    const path = join(tempDir(), 'kb.db');
    const dir = join(tempDir(), 'indexes');
    seed(path).db.close();
    const [q] = clusteredVectors(1, DIMS, { draw: 16 });
    const exact = () => {
      const db = openDatabase(path);
      const hits = sqliteVecKnn(db, `vec_chunks_${DIMS}`, 1, q!, 1);
      db.close();
      return hits[0]!.chunkId;
    };
    const first = reopen(path, dir);
    await settle(first, q!);
    first.close();
    const indexFile = files(dir).find((name) => name.endsWith('.usearch'))!;

    const breakages: Array<[string, () => void]> = [
      [
        'a torn index file',
        () =>
          writeFileSync(
            join(
              dir,
              files(dir).find((n) => n.endsWith('.usearch'))!,
            ),
            'not an index',
          ),
      ],
      [
        'a torn digest',
        () => {
          writeFileSync(join(dir, `${DIMS}d-1.digest`), Buffer.alloc(40));
          // The index file it named is then anybody's: removed once no save could still be writing it.
          const hourAgo = (Date.now() - 3_600_000) / 1000;
          utimesSync(
            join(
              dir,
              files(dir).find((n) => n.endsWith('.usearch'))!,
            ),
            hourAgo,
            hourAgo,
          );
        },
      ],
      ['other settings', () => void (vectorIndexPolicy.insertBreadth = 64)],
    ];
    for (const [what, breakIt] of breakages) {
      breakIt();
      const build = vi.spyOn(ApproximateIndex, 'create');
      const db = reopen(path, dir);
      await settle(db, q!);
      expect(build, what).toHaveBeenCalledTimes(1);
      expect(knn(db, DIMS, 1, q!, 1)[0]!.chunkId, what).toBe(exact());
      db.close();
      build.mockRestore();
      expect(files(dir), what).toHaveLength(2);
    }
    expect(files(dir)).not.toContain(indexFile);
  });

  it('a closed repository stops the build its search started, saving nothing, so a one-shot command can exit', async () => {
    const path = join(tempDir(), 'kb.db');
    const dir = join(tempDir(), 'indexes');
    seed(path).db.close();
    const [q] = clusteredVectors(1, DIMS, { draw: 19 });
    const repository = SqliteRepository.open(path, { vectorIndexDir: dir });
    expect(await repository.nearestChunks(DIMS, 1, q!, 10)).toHaveLength(10);
    expect(repository.vectorIndexStatus()).toEqual([{ dims: DIMS, library: 1, vectors: 0, updating: true }]);
    await repository.close();
    await repository.vectorIndexesBuilt();
    expect(repository.vectorIndexStatus()).toEqual([{ dims: DIMS, library: 1, vectors: 0, updating: false }]);
    expect(existsSync(dir)).toBe(false);

    // With an index saved, a repository closed right after its search leaves it as it was.
    const builder = reopen(path, dir);
    await settle(builder, q!);
    builder.close();
    const saved = files(dir);
    const load = vi.spyOn(ApproximateIndex, 'load');
    const again = SqliteRepository.open(path, { vectorIndexDir: dir });
    await again.nearestChunks(DIMS, 1, q!, 10);
    await again.close();
    await again.vectorIndexesBuilt();
    expect(load).not.toHaveBeenCalled();
    expect(files(dir)).toEqual(saved);
  });

  it('removes a save that never committed once it is old, and the saved index of a library that left the indexed sizes', async () => {
    const path = join(tempDir(), 'kb.db');
    const dir = join(tempDir(), 'indexes');
    seed(path).db.close();
    const [q] = clusteredVectors(1, DIMS, { draw: 17 });
    const first = reopen(path, dir);
    await settle(first, q!);
    first.close();
    const committed = files(dir);
    const fresh = join(dir, `${DIMS}d-1-00000000000000aa.usearch`);
    const stale = join(dir, `${DIMS}d-1-00000000000000bb.usearch`);
    writeFileSync(fresh, 'a save still being written');
    writeFileSync(stale, 'a save that crashed');
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    utimesSync(stale, hourAgo, hourAgo);
    const db = reopen(path, dir);
    await settle(db, q!);
    expect(files(dir)).toEqual([...committed, `${DIMS}d-1-00000000000000aa.usearch`].sort());

    deleteVectorsOfChunks(
      db,
      Array.from({ length: LARGE - 500 }, (_, i) => i + 1),
    );
    knn(db, DIMS, 1, q!, 10);
    expect(files(dir)).toEqual([`${DIMS}d-1-00000000000000aa.usearch`]);
    db.close();
  });
});
