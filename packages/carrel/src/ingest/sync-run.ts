/**
 * A connector's sync, as three steps over one run (see `SyncJob`):
 *
 * - **discover**: the connector reports what changed since its cursor; the run's plan
 *   (`KnowledgeRepository.writeSyncPlan`) records every upsert to read, every source gone, the new cursor and
 *   whether the listing was complete (then the library's sources it did not report are gone too).
 *   Upserts a kind read as it discovered them (a crawl's pages) are staged here, the others wait
 *   for the fetch batches.
 * - **fetch** (one slice of the plan's reads per batch): the connector reads the items, a
 *   {@link FilesRun} stages them (content hash equal to the live one → untouched), and the plan
 *   records each item's fate. A batch run again after a crash finds what it staged (counted as
 *   resumed, not staged twice).
 * - **apply**: the deletions, the new version markers and the new cursor, from the plan, are handed
 *   to the publish, which commits them in the transaction that makes the staged documents live
 *   (`KnowledgeRepository.publishRun`). A crash or a cancel before that leaves the old cursor and the library
 *   as they were.
 *
 * @module
 */
import { connectorKind } from '../connectors/kinds.js';
import type { Connector, FetchedItem, SyncContext } from '../connectors/connector.js';
import { IngestCancelledError } from '../errors.js';
import type { ConnectorSyncWrite, DocumentKind, PlanItem, PlanItemState, SyncPlanHeader } from '../store/repository.js';
import { FilesRun } from './files-run.js';
import type { IngestResult, SyncApplyJob, SyncDiscoverJob, SyncFetchJob, SyncJob } from './jobs.js';
import type { RunContext } from './pipeline.js';

/** An end past every item of a plan. */
const PLAN_END = Number.MAX_SAFE_INTEGER;

/** What a step staged, and (the apply) what its publish is to commit with the documents. */
export interface SyncOutcome {
  result: IngestResult;
  sync?: ConnectorSyncWrite;
}

/** See module comment. */
export async function syncStep(c: RunContext, job: SyncJob): Promise<SyncOutcome> {
  switch (job.kind) {
    case 'sync-discover':
      return { result: await discover(c, job) };
    case 'sync-fetch':
      return { result: await fetchBatch(c, job) };
    case 'sync-apply':
      return apply(c, job);
  }
}

async function discover(c: RunContext, job: SyncDiscoverJob): Promise<IngestResult> {
  const connector = open(job);
  // Read at the start of the run, not when the task was made: a retried task starts from what is committed.
  const cursor = (await c.store.getConnector(job.connector.id))?.cursor ?? null;
  const known = await c.store.connectorMarkers(job.connector.id);
  const files = new FilesRun(c, job.target);
  await files.open(false);
  const kind = documentKindOf(job.connector.kind);

  /** Each source's fate, by source; a later report of a source replaces an earlier one, except that a delete never replaces an upsert. */
  const items = new Map<string, PlanItem>();
  const seen = new Set<string>();
  let unchanged = 0;
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
        if (change.fetch === undefined) {
          // Counted done by the fetch batch that reads it.
          if (connector.fetchItems === undefined) throw new Error(`The ${connector.kind} connector listed an upsert it cannot read`);
          items.set(change.source, { source: change.source, version: change.version, state: 'pending' });
        } else {
          // Reported once the batch holding the item is staged: `current` counts items whose fate is durable.
          const handled = ++done;
          const state = await stage(files, change.source, kind(change.source), await change.fetch(), () =>
            c.control.progress(handled, total ?? handled, change.source),
          );
          items.set(change.source, { source: change.source, version: change.version, state });
        }
        break;
      }
      case 'unchanged':
        seen.add(change.source);
        unchanged++;
        done++;
        break;
      case 'delete':
        if (!items.has(change.source)) items.set(change.source, { source: change.source, version: null, state: 'gone' });
        done++;
        break;
      case 'done':
        end = { cursor: change.cursor, complete: change.complete };
    }
  }
  if (!end) throw new Error(`The ${job.connector.kind} connector ended without reporting done`);
  if (end.complete)
    for (const source of known.keys())
      if (!seen.has(source) && !items.has(source)) items.set(source, { source, version: null, state: 'gone' });
  const result = await files.finish();
  // The reads first, in the order listed: batch n reads ord n·size … (n+1)·size - 1.
  const planned = [...items.values()];
  const reads = planned.filter((item) => item.state === 'pending');
  const header: SyncPlanHeader = {
    connectorId: job.connector.id,
    cursor: end.cursor,
    complete: end.complete,
    unchanged,
    reads: reads.length,
  };
  await c.store.writeSyncPlan(c.run.id, header, [...reads, ...planned.filter((item) => item.state !== 'pending')]);
  // Every item listed, the ones left to fetch included: the sync's total (see app/sync-workflow.ts).
  c.control.progress(done, done + reads.length, `listed ${reads.length} to fetch`);
  result.plan = { runId: c.run.id, reads: reads.length };
  return result;
}

async function fetchBatch(c: RunContext, job: SyncFetchJob): Promise<IngestResult> {
  const connector = open(job);
  if (!(await c.store.syncPlanHeader(c.run.id))) throw new Error(`The sync of connector ${job.connector.name} has no plan: discover first`);
  const items = await c.store.syncPlanItems(c.run.id, job.from, job.to);
  const files = new FilesRun(c, job.target);
  await files.open(false);
  const kind = documentKindOf(job.connector.kind);
  const fates: { ord: number; state: PlanItemState }[] = [];
  if (items.length > 0) {
    let at = 0;
    for await (const fetched of connector.fetchItems!(
      items.map(({ source, version }) => ({ source, version: version! })),
      c.control.signal,
    )) {
      if (c.control.cancelled()) throw new IngestCancelledError();
      const { ord, source } = items[at]!;
      const handled = ++at;
      fates.push({
        ord,
        state: await stage(files, source, kind(source), fetched, () => c.control.progress(handled, items.length, source)),
      });
    }
  }
  const result = await files.finish();
  await c.store.settleSyncPlanItems(c.run.id, fates);
  c.control.progress(items.length, items.length, 'staged');
  return result;
}

/** Stages a fetched item; its fate in the plan: a failed item gets no marker, so the next sync tries it again. */
async function stage(
  files: FilesRun,
  source: string,
  kind: DocumentKind,
  item: FetchedItem | undefined,
  onStaged: () => void,
): Promise<PlanItemState> {
  if (item === undefined) return 'gone';
  return (await files.offer(source, kind, item, onStaged)) ? 'taken' : 'failed';
}

async function apply(c: RunContext, job: SyncApplyJob): Promise<SyncOutcome> {
  const header = await c.store.syncPlanHeader(c.run.id);
  if (!header) throw new Error(`The sync of connector ${job.connector.name} has no plan: discover first`);
  const items = await c.store.syncPlanItems(c.run.id, 0, PLAN_END);
  if (items.some((item) => item.state === 'pending'))
    throw new Error(`The sync of connector ${job.connector.name} has items no fetch batch read: fetch them first`);
  const known = await c.store.connectorMarkers(job.connector.id);
  const markers = items.filter((item) => item.state === 'taken').map(({ source, version }): [string, string] => [source, version!]);
  const deletions = items.filter((item) => item.state === 'gone').map((item) => item.source);
  const deleted = deletions.filter((s) => known.has(s)).length;
  const result: IngestResult = {
    ...job.result,
    sync: { connector: job.connector.name, deleted, cursor: header.cursor, complete: header.complete },
  };
  return {
    result,
    sync: {
      connectorId: job.connector.id,
      cursor: header.cursor,
      markers,
      deletions,
      outcome: `synced: ${result.created} created, ${result.updated} updated, ${result.unchanged + header.unchanged} unchanged, ${deleted} deleted, ${result.failed} failed`,
    },
  };
}

function open(job: SyncJob): Connector {
  return connectorKind(job.connector.kind).open(job.connector.options, job.env);
}

/** How a connector's sources are recorded: a folder's are files, a URL is a URL, the rest (a path in a repository) neither. */
function documentKindOf(connectorKind: string): (source: string) => DocumentKind {
  if (connectorKind === 'directory') return () => 'file';
  return (source) => (/^https?:\/\//i.test(source) ? 'url' : 'raw');
}
