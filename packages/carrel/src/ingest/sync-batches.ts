/**
 * How a connector sync's reads are cut into fetch batches: the one rule both the in-process sync
 * (`KnowledgeBase.syncConnector`) and the `sync_connector` workflow follow.
 *
 * @module
 */

/**
 * Items per fetch batch. Each batch is a child task and a worker job: large enough that their
 * overhead is small next to reading and embedding the items, small enough that a crash loses
 * little and a cancel is seen soon.
 */
export const SYNC_BATCH_ITEMS = 250;

/** The slices of a plan of `reads` items: batch n holds ord n·size … (n+1)·size - 1. */
export function syncBatches(reads: number, size = SYNC_BATCH_ITEMS): { from: number; to: number }[] {
  const slices: { from: number; to: number }[] = [];
  for (let from = 0; from < reads; from += size) slices.push({ from, to: Math.min(from + size, reads) });
  return slices;
}
