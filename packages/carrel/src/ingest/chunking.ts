/**
 * The chunking plan: chunk sizes follow the embedder's input window (so no chunk's tail goes
 * unembedded), and the plan's label is recorded per library, next to its embedder: a library
 * chunked under another plan is rechunked by a reindex, as one embedded with another model is.
 *
 * @module
 */
import type { EmbedderWindow } from '../embedders/embedder.js';
import { WORDPIECE_ESTIMATE } from '../embedders/token-counter.js';
import type { ChunkerOptions } from './chunker.js';

/** Size overrides (KnowledgeBaseOptions.chunker): any left out follow the window. */
export type ChunkSizes = Partial<Omit<ChunkerOptions, 'counter'>>;

/**
 * Largest chunk whatever the window: a search result should point at a passage, not a chapter,
 * and an 8,191-token chunk would make one vector of a whole page.
 */
export const MAX_CHUNK_TOKENS = 512;

/** Without an embedder (BM25 only) chunks are sized as search snippets, as the default model's would be. */
const KEYWORD_ONLY_WINDOW: EmbedderWindow = { maxTokens: 254, counter: WORDPIECE_ESTIMATE };

/** The chunker's options for an embedder's window (null: no embedder), with `sizes` applied. */
export function chunkingPlan(window: EmbedderWindow | null, sizes: ChunkSizes = {}): ChunkerOptions {
  const { maxTokens: windowTokens, counter } = window ?? KEYWORD_ONLY_WINDOW;
  const maxTokens = sizes.maxTokens ?? Math.min(windowTokens, MAX_CHUNK_TOKENS);
  const targetTokens = sizes.targetTokens ?? Math.round(maxTokens * 0.85);
  return {
    maxTokens,
    targetTokens,
    minTokens: sizes.minTokens ?? Math.round(targetTokens / 2),
    overlapTokens: sizes.overlapTokens ?? Math.round(maxTokens / 8),
    counter,
  };
}

/** How a plan is recorded with a library and named in messages; two plans chunk alike iff their labels are equal. */
export function chunkingLabel(plan: ChunkerOptions): string {
  return `${plan.maxTokens} tokens (target ${plan.targetTokens}, min ${plan.minTokens}, overlap ${plan.overlapTokens}) by ${plan.counter.id}`;
}
