/**
 * An embedder for benchmarks whose vectors are distributed like a sentence model's: each text is a
 * draw from one of the clusters of bench/vector-index/data.ts's space (384 dims, a cluster picked
 * and the draw seeded by a hash of the text), so an approximate index finds their neighbours as it
 * finds a model's (bench/README.md § Vector index), unlike the offline embedder's hashed bags of
 * words, which no index finds well and which Carrel therefore always scans exactly. A query is a
 * fresh draw from a cluster like any text. Nothing here is semantic: it measures how fast and how
 * faithfully the vector half answers at scale, not what it finds.
 *
 * @module
 */
import type { InProcessEmbedder } from '../../packages/carrel/src/embedders/embedder.js';
import { fnv1a } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { clusteredSpace, normal, uniform } from '../vector-index/data.js';

const DIMS = 384;

/** The embedder over `clusters` clusters (2,000 suit ~1M texts: 500 per cluster, as § Vector index). */
export function clusteredEmbedder(clusters = 2000): InProcessEmbedder {
  const space = clusteredSpace(DIMS, clusters, normal(42));
  return {
    name: `bench-clustered-${DIMS}x${clusters}`,
    dims: DIMS,
    embed: async (texts) =>
      texts.map((text) => {
        const seed = fnv1a(text);
        return space.draw(Math.floor(uniform(seed)() * clusters), normal(seed ^ 0x9e3779b9), new Float32Array(DIMS));
      }),
  };
}
