/**
 * The messages between the KnowledgeBase (main thread) and its ingest worker. Everything here is
 * structured-clone safe; errors travel as `{kind, message, data}` and are revived on arrival.
 *
 * @module
 */
import type { TaskCompletion } from '@carrel/tasks';
import type { ConnectorEnv } from '../connectors/connector.js';
import type { Fix, Notice } from '../fix.js';
import type { DocumentKind } from '../store/repository.js';
import type { MediaType } from '../sources/media-type.js';
import type { PageKind } from './page-kind.js';

/** Where ingested documents go. */
export interface Target {
  library: string;
  version: string;
  tags: readonly string[];
}

/** Content already in memory (raw text or a fetched URL). */
export interface ContentJob {
  kind: 'content';
  target: Target;
  source: string;
  sourceKind: DocumentKind;
  title: string | undefined;
  bytes: Uint8Array;
  mediaType: MediaType;
  /** Store every page as content: no page is skipped or ranked lower for its kind (see page-kind.ts). */
  keepAllPages: boolean;
}

/** Files already checked against the allowed roots; the worker opens (checking again), reads and parses them. */
export interface FilesJob {
  kind: 'files';
  target: Target;
  paths: readonly string[];
  /** The allowed roots as real paths: a file is read only if the file actually opened lies inside one. */
  roots: readonly string[];
  /** Whether a single failing file fails the job (true for one file, false for a directory). */
  failFast: boolean;
  /** As for {@link ContentJob}. */
  keepAllPages: boolean;
}

/** A knowledge pack's documents, already verified and validated (see `packs/`), to install as one run. */
export interface PackJob {
  kind: 'pack';
  target: Target;
  pack: { name: string; version: string; sha256: string };
  documents: PackJobDocument[];
  /** What the documents' vectors were made with; null when the pack has none. */
  embedding: { model: string; dims: number; chunking: string } | null;
}

/** One document of a pack. */
export interface PackJobDocument {
  source: string;
  title: string;
  content: string;
  format: 'markdown' | 'text';
  tags: string[];
  /** Its chunks' vectors, used only if the pack's embedding matches the library's (see files-run.ts). */
  vectors?: Int8Array[];
}

/** Fill in missing vectors of a library, switching it to the current embedder if needed. */
export interface ReindexJob {
  kind: 'reindex';
  library: string;
  version: string;
}

/**
 * One step of a connector's sync (see `connectors/` and `sync-run.ts`): `sync-discover` lists what
 * changed into the run's plan, `sync-fetch` reads and stages one slice of the plan's items,
 * `sync-apply` publishes the run with the deletions, markers and cursor the plan holds. The steps
 * share one run: the run of the task they work for, or, without a task, the run `runId` the
 * discovery opened.
 */
export interface SyncStepBase {
  target: Target;
  connector: { id: number; name: string; kind: string; options: Record<string, unknown> };
  env: ConnectorEnv;
  /** The run a discovery without a task opened; null to open (or, with a task, find) the task's run. */
  runId: number | null;
}

export interface SyncDiscoverJob extends SyncStepBase {
  kind: 'sync-discover';
}

export interface SyncFetchJob extends SyncStepBase {
  kind: 'sync-fetch';
  /** The plan's items to read: ord from … to - 1. */
  from: number;
  to: number;
}

export interface SyncApplyJob extends SyncStepBase {
  kind: 'sync-apply';
  /** What the discovery and the fetch batches staged, merged: the sync's result. */
  result: IngestResult;
}

export type SyncJob = SyncDiscoverJob | SyncFetchJob | SyncApplyJob;

/** What a job does. */
export type JobSpec = ContentJob | FilesJob | PackJob | ReindexJob | SyncJob;

/**
 * A job as the worker runs it, with the task it works for (null without one): the job's writes
 * are a run kept under that task, so a re-run of the task resumes them.
 */
export type IngestJob = JobSpec & { taskId: string | null };

/** One document's fate. */
export interface DocumentOutcome {
  source: string;
  status: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';
  /** Why a document was skipped, or that it was stored as a table of contents. */
  pageKind?: Exclude<PageKind, 'content'>;
  documentId?: number;
  chunks?: number;
  error?: string;
  /** What would let a failed document in (see `fix.ts`). */
  fix?: Fix;
}

/** What an ingest or reindex returns. */
export interface IngestResult {
  library: string;
  version: string;
  created: number;
  updated: number;
  unchanged: number;
  /** Pages not stored for their kind: indexes, search and 404 pages, source twins (see `pages`). */
  skipped: number;
  failed: number;
  /** Pages by kind when not plain content: those skipped, and tables of contents stored but ranked lower. */
  pages: Partial<Record<Exclude<PageKind, 'content'>, number>>;
  /** Chunks written (or, for a reindex, embedded). */
  chunks: number;
  /** Chunks written without a vector (no semantic model available); `reindexLibrary` fills them. */
  chunksWithoutVectors: number;
  /** Per-document outcomes, at most 100 (failures first); the rest are only counted. */
  documents: DocumentOutcome[];
  /** Outcomes counted above but not listed in `documents`. */
  unlisted: number;
  /** Documents an earlier, interrupted attempt of the same task had already written (counted above too). */
  resumed: number;
  /** A pack install: the pack installed (recorded when the install publishes). */
  pack?: { name: string; version: string; sha256: string };
  /** A pack install: chunks stored with the pack's own vectors instead of embedding them. */
  precomputedVectors?: number;
  /** A pack install: documents of the pack's previous version that this one dropped, removed with the publish. */
  removed?: number;
  warnings: Notice[];
  /** For a connector's sync: what it deleted and where it now stands. */
  sync?: SyncSummary;
  /** A sync's discovery: the run its steps share and how many items its fetch batches are to read. */
  plan?: { runId: number; reads: number };
}

/** What a connector's sync adds to its result. */
export interface SyncSummary {
  connector: string;
  /** Documents deleted because their source is gone. */
  deleted: number;
  /** The cursor committed (a commit id for git; null for a folder, which compares files one by one). */
  cursor: string | null;
  /** Whether the sync listed every source (so it could delete what was not listed). */
  complete: boolean;
}

/** Serialized error. */
export interface WireError {
  kind: string;
  /** A knowledge-base error's problem and fix, kept apart so each surface names the fix its own way. */
  problem?: string;
  fix?: Fix;
  /** The JSON-RPC code of a knowledge-base error. */
  code?: number;
  name: string;
  message: string;
  data?: Record<string, unknown>;
  /** Where an unexpected error was thrown, for logs. */
  stack?: string;
}

/**
 * Main → worker. `publish` answers `staged`: the completion of the job's task (or null), to be
 * committed in the same transaction as the job's publish.
 */
export type ToWorker =
  | { type: 'job'; id: number; job: IngestJob; abort: SharedArrayBuffer }
  | { type: 'cancel'; id: number }
  | { type: 'publish'; id: number; completion: TaskCompletion | null }
  | { type: 'publish'; id: number; refused: WireError }
  | { type: 'collect' }
  | { type: 'close' }
  | { type: 'embedded'; request: number; vectors: Float32Array[] }
  | { type: 'embedded'; request: number; refused: WireError };

/**
 * Worker → main. `opened`: the job's writes are run `runId`; `staged`: everything is staged, this is
 * the result: what completes the task? `embed`/`embed-abort`: a batch for the application's
 * in-process embedder (see relayed-embedder.ts), answered by `embedded`.
 */
export type FromWorker =
  | { type: 'opened'; id: number; runId: number }
  | { type: 'progress'; id: number; current: number; total: number; message: string }
  | { type: 'staged'; id: number; result: IngestResult }
  | { type: 'done'; id: number; result: IngestResult }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'embed'; request: number; texts: string[] }
  | { type: 'embed-abort'; request: number };
