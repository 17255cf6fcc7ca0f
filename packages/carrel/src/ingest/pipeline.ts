/**
 * The ingest pipeline, run inside the ingest worker on a {@link KnowledgeRepository} (the store's
 * contract, nothing of its implementation): every job is a run, whose documents are staged in
 * short writes, none of which waits on the embedder, and become visible all at once when the run
 * publishes, in the same transaction that completes the job's task. A cancel or a failure before that leaves the library as it was; a
 * re-run of the same task resumes the run and keeps what it had already staged. What a content,
 * files or pack job does is in `files-run.ts`, a reindex in `reindex.ts`, a connector's sync in
 * `sync-run.ts`.
 *
 * @module
 */
import type { TaskCompletion } from '@carrel/tasks';
import type { Embedder } from '../embedders/embedder.js';
import { EmbedderMismatchError, IngestCancelledError, NotFoundError } from '../errors.js';
import { libraryLabel } from '../fix.js';
import type { ConnectorSyncWrite, KnowledgeRepository, LibraryRecord, RunRecord } from '../store/repository.js';
import type { ChunkSizes } from './chunking.js';
import { loadHtmlConverter } from '../sources/extract.js';
import { mediaTypeOfPath } from '../sources/media-type.js';
import { FilesRun } from './files-run.js';
import { convertsOnThread } from './page-converter.js';
import type { IngestJob, IngestResult, SyncJob } from './jobs.js';
import { reindexRun } from './reindex.js';

/** Pipeline settings (from the KnowledgeBase options). */
export interface PipelineSettings {
  /** Chunk sizes that override the ones the embedder's window gives. */
  chunker: ChunkSizes;
  maxFileBytes: number;
  streamThresholdBytes: number;
  batchChunks: number;
  /** Pages (HTML, PDF) a files job needs before their conversion moves to a thread of its own (page-converter.ts). */
  converterThreadPages: number;
}

/** How the pipeline reports back, learns of a cancel, and gets what completes its task. */
export interface JobControl {
  cancelled(): boolean;
  progress(current: number, total: number, message: string): void;
  signal: AbortSignal;
  /** The job's writes go to run `runId`. */
  opened(runId: number): void;
  /** Everything is staged and this is the result: the completion to commit with the publish (null without a task). */
  staged(result: IngestResult): Promise<TaskCompletion | null>;
}

/** What a job's work needs: its run, the store, settings and control. */
export interface RunContext {
  store: KnowledgeRepository;
  embedder: Embedder | null;
  settings: PipelineSettings;
  control: JobControl;
  run: RunRecord;
  library: LibraryRecord;
}

/** See module comment. */
export class IngestPipeline {
  constructor(
    private readonly store: KnowledgeRepository,
    private readonly embedder: Embedder | null,
    private readonly settings: PipelineSettings,
  ) {}

  /** Runs one job to its publish, or throws (IngestCancelledError on cancel). */
  async run(job: IngestJob, control: JobControl): Promise<IngestResult> {
    if (control.cancelled()) throw new IngestCancelledError();
    const target = job.kind === 'reindex' ? { library: job.library, version: job.version } : job.target;
    if (job.kind === 'reindex' && !(await this.store.libraryExists(target.library, target.version)))
      throw new NotFoundError('Library', libraryLabel(target.library, target.version), { action: 'list_libraries' });
    // The HTML libraries load while the store opens the run, instead of at the first page; not
    // here when the job's pages are converted on a thread of their own.
    if (holdsHtml(job) && !(job.kind === 'files' && convertsOnThread(job.paths, this.settings.converterThreadPages)))
      void loadHtmlConverter();
    const { run, library } = await this.store.openRun({
      taskId: job.taskId,
      library: target.library,
      version: target.version,
      ...(isSyncStep(job) && { runId: job.runId }),
    });
    control.opened(run.id);
    const context: RunContext = {
      store: this.store,
      embedder: this.embedder,
      settings: this.settings,
      control,
      run,
      library,
    };
    try {
      const { result, sync } = await this.work(context, job);
      // A sync's discovery and fetch batches only stage: its apply publishes what they staged.
      if (job.kind === 'sync-discover' || job.kind === 'sync-fetch') return result;
      const completion = await control.staged(result);
      const outcome = await this.store.publishRun(run.id, { ...(completion && { completeTask: completion }), ...(sync && { sync }) });
      if (!outcome.published) {
        if (outcome.reason === 'cancelled') throw new IngestCancelledError();
        throw new EmbedderMismatchError(
          { name: target.library, version: target.version },
          `${outcome.bound.embedder} (${outcome.bound.dims} dims)`,
          this.embedder?.id ?? 'none',
        );
      }
      return result;
    } catch (err) {
      // A task's run waits for the task's fate (a re-run resumes it); a run without a task has none
      // (a sync's steps without a task run in sequence: one that fails ends the sync).
      if (job.taskId === null) await this.store.discardRun(run.id).catch(() => undefined);
      throw err;
    }
  }

  /** Stages the job's documents; a sync also returns what its publish commits besides them. */
  private async work(context: RunContext, job: IngestJob): Promise<{ result: IngestResult; sync?: ConnectorSyncWrite }> {
    switch (job.kind) {
      case 'reindex':
        return { result: await reindexRun(context) };
      case 'sync-discover':
      case 'sync-fetch':
      case 'sync-apply':
        // Loaded with the first sync: the connectors and their option schemas would otherwise add to every worker's start.
        return (await import('./sync-run.js')).syncStep(context, job);
      default:
        return { result: await new FilesRun(context, job.target).run(job) };
    }
  }
}

function isSyncStep(job: IngestJob): job is IngestJob & SyncJob {
  return job.kind === 'sync-discover' || job.kind === 'sync-fetch' || job.kind === 'sync-apply';
}

/** Whether the job has an HTML page to convert. */
function holdsHtml(job: IngestJob): boolean {
  if (job.kind === 'content') return job.mediaType === 'html';
  return job.kind === 'files' && job.paths.some((p) => mediaTypeOfPath(p) === 'html');
}
