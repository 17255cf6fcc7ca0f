/**
 * The knowledge-base repository (`../repository.ts`) on a SQLite file, over the statement modules
 * of `store/`. better-sqlite3 is synchronous, so each method answers inside an already settled
 * Promise: a read costs what the SQL costs. Writes never block the event loop on the lock: this
 * connection has no busy timeout, and a write that finds the lock taken is tried again on a
 * timer (`../busy.ts`) until StoreBusyError.
 *
 * The ingest worker opens the variant in `ingest-repository.ts`, whose run writes go to a writer
 * thread with its own synchronous connection calling the same statement modules.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import type { TaskCompletion } from '@carrel/tasks';
import { completeInTransaction } from '@carrel/tasks/sqlite';
import type { Schedule } from '../../connectors/schedule.js';
import { writeWhenFree } from './busy.js';
import { claimScheduleSlot, dueConnectors, recordSlotTask, setConnectorSchedule } from './connector-schedules.js';
import type { ConnectorRecord, ConnectorSyncWrite, NewConnector } from '../records.js';
import {
  connectorItemCount,
  connectorMarkers,
  connectorSecret,
  connectorSecrets,
  deleteConnector,
  findConnector,
  getConnector,
  insertConnector,
  listConnectors,
  recordSyncFailure,
  setConnectorSecret,
  updateConnectorOptions,
} from './connectors.js';
import { openDatabase } from './database.js';
import type { DocumentFilter } from '../records.js';
import { documentText, getDocumentSummary, listDocuments } from './document-queries.js';
import type { ChunkWrite } from '../records.js';
import { findLiveDocument, liveDocuments, retireDocument, versionChunks } from './documents.js';
import { collectGarbage, discardAbandonedRuns, discardRun, hasGarbage } from './garbage.js';
import { findListedLibrary, libraryExists, listLibraries } from './libraries.js';
import { liveLinks, versionLinks } from './links.js';
import type { StagedPack } from '../records.js';
import { listPacks, packableDocuments, packSources, removePack, stagePack } from './packs.js';
import { publishRun } from './publish.js';
import { addRating } from './ratings.js';
import type {
  ConnectorChange,
  ConnectorChangeResult,
  KeywordResult,
  KnowledgeRepository,
  StageAddress,
  KeywordIndexPath,
  VectorSearchPath,
} from '../repository.js';
import type { OpenRunArgs } from '../records.js';
import { getRun, openRun, setRunBinding, setRunChunking, stagingRunOfTask, stagingRuns } from './runs.js';
import type { NearestOptions, SearchFilters } from '../records.js';
import { KeywordReader } from './keyword-reader.js';
import { keywordSearch } from './keyword-search.js';
import { allowedChunkIds, chunkDetails, chunkIdsIssued, filterClause, filteredLibraries } from './search-queries.js';
import type { StagedDocument } from '../records.js';
import { appendStage, beginStage, findStage, finishStage, stageDocuments } from './staging.js';
import { libraryStatus } from './status.js';
import type { PlanItem, PlanItemState, SyncPlanHeader } from '../records.js';
import { settleSyncPlanItems, syncPlanHeader, syncPlanItems, writeSyncPlan } from './sync-plans.js';
import { hasVectorTable, knn, readVectors } from './vectors.js';
import { keepIndexesIn, stopIndexing, vectorIndexPolicy, vectorIndexStatus, vectorIndexesBuilt } from '../approximate-search.js';

/** How a repository is opened. */
export interface SqliteRepositoryOptions {
  /**
   * From how many chunk ids issued (the store's size, cheaply known; ids of deleted chunks count
   * too) keyword searches run on the keyword reader thread (see keyword-reader.ts): 0 always,
   * Infinity never. At 100k chunks a keyword search takes a few milliseconds, about what the
   * thread's round trip and the vector half it overlaps with save.
   */
  keywordThreadFrom?: number;
  /** Where the approximate vector indexes are kept between processes (see approximate-search.ts); none are kept without it. */
  vectorIndexDir?: string;
}

/** See module comment. */
export class SqliteRepository implements KnowledgeRepository {
  /** The node's in-memory scan, always: sqlite-vec has no index of its own. */
  readonly vectorSearch: VectorSearchPath = { path: 'node-scan', approximateFrom: vectorIndexPolicy.minRows };
  readonly keywordIndex: KeywordIndexPath = { path: 'fts5' };

  /** Keyword searches of a store this large go to `keywordReader`. */
  private readonly keywordThreadFrom: number;
  private readonly keywordReader: KeywordReader | undefined;

  protected constructor(
    private readonly db: Database,
    { keywordThreadFrom = 100_000, vectorIndexDir }: SqliteRepositoryOptions = {},
  ) {
    this.keywordThreadFrom = keywordThreadFrom;
    if (vectorIndexDir !== undefined) keepIndexesIn(db, vectorIndexDir);
    this.keywordReader = keywordThreadFrom < Infinity ? new KeywordReader(db.name) : undefined;
  }

  /** Opens (creating and migrating if needed) the knowledge base's SQLite file at `path`. */
  static open(path: string, options: SqliteRepositoryOptions = {}): SqliteRepository {
    const db = openDatabase(path);
    // From here on, a write of this connection never blocks on the lock (see store/busy.ts).
    db.pragma('busy_timeout = 0');
    return new SqliteRepository(db, options);
  }

  /** Runs `write` as one IMMEDIATE transaction, retried on a timer while another connection holds the lock. */
  private write<T>(write: () => T): Promise<T> {
    return writeWhenFree(() => this.db.transaction(write).immediate());
  }

  async listLibraries() {
    return listLibraries(this.db);
  }

  async findListedLibrary(name: string, version: string) {
    return findListedLibrary(this.db, name, version);
  }

  async libraryExists(name: string, version: string | undefined) {
    return libraryExists(this.db, name, version);
  }

  async libraryStatus() {
    return libraryStatus(this.db);
  }

  async listDocuments(filter: DocumentFilter, limit: number, offset: number) {
    return listDocuments(this.db, filter, limit, offset);
  }

  async getDocumentSummary(documentId: number) {
    return getDocumentSummary(this.db, documentId);
  }

  async documentText(documentId: number) {
    return documentText(this.db, documentId);
  }

  async liveLinks(documentId: number) {
    return liveLinks(this.db, documentId);
  }

  async liveDocuments(libraryId: number, afterId: number, limit: number, onlyUnembedded: boolean) {
    return liveDocuments(this.db, libraryId, afterId, limit, onlyUnembedded);
  }

  async versionChunks(documentId: number, version: number, fromOrd: number, limit: number) {
    return versionChunks(this.db, documentId, version, fromOrd, limit);
  }

  async versionLinks(documentId: number, version: number) {
    return versionLinks(this.db, documentId, version);
  }

  async keywordSearch(query: string, filters: SearchFilters, limit: number): Promise<KeywordResult> {
    return this.keywordReader && chunkIdsIssued(this.db) >= this.keywordThreadFrom
      ? this.keywordReader.search(query, filters, limit)
      : keywordSearch(this.db, query, filters, limit);
  }

  async searchableLibraries(filters: SearchFilters) {
    return filteredLibraries(this.db, filters);
  }

  async allowedChunks(libraryIds: readonly number[], filters: SearchFilters) {
    const filter = filterClause(filters);
    return filter.beyondLibrary ? allowedChunkIds(this.db, libraryIds, filter) : undefined;
  }

  async hasVectors(dims: number) {
    return hasVectorTable(this.db, dims);
  }

  async nearestChunks(dims: number, libraryId: number, query: Int8Array, k: number, allowed?: readonly number[], options?: NearestOptions) {
    return knn(this.db, dims, libraryId, query, k, allowed, options);
  }

  async chunkDetails(chunkIds: readonly number[]) {
    return chunkDetails(this.db, chunkIds);
  }

  /** Resolves once the approximate indexes being built or brought up to date are (benchmarks time the index, not the exact scan serving meanwhile). */
  vectorIndexesBuilt(): Promise<void> {
    return vectorIndexesBuilt(this.db);
  }

  /** This connection's approximate indexes (see approximate-search.ts). */
  vectorIndexStatus() {
    return vectorIndexStatus(this.db);
  }

  addRating(documentId: number, rating: number, options: { chunkId?: number; comment?: string }) {
    return writeWhenFree(() => addRating(this.db, documentId, rating, options));
  }

  retireDocument(documentId: number) {
    return this.write(() => retireDocument(this.db, documentId));
  }

  openRun(args: OpenRunArgs) {
    return writeWhenFree(() => openRun(this.db, args));
  }

  async getRun(runId: number) {
    return getRun(this.db, runId);
  }

  async stagingRunOfTask(taskId: string) {
    return stagingRunOfTask(this.db, taskId);
  }

  async stagingRuns() {
    return stagingRuns(this.db);
  }

  setRunBinding(runId: number, embedder: string, dims: number, rebind: boolean) {
    return writeWhenFree(() => setRunBinding(this.db, runId, embedder, dims, rebind));
  }

  setRunChunking(runId: number, chunking: string) {
    return writeWhenFree(() => setRunChunking(this.db, runId, chunking));
  }

  async findLiveDocument(libraryId: number, source: string) {
    return findLiveDocument(this.db, libraryId, source);
  }

  async findStage(runId: number, libraryId: number, source: string) {
    return findStage(this.db, runId, libraryId, source);
  }

  stageDocuments(runId: number, dims: number | null, docs: readonly StagedDocument[]) {
    return writeWhenFree(() => stageDocuments(this.db, runId, dims, docs));
  }

  beginStage(runId: number, doc: Omit<StagedDocument, 'chunks'>) {
    return writeWhenFree(() => beginStage(this.db, runId, doc));
  }

  appendStage(runId: number, at: StageAddress, dims: number | null, ord: number, chunks: readonly ChunkWrite[]) {
    return writeWhenFree(() => appendStage(this.db, runId, at, dims, ord, chunks));
  }

  finishStage(runId: number, version: number) {
    return writeWhenFree(() => finishStage(this.db, runId, version));
  }

  stagePack(runId: number, pack: StagedPack) {
    return writeWhenFree(() => stagePack(this.db, runId, pack));
  }

  publishRun(runId: number, options: { completeTask?: TaskCompletion; sync?: ConnectorSyncWrite } = {}) {
    const { completeTask, sync } = options;
    return writeWhenFree(() =>
      publishRun(this.db, runId, completeTask && (() => completeInTransaction(this.db, completeTask, { now: Date.now() })), sync),
    );
  }

  discardRun(runId: number) {
    return writeWhenFree(() => discardRun(this.db, runId));
  }

  discardAbandonedRuns(staleBefore: number) {
    return writeWhenFree(() => discardAbandonedRuns(this.db, staleBefore));
  }

  async hasGarbage() {
    return hasGarbage(this.db);
  }

  collectGarbage(maxChunks: number) {
    return writeWhenFree(() => collectGarbage(this.db, maxChunks));
  }

  writeSyncPlan(runId: number, header: SyncPlanHeader, items: readonly PlanItem[]) {
    return writeWhenFree(() => writeSyncPlan(this.db, runId, header, items));
  }

  async syncPlanHeader(runId: number) {
    return syncPlanHeader(this.db, runId);
  }

  async syncPlanItems(runId: number, from: number, to: number) {
    return syncPlanItems(this.db, runId, from, to);
  }

  settleSyncPlanItems(runId: number, fates: readonly { ord: number; state: PlanItemState }[]) {
    return writeWhenFree(() => settleSyncPlanItems(this.db, runId, fates));
  }

  async listConnectors() {
    return listConnectors(this.db);
  }

  async findConnector(name: string) {
    return findConnector(this.db, name);
  }

  async getConnector(connectorId: number) {
    return getConnector(this.db, connectorId);
  }

  async connectorItemCount(connectorId: number) {
    return connectorItemCount(this.db, connectorId);
  }

  async connectorMarkers(connectorId: number) {
    return connectorMarkers(this.db, connectorId);
  }

  addConnector(connector: NewConnector) {
    return this.write(() => insertConnector(this.db, connector));
  }

  removeConnector(connector: ConnectorRecord, withDocuments: boolean) {
    return this.write(() => deleteConnector(this.db, connector, withDocuments));
  }

  reconcileConnectors<T>(
    decide: (stored: ConnectorRecord[], sealedSecrets: ReadonlyMap<number, Uint8Array>) => { changes: ConnectorChange[]; plan: T },
  ) {
    return this.write(() => {
      const { changes, plan } = decide(listConnectors(this.db), connectorSecrets(this.db));
      return { plan, results: changes.map((c) => this.applyConnectorChange(c)) };
    });
  }

  /** Writes one reconcile change; inside the reconcile's transaction. */
  private applyConnectorChange(change: ConnectorChange): ConnectorChangeResult {
    switch (change.kind) {
      case 'add':
        return { added: insertConnector(this.db, change.connector) };
      case 'remove':
        return { deletedDocuments: deleteConnector(this.db, change.connector, change.withDocuments) };
      case 'update':
        if (change.options) updateConnectorOptions(this.db, change.connectorId, change.options);
        if (change.schedule) setConnectorSchedule(this.db, change.connectorId, change.schedule.schedule, change.schedule.nextRunAt);
        if (change.sealedSecret) setConnectorSecret(this.db, change.connectorId, change.sealedSecret);
        return {};
    }
  }

  async connectorSecret(connectorId: number) {
    return connectorSecret(this.db, connectorId);
  }

  setConnectorSecret(connectorId: number, sealed: Uint8Array) {
    return this.write(() => setConnectorSecret(this.db, connectorId, sealed));
  }

  recordSyncFailure(connectorId: number, outcome: string) {
    return writeWhenFree(() => recordSyncFailure(this.db, connectorId, outcome));
  }

  setConnectorSchedule(connectorId: number, schedule: Schedule | null, nextRunAt: number | null) {
    return writeWhenFree(() => setConnectorSchedule(this.db, connectorId, schedule, nextRunAt));
  }

  async dueConnectors(now: number) {
    return dueConnectors(this.db, now);
  }

  claimScheduleSlot(connectorId: number, slot: number, next: number | null) {
    return writeWhenFree(() => claimScheduleSlot(this.db, connectorId, slot, next));
  }

  recordSlotTask(connectorId: number, slot: number, taskId: string) {
    return writeWhenFree(() => recordSlotTask(this.db, connectorId, slot, taskId));
  }

  async listPacks(libraryId?: number) {
    return listPacks(this.db, libraryId);
  }

  removePack(libraryId: number, name: string) {
    return writeWhenFree(() => removePack(this.db, libraryId, name));
  }

  async packSources(libraryId: number, name: string) {
    return packSources(this.db, libraryId, name);
  }

  async packableDocuments(libraryId: number) {
    return packableDocuments(this.db, libraryId);
  }

  async readVectors(dims: number, chunkIds: readonly number[]) {
    return readVectors(this.db, dims, chunkIds);
  }

  async close() {
    stopIndexing(this.db);
    await this.keywordReader?.close();
    this.db.close();
  }
}
