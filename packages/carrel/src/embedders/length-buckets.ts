/**
 * Groups texts of similar length into batches. A batch is padded to its longest text, so a batch
 * mixing a heading-sized chunk with a full one spends most of its compute on padding; sorting by
 * length first makes every batch nearly as long as its texts. A batch also stops when its padded
 * size would pass a budget: attention holds batch × length² scores per head, so 32 texts of 512
 * tokens need over a gigabyte at once, while the same texts in smaller batches run as fast.
 *
 * @module
 */

/** Padded characters per batch (about 4,000 tokens of English). */
export const BATCH_CHAR_BUDGET = 16_384;

/** Indices of `texts` in batches of at most `batchSize`, shortest texts first. Characters stand in for tokens. */
export function lengthBuckets(texts: readonly string[], batchSize: number, charBudget = BATCH_CHAR_BUDGET): number[][] {
  const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
  const batches: number[][] = [];
  let batch: number[] = [];
  for (const i of order) {
    // Sorted ascending, so this text is the longest yet: the batch pads to its length.
    if (batch.length === batchSize || (batch.length > 0 && (batch.length + 1) * texts[i]!.length > charBudget)) {
      batches.push(batch);
      batch = [];
    }
    batch.push(i);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
