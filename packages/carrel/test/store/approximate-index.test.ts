import { describe, expect, it } from 'vitest';
import { ApproximateIndex, approximateIndexUnavailable } from '../../src/store/approximate-index.js';
import { clusteredVectors, cosineDistance, recall } from '../support/clustered-vectors.js';

const DIMS = 64;

/** `count` clustered vectors with ids 1…count, the index over them, and exact KNN to score it against. */
function indexed(count: number) {
  const vectors = clusteredVectors(count, DIMS);
  const index = ApproximateIndex.create(DIMS);
  const packed = new Int8Array(count * DIMS);
  vectors.forEach((v, i) => packed.set(v, i * DIMS));
  index.add(
    Float64Array.from({ length: count }, (_, i) => i + 1),
    packed,
  );
  const exact = (q: Int8Array, k: number, accept: (id: number) => boolean = () => true) =>
    vectors
      .map((v, i) => ({ chunkId: i + 1, distance: cosineDistance(q, v) }))
      .filter((h) => accept(h.chunkId))
      .sort((a, b) => a.distance - b.distance || a.chunkId - b.chunkId)
      .slice(0, k);
  return { index, exact, vectors };
}

describe('approximate index', () => {
  it('loads here (usearch has a prebuilt binary for this platform)', () => {
    expect(approximateIndexUnavailable()).toBeUndefined();
  });

  it('finds ≥ 95% of the exact 10 nearest on clustered vectors, with cosine distances', () => {
    const { index, exact, vectors } = indexed(5000);
    const queries = clusteredVectors(50, DIMS, { draw: 9 });
    let found = 0;
    for (const q of queries) {
      const hits = index.search(q, 10);
      const want = exact(q, 10);
      expect(hits).toHaveLength(10);
      found += recall(
        hits.map((h) => h.chunkId),
        want.map((h) => h.chunkId),
      );
      // Each hit's own cosine distance; which hits come back is approximate (the graph is built
      // on every core, so it differs between runs), and recall below bounds that.
      for (const hit of hits) expect(hit.distance).toBeCloseTo(cosineDistance(q, vectors[hit.chunkId - 1]!), 3);
    }
    expect(found / queries.length).toBeGreaterThanOrEqual(0.95);
  });

  it('returns k hits that pass a filter keeping 5% of the rows, as near as the exact filtered ones', () => {
    const { index, exact } = indexed(5000);
    const accept = (id: number) => id % 20 === 3;
    const queries = clusteredVectors(30, DIMS, { draw: 10 });
    let found = 0;
    for (const q of queries) {
      const hits = index.search(q, 10, accept, 250);
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => accept(h.chunkId))).toBe(true);
      found += recall(
        hits.map((h) => h.chunkId),
        exact(q, 10, accept).map((h) => h.chunkId),
      );
    }
    expect(found / queries.length).toBeGreaterThanOrEqual(0.95);
  });

  it('returns every accepted row when fewer than k pass the filter', () => {
    const { index } = indexed(2000);
    const [q] = clusteredVectors(1, DIMS, { draw: 11 });
    const hits = index.search(q!, 10, (id) => id === 7 || id === 1999, 2);
    expect(hits.map((h) => h.chunkId).sort((a, b) => a - b)).toEqual([7, 1999]);
  });

  it('no longer finds removed vectors and finds added ones at once', () => {
    const { index } = indexed(2000);
    const [q] = clusteredVectors(1, DIMS, { draw: 12 });
    const nearest = index.search(q!, 1)[0]!.chunkId;
    index.remove([nearest, 999_999]);
    expect(index.size).toBe(1999);
    expect(index.search(q!, 10).map((h) => h.chunkId)).not.toContain(nearest);
    index.add([5000], q!);
    expect(index.search(q!, 1)[0]).toEqual({ chunkId: 5000, distance: expect.closeTo(0, 5) });
    index.remove([5000]);
    index.add(
      [5000],
      Int8Array.from(q!, (x) => -x),
    );
    expect(index.search(q!, 10).map((h) => h.chunkId)).not.toContain(5000);
  });
});
