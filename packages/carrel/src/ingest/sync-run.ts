/**
 * A connector's sync, as a run: the connector reports what changed since its cursor, the upserts
 * are fetched and staged in batches by a {@link FilesRun} (content hash equal to the live one →
 * untouched), and the deletions, the new version markers and the new cursor are handed to the
 * publish, which commits them in the transaction that makes the staged documents live
 * (`store/connectors.ts`). A crash or a cancel before that leaves the old cursor and the library as
 * they were; the task's re-run asks the connector again from the old cursor and finds the
 * documents its run already staged (counted as resumed, not staged twice).
 *
 * @module
 */
import { connectorKind } from '../connectors/kinds.js';
import type { SyncContext } from '../connectors/connector.js';
import { IngestCancelledError } from '../errors.js';
import type { DocumentKind } from '../store/documents.js';
import type { ConnectorSyncWrite } from '../store/connectors.js';
import { connectorMarkers, getConnector } from '../store/connectors.js';
import { FilesRun } from './files-run.js';
import type { IngestResult, SyncJob } from './jobs.js';
import type { RunContext } from './pipeline.js';

/** What a sync staged, and what its publish is to commit with the documents. */
export interface SyncOutcome {
  result: IngestResult;
  sync: ConnectorSyncWrite;
}

/** See module comment. */
export async function syncRun(c: RunContext, job: SyncJob): Promise<SyncOutcome> {
  const connector = connectorKind(job.connector.kind).open(job.connector.options, job.env);
  // Read at the start of the run, not when the task was made: a retried task starts from what is committed.
  const cursor = getConnector(c.db, job.connector.id)?.cursor ?? null;
  const known = connectorMarkers(c.db, job.connector.id);
  const files = new FilesRun(c, job.target);
  await files.open(false);

  const seen = new Set<string>();
  const markers = new Map<string, string>();
  const deletions = new Set<string>();
  const kind = documentKindOf(job.connector.kind);
  let untouched = 0;
  let done = 0;
  let total: number | undefined;
  const context: SyncContext = {
    cursor,
    known: (source) => known.get(source),
    knownSources: () => known.keys(),
    signal: c.control.signal,
    progress: (seenSoFar, all, message) => {
      total = all;
      c.control.progress(done, all ?? seenSoFar, message);
    },
  };

  let end: { cursor: string | null; complete: boolean } | undefined;
  for await (const change of connector.changes(context)) {
    if (c.control.cancelled()) throw new IngestCancelledError();
    switch (change.type) {
      case 'upsert': {
        seen.add(change.source);
        const item = await change.fetch();
        if (item === undefined) deletions.add(change.source);
        else {
          // Reported once the batch holding this item is staged: `current` counts items whose fate is durable.
          const handled = done + 1;
          const report = () => c.control.progress(handled, total ?? handled, change.source);
          // A failed item gets no marker: the next sync tries it again.
          const taken = await files.offer(change.source, kind(change.source), item, report);
          if (taken) markers.set(change.source, change.version);
        }
        done++;
        break;
      }
      case 'unchanged':
        seen.add(change.source);
        untouched++;
        done++;
        break;
      case 'delete':
        deletions.add(change.source);
        done++;
        break;
      case 'done':
        end = { cursor: change.cursor, complete: change.complete };
    }
  }
  if (!end) throw new Error(`The ${job.connector.kind} connector ended without reporting done`);
  if (end.complete) for (const source of known.keys()) if (!seen.has(source)) deletions.add(source);
  for (const source of markers.keys()) deletions.delete(source);
  const result = await files.finish();
  c.control.progress(done, total ?? done, 'staged');
  const deleted = [...deletions].filter((s) => known.has(s)).length;
  result.sync = { connector: job.connector.name, deleted, cursor: end.cursor, complete: end.complete };
  return {
    result,
    sync: {
      connectorId: job.connector.id,
      cursor: end.cursor,
      markers: [...markers],
      deletions: [...deletions],
      outcome: `synced: ${result.created} created, ${result.updated} updated, ${result.unchanged + untouched} unchanged, ${deleted} deleted, ${result.failed} failed`,
    },
  };
}

/** How a connector's sources are recorded: a folder's are files, a URL is a URL, the rest (a path in a repository) neither. */
function documentKindOf(connectorKind: string): (source: string) => DocumentKind {
  if (connectorKind === 'directory') return () => 'file';
  return (source) => (/^https?:\/\//i.test(source) ? 'url' : 'raw');
}
