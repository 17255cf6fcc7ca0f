/**
 * The records the knowledge-base repository contract speaks in (`repository.ts` re-exports them):
 * libraries, documents and their versions, runs, search hits, connectors, packs. Plain data,
 * nothing of any store: every implementation reads and writes these shapes.
 *
 * @module
 */
import type { Schedule } from '../connectors/schedule.js';
import type { Link } from '../sources/html-to-markdown.js';

// --- Libraries ------------------------------------------------------------------------------------

/** A library as stored: name, version, and the embedder its vectors were built with. */
export interface LibraryRecord {
  id: number;
  name: string;
  version: string;
  /** Embedder model id, or null while the library has no vectors yet. */
  embedder: string | null;
  dims: number | null;
  /** The chunking plan its chunks were cut with (ingest/chunking.ts), or null before its first run publishes. */
  chunking: string | null;
  createdAt: number;
  updatedAt: number;
}

// --- Status ---------------------------------------------------------------------------------------

/** One library's state. */
export interface LibraryStatus {
  name: string;
  version: string;
  embedder: string | null;
  dims: number | null;
  /** The chunking plan its chunks were cut with. */
  chunking: string | null;
  documents: number;
  chunks: number;
  chunksWithoutVectors: number;
}

// --- Documents and chunks -------------------------------------------------------------------------

/** Where a document came from. */
export type DocumentKind = 'raw' | 'file' | 'url';

/** The stored kinds of page (see `ingest/page-kind.ts`): a table of contents is ranked lower. */
export type StoredPageKind = 'content' | 'toc';

/** The document-level fields of a version. */
export interface DocumentHeader {
  libraryId: number;
  source: string;
  kind: DocumentKind;
  title: string;
  contentHash: string;
  bytes: number;
  tags: readonly string[];
  pageKind: StoredPageKind;
}

/** One chunk to store, with its vector when the embedder produced one. */
export interface ChunkWrite {
  heading: string;
  text: string;
  /** Leading characters that repeat the previous chunk (0 for the first). */
  overlap: number;
  /** The source around the chunk (see the chunker's `Chunk`); null only on copies of chunks stored before it was recorded. */
  lead: string | null;
  trail: string | null;
  vector: Int8Array | null;
}

/** A document's live version, as far as writers need it. */
export interface LiveDocument {
  id: number;
  contentHash: string;
  liveVersion: number;
}

/** A live document as a reindex copies it. */
export interface LiveDocumentHeader extends DocumentHeader {
  id: number;
  liveVersion: number;
  chunkCount: number;
}

/** One stored chunk, as a reindex copies it. */
export interface StoredChunk {
  id: number;
  ord: number;
  heading: string;
  text: string;
  overlap: number;
  lead: string | null;
  trail: string | null;
  embedded: boolean;
}

// --- Reading documents ----------------------------------------------------------------------------

/** One stored document, without its text. */
export interface DocumentSummary {
  id: number;
  library: string;
  version: string;
  title: string;
  source: string;
  kind: DocumentKind;
  tags: string[];
  bytes: number;
  chunkCount: number;
  createdAt: number;
  updatedAt: number;
}

/** What a document listing may be narrowed to. */
export interface DocumentFilter {
  library?: string;
  version?: string;
  /** Source prefix: a folder path or a URL prefix. */
  source?: string;
  /** Text the title contains, in any case (see title-match.ts). */
  title?: string;
}

// --- Runs -----------------------------------------------------------------------------------------

/** A run as stored. */
export interface RunRecord {
  id: number;
  taskId: string | null;
  libraryId: number;
  state: 'staging' | 'published' | 'discarded';
  bindEmbedder: string | null;
  bindDims: number | null;
  /** The chunking plan the run's chunks were cut with, recorded for its library when it publishes. */
  bindChunking: string | null;
  rebind: boolean;
  /** The process writing the run, `host:pid`. */
  holder: string;
  createdAt: number;
  heartbeatAt: number;
}

/** What opening a run returns: the run, its library (created hidden if it did not exist), and whether it was resumed. */
export interface OpenedRun {
  run: RunRecord;
  library: LibraryRecord;
  resumed: boolean;
}

/** Which run to open: a new one on `library@version`, the staging run of `taskId`, or the staging run `runId`. */
export interface OpenRunArgs {
  taskId: string | null;
  library: string;
  version: string;
  /** A run opened earlier without a task (a sync's later steps); its being no longer staging is a cancel. */
  runId?: number | null;
}

// --- Staging --------------------------------------------------------------------------------------

/** How a staged version relates to the live one it was made from. */
export type StageStatus = 'created' | 'updated' | 'copy';

/** A whole document version to stage. */
export interface StagedDocument {
  header: DocumentHeader;
  status: StageStatus;
  /** The live version this one replaces (0 if none); a `copy` publishes only if it is still live then. */
  baseVersion: number;
  chunks: readonly ChunkWrite[];
  /** The targets of the links in its text (HTML input), stored with the version. */
  links?: readonly Link[];
}

/** Where a staged version's chunks go. */
export interface StagedVersion {
  documentId: number;
  version: number;
  chunkCount: number;
}

/** A version this run already staged for a source: a resumed run keeps it if the content is the same. */
export interface ExistingStage {
  documentId: number;
  version: number;
  status: StageStatus;
  contentHash: string;
  chunkCount: number;
  chunksWithoutVectors: number;
  complete: boolean;
}

// --- Publishing -----------------------------------------------------------------------------------

/** What a publish did. */
export type PublishOutcome =
  | { published: true; documents: number; skipped: number; retired: number }
  /** `cancelled`: the run was discarded or its task is no longer live; `conflict`: the library's binding changed. */
  | { published: false; reason: 'cancelled' }
  | { published: false; reason: 'conflict'; bound: { embedder: string; dims: number } };

// --- Search ---------------------------------------------------------------------------------------

/** Filters applied before either retriever cuts its candidates. */
export interface SearchFilters {
  library?: string;
  version?: string;
  /** Documents carrying every one of these tags. */
  tags?: readonly string[];
  /** Source prefix: a folder path or a URL prefix. */
  source?: string;
  kind?: DocumentKind;
  /** Minimum average rating (1–5); unrated documents are excluded when set. */
  minRating?: number;
}

/** One BM25 hit (lower score is better, as FTS5 reports it). */
export interface TextHit {
  chunkId: number;
  score: number;
}

/** A library a search may run its KNN in, with its embedder binding and count of chunks lacking vectors. */
export interface SearchableLibrary {
  id: number;
  name: string;
  version: string;
  embedder: string | null;
  dims: number | null;
  pending: number;
}

/** Everything a search result shows about a chunk. */
export interface ChunkDetail {
  chunkId: number;
  documentId: number;
  ord: number;
  heading: string;
  text: string;
  title: string;
  source: string;
  kind: DocumentKind;
  pageKind: StoredPageKind;
  library: string;
  version: string;
  ratingAvg: number | null;
  ratingCount: number;
}

// --- Connector sync plans -------------------------------------------------------------------------

/** An item's fate in a plan (see migration 0011). */
export type PlanItemState = 'pending' | 'taken' | 'failed' | 'gone';

/** One source of a plan; `version` is the connector's version marker (null for a source that is gone). */
export interface PlanItem {
  source: string;
  version: string | null;
  state: PlanItemState;
}

/** A plan's header. */
export interface SyncPlanHeader {
  connectorId: number;
  cursor: string | null;
  complete: boolean;
  unchanged: number;
  /** Items waiting to be read, at `ord` 0 … reads - 1. */
  reads: number;
}

// --- Connectors -----------------------------------------------------------------------------------

/** A connector as stored. */
export interface ConnectorRecord {
  id: number;
  name: string;
  kind: string;
  library: string;
  version: string;
  options: Record<string, unknown>;
  cursor: string | null;
  lastSyncAt: number | null;
  lastOutcome: string | null;
  createdAt: number;
  /** Its cron schedule, or null when it syncs only when asked. */
  schedule: Schedule | null;
  /** The next slot not yet claimed (ms), or null without a schedule. */
  nextRunAt: number | null;
  /** The slot last claimed (ms), and the sync task started or joined for it. */
  lastSlotAt: number | null;
  lastSlotTask: string | null;
}

/** What a sync commits with its run's documents. */
export interface ConnectorSyncWrite {
  connectorId: number;
  cursor: string | null;
  /** Sources seen by the sync with their new version markers. */
  markers: [source: string, marker: string][];
  /** Sources gone from the source: their documents are deleted, if this connector brought them. */
  deletions: string[];
  /** One line on how the sync went, shown by `show_connector`. */
  outcome: string;
}

/** A new connector's configuration; `nextRunAt` is its schedule's first slot. */
export interface NewConnector {
  name: string;
  kind: string;
  library: string;
  version: string;
  options: Record<string, unknown>;
  schedule: Schedule | null;
  nextRunAt: number | null;
  /**
   * The connector's token sealed for its id (`connectors/secrets.ts`), called once the id is known,
   * in the transaction that inserts the connector: a throw adds nothing.
   */
  sealSecret?: (connectorId: number) => Uint8Array;
}

// --- Packs ----------------------------------------------------------------------------------------

/** A pack as an install stages it. */
export interface StagedPack {
  name: string;
  version: string;
  sha256: string;
  sources: readonly string[];
}

/** An installed pack. */
export interface PackRecord {
  library: string;
  libraryVersion: string;
  name: string;
  version: string;
  sha256: string;
  documents: number;
  installedAt: number;
}

/** A live document as a pack carries it. */
export interface PackableDocument {
  id: number;
  source: string;
  title: string;
  tags: string[];
  /** Its live chunks' ids, in order (for their vectors). */
  chunkIds: number[];
}

/** How `KnowledgeRepository.nearestChunks` ranks. */
export interface NearestOptions {
  /** Rank every vector of the library exactly (default false: an approximate index where the library has one). */
  exact?: boolean;
}
