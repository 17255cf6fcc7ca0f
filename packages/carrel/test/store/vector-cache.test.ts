/** The PostgreSQL node-side copy rebuilt from an older one and a delta (vector-cache.ts), against a merge written the obvious way. */
import { describe, expect, it } from 'vitest';
import { applyDelta } from '../../src/store/postgres/vector-cache.js';
import { packPartition, vectorNorm } from '../../src/store/vector-memory.js';

const DIMS = 4;

/** A fraction in [0, 1) fixed by the seed and chunk id, so a failure replays (Knuth's multiplicative hash). */
const roll = (seed: number, id: number) => (Math.imul(seed * 1000 + id, 2654435761) >>> 0) / 4294967296;

describe('a vector copy brought up to date by a delta', () => {
  it('holds the unchanged rows and the arriving ones, ascending by chunk id, each with its norm, however they interleave', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const vectorFor = (id: number, version: number) =>
        Array.from({ length: DIMS }, (_, j) => ((id * 7 + j * 13 + version * 29) % 255) - 127);
      // Chunk ids 1..60; some held, some of those changed (left or replaced), some arriving (new, or replacing).
      const held = new Map<number, number[]>();
      const live = new Map<number, number[]>();
      const changed = new Set<number>();
      for (let id = 1; id <= 60; id++) {
        const at = roll(seed, id);
        if (at < 0.5) {
          held.set(id, vectorFor(id, 0));
          live.set(id, vectorFor(id, 0));
        } else if (at < 0.6) {
          held.set(id, vectorFor(id, 0));
          changed.add(id);
        } else if (at < 0.7) {
          held.set(id, vectorFor(id, 0));
          live.set(id, vectorFor(id, 1));
          changed.add(id);
        } else if (at < 0.85) {
          live.set(id, vectorFor(id, 1));
          changed.add(id);
        }
      }
      const heldIds = [...held.keys()];
      const copy = packPartition(DIMS, 1, heldIds, Int8Array.from(heldIds.flatMap((id) => held.get(id)!)));
      const arriving = [...live.keys()].filter((id) => changed.has(id));
      const merged = applyDelta(copy!.partitions.get(1)!, DIMS, {
        generation: 2,
        changed: Float64Array.from([...changed].sort((a, b) => a - b)),
        ids: Float64Array.from(arriving),
        vectors: Int8Array.from(arriving.flatMap((id) => live.get(id)!)),
      });
      const expectedIds = [...live.keys()].sort((a, b) => a - b);
      const expectedVectors = Int8Array.from(expectedIds.flatMap((id) => live.get(id)!));
      expect([...merged.ids], `seed ${seed}`).toEqual(expectedIds);
      expect(merged.vectors, `seed ${seed}`).toEqual(expectedVectors);
      expect(merged.norms, `seed ${seed}`).toEqual(Float32Array.from(expectedIds, (_, row) => vectorNorm(expectedVectors, row, DIMS)));
    }
  });
});
