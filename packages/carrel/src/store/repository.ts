/**
 * The knowledge base's storage contract: everything the knowledge base asks of its store, in
 * domain terms. Each method is one atomic operation; what must happen together is one method
 * ("publish a run", "claim a schedule slot"), so no caller ever holds a transaction open across
 * an `await`. Every method returns a Promise: a PostgreSQL implementation answers over a pool
 * shared by several processes, on several machines.
 *
 * Implementations: `sqlite/` (a better-sqlite3 file in the data dir, answering synchronously
 * inside its Promises). A PostgreSQL one follows; both must pass the one contract suite in
 * `test/store/contract/`. `open-repository.ts` picks the implementation for a `StoreLocation`
 * (`location.ts`): the knowledge base and its ingest worker each open their own.
 *
 * Visibility: documents are written in versions. A run stages versions nobody sees
 * ({@link KnowledgeRepository.stageDocuments}) and publishes them all at once
 * ({@link KnowledgeRepository.publishRun}) or is discarded; replaced and deleted versions are
 * garbage, invisible at once and removed later in bounded batches
 * ({@link KnowledgeRepository.collectGarbage}). Every read sees only live versions.
 *
 * Search is delegated to the store in two retrievers, each applying the filters before it cuts
 * its candidates so a selective filter never loses results to an early cut:
 * - keyword ({@link KnowledgeRepository.keywordSearch}): the store's own full-text index — FTS5
 *   BM25 over heading (weight 2) and text in SQLite; a PostgreSQL store uses a tsvector column
 *   with a GIN index and its ranking. Scores are the store's, negative, lower is better, and only
 *   compared within one query (fusion divides them by the query's best).
 * - vector ({@link KnowledgeRepository.nearestChunks}): exact or approximate cosine KNN over int8
 *   vectors inside one library. SQLite scans an in-memory copy of its sqlite-vec tables (or asks
 *   sqlite-vec); a PostgreSQL store uses pgvector when the extension is there, else the same
 *   node-side scan over vectors it keeps current through its change feed. Either way a filtered
 *   query returns `k` hits when `k` allowed chunks exist.
 *
 * Errors: a write that cannot get the store's write lock in time rejects with StoreBusyError;
 * the staging writes of a run that is no longer staging reject with IngestCancelledError.
 *
 * @module
 */
import type { TaskCompletion } from '@carrel/tasks';
import type { Schedule } from '../connectors/schedule.js';
import type { Link } from '../sources/html-to-markdown.js';
import type {
  NearestOptions,
  ChunkDetail,
  ChunkWrite,
  ConnectorRecord,
  ConnectorSyncWrite,
  DocumentFilter,
  DocumentSummary,
  ExistingStage,
  LibraryRecord,
  LibraryStatus,
  LiveDocument,
  LiveDocumentHeader,
  NewConnector,
  OpenedRun,
  OpenRunArgs,
  PackableDocument,
  PackRecord,
  PlanItem,
  PlanItemState,
  PublishOutcome,
  RunRecord,
  SearchableLibrary,
  SearchFilters,
  StagedDocument,
  StagedPack,
  StagedVersion,
  StoredChunk,
  SyncPlanHeader,
  TextHit,
} from './records.js';
import type { VectorHit } from './vector-memory.js';

// The records the contract speaks in, re-exported so that an implementation and its callers import
// them from here and never from another implementation's statement modules.
export type * from './records.js';
export type { VectorHit } from './vector-memory.js';

/**
 * Where the vector retriever runs: `pgvector` (a PostgreSQL store whose database has the `vector`
 * extension: an HNSW index per dimension, KNN in SQL), or `node-scan` (the node's in-memory int8
 * copy: an exact scan, through an approximate index for a library of at least `approximateFrom`
 * vectors).
 */
export type VectorSearchPath =
  | { path: 'pgvector'; /** The extension's version in the database. */ version: string }
  | {
      path: 'node-scan';
      /** Vectors a library holds from which its approximate index answers. */ approximateFrom: number;
      /** Why not pgvector (PostgreSQL only). */ reason?: string;
    };

/**
 * What the keyword retriever ranks through: `fts5` (SQLite's full-text index, BM25), `gin`
 * (PostgreSQL's inverted index; `ts_rank` reads each match's tsvector from the table), or `rum`
 * (PostgreSQL with the `rum` extension: candidates in rank order from the index, postgres/rum.ts).
 */
export type KeywordIndexPath =
  | { path: 'fts5' }
  | { path: 'gin'; /** Why not RUM. */ reason: string }
  | { path: 'rum'; /** The extension's version in the database. */ version: string };

/** Garbage chunks one {@link KnowledgeRepository.collectGarbage} call should delete: a few tens of milliseconds of work. */
export const GARBAGE_BATCH_CHUNKS = 2_000;

/** How long a write waits for another's write lock before it rejects with StoreBusyError, on every store. */
export const WRITE_WAIT_MS = 10_000;

/** What a keyword search found. */
export interface KeywordResult {
  /** Best first, at most `limit`; lower score is better. */
  hits: TextHit[];
  /** Those of `hits` that hold every word of the query (fusion ranks them a little higher). */
  allWords: Set<number>;
  /** Whether the query had any word to search for (a query of punctuation has none). */
  searched: boolean;
}

/** Where appended chunks of a streamed version go. */
export interface StageAddress {
  documentId: number;
  version: number;
  libraryId: number;
}

/** One change a connector reconcile writes (see {@link KnowledgeRepository.reconcileConnectors}). */
export type ConnectorChange =
  | { kind: 'add'; connector: NewConnector }
  | { kind: 'remove'; connector: ConnectorRecord; withDocuments: boolean }
  | {
      kind: 'update';
      connectorId: number;
      options?: Record<string, unknown>;
      schedule?: { schedule: Schedule | null; nextRunAt: number | null };
      /** A new sealed token (`connectors/secrets.ts`). */
      sealedSecret?: Uint8Array;
    };

/** What one applied {@link ConnectorChange} did: the connector added, or the documents a removal deleted. */
export type ConnectorChangeResult = { added: ConnectorRecord | undefined } | { deletedDocuments: number } | Record<string, never>;

/** See module comment. */
export interface KnowledgeRepository {
  // --- Libraries and status -------------------------------------------------------------------

  /** Listed libraries (a library created by a run shows once the run publishes), by name then version. */
  listLibraries(): Promise<LibraryRecord[]>;
  /** The listed library `name@version`, or undefined. */
  findListedLibrary(name: string, version: string): Promise<LibraryRecord | undefined>;
  /** Whether a listed library has this name (and this version, when one is given). */
  libraryExists(name: string, version: string | undefined): Promise<boolean>;
  /** Per listed library: documents, chunks and chunks lacking a vector that readers see. */
  libraryStatus(): Promise<LibraryStatus[]>;

  // --- Reading documents ----------------------------------------------------------------------

  /** A page of live documents (without text), by library, version, source; `hasMore` when more follow. */
  listDocuments(filter: DocumentFilter, limit: number, offset: number): Promise<{ documents: DocumentSummary[]; hasMore: boolean }>;
  /** One live document without its text, or undefined. */
  getDocumentSummary(documentId: number): Promise<DocumentSummary | undefined>;
  /** A live document's text, reassembled from its chunks exactly as it was chunked ('' if none). */
  documentText(documentId: number): Promise<string>;
  /** The link targets of a document's live version, in page order. */
  liveLinks(documentId: number): Promise<Link[]>;
  /**
   * A page of a library's live documents after `afterId` in id order (what a reindex walks): all of
   * them, or with `onlyUnembedded` those whose live version has chunks without a vector.
   */
  liveDocuments(libraryId: number, afterId: number, limit: number, onlyUnembedded: boolean): Promise<LiveDocumentHeader[]>;
  /** Up to `limit` chunks of one version of a document from position `fromOrd` on, in order. */
  versionChunks(documentId: number, version: number, fromOrd: number, limit: number): Promise<StoredChunk[]>;
  /** The link targets of one version of a document, in page order. */
  versionLinks(documentId: number, version: number): Promise<Link[]>;

  // --- Search ---------------------------------------------------------------------------------

  /** The keyword retriever over live chunks passing `filters` (see module comment). */
  keywordSearch(query: string, filters: SearchFilters, limit: number): Promise<KeywordResult>;
  /** The listed libraries matching the library/version part of `filters`, with binding and pending count. */
  searchableLibraries(filters: SearchFilters): Promise<SearchableLibrary[]>;
  /**
   * The live chunks passing `filters`, per library of `libraryIds` (a library with none is absent);
   * undefined when the filters restrict no more than the library (the KNN then needs no allowlist).
   */
  allowedChunks(libraryIds: readonly number[], filters: SearchFilters): Promise<Map<number, number[]> | undefined>;
  /** Whether vectors of `dims` dimensions were ever stored. */
  hasVectors(dims: number): Promise<boolean>;
  /** Where {@link nearestChunks} runs (decided at open). */
  readonly vectorSearch: VectorSearchPath;
  /** What {@link keywordSearch} ranks through (decided at open). */
  readonly keywordIndex: KeywordIndexPath;
  /**
   * The vector retriever: the `k` live chunks of one library nearest `query` (among `allowed` when
   * given), nearest first. `exact` ranks every vector, never through an approximate index: for an
   * embedder whose vectors no index searches well (`Embedder.indexable`).
   */
  nearestChunks(
    dims: number,
    libraryId: number,
    query: Int8Array,
    k: number,
    allowed?: readonly number[],
    options?: NearestOptions,
  ): Promise<VectorHit[]>;
  /** The live chunks among `chunkIds` with their document, library and rating summary (a chunk gone meanwhile is absent). */
  chunkDetails(chunkIds: readonly number[]): Promise<Map<number, ChunkDetail>>;

  // --- Small writes ---------------------------------------------------------------------------

  /** Rates a live document (and a chunk of its live version); NotFoundError otherwise. Returns the rating's id. */
  addRating(documentId: number, rating: number, options: { chunkId?: number; comment?: string }): Promise<number>;
  /** Deletes a document: invisible at once, collected later. Returns whether it existed. */
  retireDocument(documentId: number): Promise<boolean>;

  // --- Runs: staging and publishing -----------------------------------------------------------

  /** Starts a run on `library@version` (created hidden if new), or resumes the staging run of `taskId` / `runId`. */
  openRun(args: OpenRunArgs): Promise<OpenedRun>;
  /** The run, or undefined. */
  getRun(runId: number): Promise<RunRecord | undefined>;
  /** The staging run of a task, or undefined. */
  stagingRunOfTask(taskId: string): Promise<RunRecord | undefined>;
  /** Every run still staging. */
  stagingRuns(): Promise<RunRecord[]>;
  /** Records the embedder binding the run's vectors were made with; applied when it publishes. */
  setRunBinding(runId: number, embedder: string, dims: number, rebind: boolean): Promise<void>;
  /** Records the chunking plan the run's chunks were cut with; applied when it publishes. */
  setRunChunking(runId: number, chunking: string): Promise<void>;
  /** The live version of `source` in the library, or undefined. */
  findLiveDocument(libraryId: number, source: string): Promise<LiveDocument | undefined>;
  /** The version this run already staged for `source`, or undefined. */
  findStage(runId: number, libraryId: number, source: string): Promise<ExistingStage | undefined>;
  /** Stages whole documents atomically (all or none); a document the run staged before is replaced. */
  stageDocuments(runId: number, dims: number | null, docs: readonly StagedDocument[]): Promise<StagedVersion[]>;
  /** Starts a version written in several calls (a streamed file); it publishes only once finished. */
  beginStage(runId: number, doc: Omit<StagedDocument, 'chunks'>): Promise<{ documentId: number; version: number }>;
  /** Appends chunks to a begun version from position `ord`; returns the next position. */
  appendStage(runId: number, at: StageAddress, dims: number | null, ord: number, chunks: readonly ChunkWrite[]): Promise<number>;
  /** Marks a begun version complete. */
  finishStage(runId: number, version: number): Promise<void>;
  /** Records the pack the run installs; its publish applies it. */
  stagePack(runId: number, pack: StagedPack): Promise<void>;
  /**
   * Publishes the run atomically: every finished staged version goes live, the versions they
   * replace become garbage, the run's binding, pack and connector sync are applied, and
   * `completeTask` (the run's task's completion, in the tasks' own tables of the same database)
   * commits with them or nothing does. A run no longer staging, or a task that can no longer
   * complete, publishes nothing (`cancelled`); so does a binding conflict.
   */
  publishRun(runId: number, options?: { completeTask?: TaskCompletion; sync?: ConnectorSyncWrite }): Promise<PublishOutcome>;
  /** Discards a staging run (its versions become garbage). Returns whether it was staging. */
  discardRun(runId: number): Promise<boolean>;
  /**
   * Discards the staging runs without a task whose process is gone: silent since `staleBefore`,
   * or held by a process of this host that no longer exists. Returns how many.
   */
  discardAbandonedRuns(staleBefore: number): Promise<number>;

  // --- Garbage --------------------------------------------------------------------------------

  /** Whether any garbage waits. */
  hasGarbage(): Promise<boolean>;
  /** Deletes up to `maxChunks` garbage chunks (one short transaction); returns how many. 0 with no garbage left means done. */
  collectGarbage(maxChunks: number): Promise<number>;

  // --- Connector sync plans -------------------------------------------------------------------

  /** Writes the run's sync plan atomically, replacing an earlier one; pending items first, in reading order. */
  writeSyncPlan(runId: number, header: SyncPlanHeader, items: readonly PlanItem[]): Promise<void>;
  /** The run's plan header, or undefined. */
  syncPlanHeader(runId: number): Promise<SyncPlanHeader | undefined>;
  /** The plan's items at `from` … `to` - 1, in order. */
  syncPlanItems(runId: number, from: number, to: number): Promise<(PlanItem & { ord: number })[]>;
  /** Records the fates of items a fetch batch staged, atomically. */
  settleSyncPlanItems(runId: number, fates: readonly { ord: number; state: PlanItemState }[]): Promise<void>;

  // --- Connectors and schedules ---------------------------------------------------------------

  /** Every connector, by name. */
  listConnectors(): Promise<ConnectorRecord[]>;
  /** The connector named `name`, or undefined. */
  findConnector(name: string): Promise<ConnectorRecord | undefined>;
  /** The connector with this id, or undefined. */
  getConnector(connectorId: number): Promise<ConnectorRecord | undefined>;
  /** How many sources a connector holds. */
  connectorItemCount(connectorId: number): Promise<number>;
  /** A connector's sources with their version markers. */
  connectorMarkers(connectorId: number): Promise<Map<string, string>>;
  /** Stores a new connector with its sealed token ({@link NewConnector.sealSecret}); undefined (nothing written) if the name is taken. */
  addConnector(connector: NewConnector): Promise<ConnectorRecord | undefined>;
  /** Removes a connector and its token (with `withDocuments`, the documents it brought). Returns the documents deleted. */
  removeConnector(connector: ConnectorRecord, withDocuments: boolean): Promise<number>;
  /**
   * Reads every connector and their sealed tokens (by connector id), and writes the changes
   * `decide` returns for them, atomically: no other process changes a connector in between.
   * Results are in the order of the changes.
   */
  reconcileConnectors<T>(
    decide: (stored: ConnectorRecord[], sealedSecrets: ReadonlyMap<number, Uint8Array>) => { changes: ConnectorChange[]; plan: T },
  ): Promise<{ plan: T; results: ConnectorChangeResult[] }>;
  /** A connector's sealed token, or undefined without one. */
  connectorSecret(connectorId: number): Promise<Uint8Array | undefined>;
  /** Replaces a connector's sealed token; false (nothing written) when there is no such connector. */
  setConnectorSecret(connectorId: number, sealed: Uint8Array): Promise<boolean>;
  /** Records how a sync that did not publish ended. */
  recordSyncFailure(connectorId: number, outcome: string): Promise<void>;
  /** Sets (or with null, clears) a connector's schedule and its next slot. */
  setConnectorSchedule(connectorId: number, schedule: Schedule | null, nextRunAt: number | null): Promise<void>;
  /** The scheduled connectors whose next slot is at or before `now`, earliest first. */
  dueConnectors(now: number): Promise<ConnectorRecord[]>;
  /**
   * Claims slot `slot` of a connector, moving its next slot to `next`: true for exactly one caller,
   * however many processes (and repository instances on the same database) try.
   */
  claimScheduleSlot(connectorId: number, slot: number, next: number | null): Promise<boolean>;
  /** Records the sync task a claimed slot started or joined. */
  recordSlotTask(connectorId: number, slot: number, taskId: string): Promise<void>;

  // --- Packs ----------------------------------------------------------------------------------

  /** Installed packs by library and name; of one library when `libraryId` is given. */
  listPacks(libraryId?: number): Promise<PackRecord[]>;
  /** Removes pack `name` from a library atomically, documents and record. Returns documents retired, or undefined if not installed. */
  removePack(libraryId: number, name: string): Promise<number | undefined>;
  /** The sources of the documents pack `name` brought to a library (none when it is not installed there). */
  packSources(libraryId: number, name: string): Promise<string[]>;
  /** A library's live documents by source, with tags and live chunk ids (what a pack carries). */
  packableDocuments(libraryId: number): Promise<PackableDocument[]>;
  /** The stored vectors of `chunkIds` (those that have one). */
  readVectors(dims: number, chunkIds: readonly number[]): Promise<Map<number, Int8Array>>;

  /** Closes the store; the repository is unusable afterwards. */
  close(): Promise<void>;
}
