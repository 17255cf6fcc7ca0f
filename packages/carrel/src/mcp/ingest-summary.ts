/**
 * One sentence describing an ingest or reindex outcome, shared by the MCP tools and the CLI.
 *
 * @module
 */
import type { IngestResult } from '../ingest/jobs.js';

/** E.g. "carrel@1.0: 2 created, 1 unchanged; 14 chunks written (3 without vectors)". */
export function summarizeIngest(result: IngestResult): string {
  const where = result.version ? `${result.library}@${result.version}` : result.library;
  const counts = (['created', 'updated', 'unchanged', 'failed'] as const).filter((k) => result[k] > 0).map((k) => `${result[k]} ${k}`);
  const vectors = result.chunksWithoutVectors > 0 ? ` (${result.chunksWithoutVectors} without vectors: keyword search only until reindexed)` : '';
  const failures = result.documents.filter((d) => d.status === 'failed').map((d) => `\n- ${d.source}: ${d.error ?? 'failed'}`);
  const warnings = result.warnings.map((w) => `\nNote: ${w}`);
  return `${where}: ${counts.length ? counts.join(', ') : 'nothing to do'}; ${result.chunks} chunks${vectors}${failures.join('')}${warnings.join('')}`;
}
