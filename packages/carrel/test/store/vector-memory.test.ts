import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { vectorMemory } from '../../src/store/sqlite/vector-copy.js';
import { deleteVectorsOfChunks, ensureVectorTable, insertVectors, knn, sqliteVecKnn } from '../../src/store/sqlite/vectors.js';
import { tempDir } from '../support/temp-dir.js';

/** Seeded int8 vectors (mulberry32), so failures reproduce. */
function vectors(seed: number, count: number, dims: number): Int8Array[] {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => Int8Array.from({ length: dims }, () => Math.round(next() * 254 - 127)));
}

function seed(path: string, dims: number) {
  const db = openDatabase(path);
  const table = ensureVectorTable(db, dims);
  const all = vectors(dims, 2600, dims);
  // Two libraries, more than two sqlite-vec blocks of 1,024 rows in the first.
  insertVectors(
    db,
    dims,
    1,
    all.slice(0, 2200).map((vector, i) => ({ chunkId: i + 1, vector })),
    false,
  );
  insertVectors(
    db,
    dims,
    2,
    all.slice(2200).map((vector, i) => ({ chunkId: 2201 + i, vector })),
    false,
  );
  return { db, table };
}

const expectSameHits = (got: { chunkId: number; distance: number }[], want: { chunkId: number; distance: number }[]) => {
  expect(got.map((h) => h.chunkId)).toEqual(want.map((h) => h.chunkId));
  got.forEach((h, i) => expect(h.distance).toBeCloseTo(want[i]!.distance, 5));
};

describe('in-memory vector scan', () => {
  it.each([64, 24])('returns the same neighbours and distances as sqlite-vec (%i dims), with and without an allowlist', (dims) => {
    const { db, table } = seed(join(tempDir(), 'kb.db'), dims);
    const queries = vectors(7, 12, dims);
    expect(vectorMemory(db, table, dims)?.kernel === null).toBe(dims % 16 !== 0);
    const allow = Array.from({ length: 300 }, (_, i) => 1 + i * 7);
    for (const q of queries) {
      expectSameHits(knn(db, dims, 1, q, 50), sqliteVecKnn(db, table, 1, q, 50));
      expectSameHits(knn(db, dims, 2, q, 50), sqliteVecKnn(db, table, 2, q, 50));
      expectSameHits(knn(db, dims, 1, q, 20, allow), sqliteVecKnn(db, table, 1, q, 20, allow));
    }
    expect(knn(db, dims, 3, queries[0]!, 10)).toEqual([]);
    db.close();
  });

  it('sees writes made through the same connection and commits made by another one', () => {
    const path = join(tempDir(), 'kb.db');
    const { db, table } = seed(path, 64);
    const [q] = vectors(11, 1, 64);
    const nearest = knn(db, 64, 1, q!, 1)[0]!.chunkId;
    deleteVectorsOfChunks(db, [nearest]);
    expect(knn(db, 64, 1, q!, 5).map((h) => h.chunkId)).not.toContain(nearest);

    insertVectors(db, 64, 1, [{ chunkId: 9001, vector: q! }]);
    expect(knn(db, 64, 1, q!, 1)[0]).toEqual({ chunkId: 9001, distance: expect.closeTo(0, 6) });

    const other = openDatabase(path);
    insertVectors(other, 64, 2, [{ chunkId: 9002, vector: q! }]);
    expect(knn(db, 64, 2, q!, 1)[0]!.chunkId).toBe(9002);
    deleteVectorsOfChunks(other, [9002]);
    expect(knn(db, 64, 2, q!, 5).map((h) => h.chunkId)).not.toContain(9002);
    other.close();
    expectSameHits(knn(db, 64, 1, q!, 30), sqliteVecKnn(db, table, 1, q!, 30));
    db.close();
  });
});
