/**
 * The result of an ingest or reindex as it is gathered: counts of every outcome, and a short list
 * of them (failures first) so the result stays small whatever a folder holds.
 *
 * @module
 */
import type { DocumentOutcome, IngestResult } from './jobs.js';

/** Outcomes listed in a result; the rest are counted. Keeps the result small whatever the folder holds. */
const MAX_LISTED_OUTCOMES = 100;
/** Longest error message kept per listed failure. */
const MAX_ERROR_CHARS = 500;
/** An empty result for a library. */
export function emptyResult(target: { library: string; version: string }): IngestResult {
  return {
    library: target.library,
    version: target.version,
    created: 0,
    updated: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    pages: {},
    chunks: 0,
    chunksWithoutVectors: 0,
    documents: [],
    unlisted: 0,
    resumed: 0,
    warnings: [],
  };
}

/** Counts an outcome in `result`, listing it while there is room (failures first claim the room). */
export function recordOutcome(result: IngestResult, o: DocumentOutcome): void {
  result[o.status]++;
  if (o.pageKind) result.pages[o.pageKind] = (result.pages[o.pageKind] ?? 0) + 1;
  const listed = o.error && o.error.length > MAX_ERROR_CHARS ? { ...o, error: `${o.error.slice(0, MAX_ERROR_CHARS)}…` } : o;
  if (result.documents.length < MAX_LISTED_OUTCOMES) result.documents.push(listed);
  else if (o.status === 'failed') {
    // Replace a listed success: what went wrong matters more than what went right.
    const at = result.documents.findIndex((d) => d.status !== 'failed');
    if (at >= 0) result.documents[at] = listed;
    result.unlisted++;
  } else result.unlisted++;
}
