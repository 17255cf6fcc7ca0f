/**
 * Builds an embedder from its serializable config.
 *
 * @module
 */
import type { Embedder, EmbedderConfig } from './embedder.js';
import { LocalEmbedder } from './local-embedder.js';
import { LocalEmbedderPool } from './local-pool.js';
import { OfflineEmbedder } from './offline-embedder.js';
import { OpenAiEmbedder } from './openai-embedder.js';

/** Returns the embedder for `config`, or null for `{kind: 'none'}` (BM25 only). */
export function createEmbedder(config: EmbedderConfig): Embedder | null {
  switch (config.kind) {
    case 'offline':
      return new OfflineEmbedder(config.dims);
    case 'openai':
      return new OpenAiEmbedder(config);
    case 'local':
      return (config.workers ?? 1) > 1 ? new LocalEmbedderPool(config, config.workers!) : new LocalEmbedder(config);
    case 'none':
      return null;
  }
}
