/**
 * The result of an ingest or reindex as it is gathered: counts of every outcome, and a short list
 * of them (failures first) so the result stays small whatever a folder holds.
 *
 * @module
 */
import type { Notice } from '../fix.js';
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
  listOutcome(result, o);
}

/** The warning of a result whose outcomes did not all fit its list. */
export function unlistedWarning(unlisted: number): Notice {
  return { message: `${unlisted} more documents are counted but not listed` };
}

/**
 * Adds the result of one part of a job (a connector sync's fetch batch) to `into`: counts summed,
 * outcomes listed as one result would list them, warnings once each.
 */
export function mergeResult(into: IngestResult, part: IngestResult): void {
  for (const key of [
    'created',
    'updated',
    'unchanged',
    'skipped',
    'failed',
    'chunks',
    'chunksWithoutVectors',
    'unlisted',
    'resumed',
  ] as const)
    into[key] += part[key];
  for (const [kind, n] of Object.entries(part.pages) as [keyof IngestResult['pages'], number][])
    into.pages[kind] = (into.pages[kind] ?? 0) + n;
  for (const o of part.documents) listOutcome(into, o);
  const own = unlistedWarning(part.unlisted).message;
  for (const w of part.warnings) if (w.message !== own && !into.warnings.some((x) => x.message === w.message)) into.warnings.push(w);
}

function listOutcome(result: IngestResult, o: DocumentOutcome): void {
  const listed = o.error && o.error.length > MAX_ERROR_CHARS ? { ...o, error: `${o.error.slice(0, MAX_ERROR_CHARS)}…` } : o;
  if (result.documents.length < MAX_LISTED_OUTCOMES) result.documents.push(listed);
  else if (o.status === 'failed') {
    // Replace a listed success: what went wrong matters more than what went right.
    const at = result.documents.findIndex((d) => d.status !== 'failed');
    if (at >= 0) result.documents[at] = listed;
    result.unlisted++;
  } else result.unlisted++;
}
