/**
 * The knowledge-base service: the one object that MCP tools and CLI commands call. It owns the
 * SQLite file in the data dir, validates input, keeps file access inside the allowed roots,
 * fetches URLs under the private-address guard, and hands every heavy step (parse, chunk, embed,
 * write) to the ingest worker so the event loop stays free for other clients.
 *
 * Long operations (`ingest*`, `reindexLibrary`) take an AbortSignal, a progress callback and the
 * task they work for, the shape a @carrel/tasks handler provides. Their writes become visible all
 * at once when they finish (in the same transaction that completes their task); a cancel or a
 * failure before that leaves the library as it was. The main thread never waits on the write lock:
 * its few small writes (ratings, deletes) retry on a timer while another writer holds it.
 *
 * @module
 */
import { mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbedder } from './embedders/create-embedder.js';
import type { Embedder, EmbedderConfig, InProcessEmbedder } from './embedders/embedder.js';
import { ApplicationEmbedder, isInProcessEmbedder } from './embedders/application-embedder.js';
import type { CheckedConnector, ConnectorInput, ConnectorView } from './connectors/configs.js';
import { type PlannedStep, planReconcile, type ReconcileStep } from './connectors/reconcile.js';
import { checkConnectorInput, checkSecret, connectorView } from './connectors/configs.js';
import { checkSchedule, nextSlot } from './connectors/schedule.js';
import { legacySecretsPath, readLegacySecrets } from './connectors/legacy-secrets.js';
import { parseSecretsKey } from './connectors/secret-box.js';
import { ConnectorSecrets, maskSecret, SECRETS_KEY_VARIABLE, type SecretsKeySource } from './connectors/secrets.js';
import { secretsKeyPath } from './connectors/secrets-key-file.js';
import { CredentialsRejectedError, IngestCancelledError, InvalidInputError, KnowledgeBaseError, NotFoundError } from './errors.js';
import type { IngestResult, JobSpec, SyncApplyJob, SyncFetchJob, SyncStepBase } from './ingest/jobs.js';
import { emptyResult, mergeResult, unlistedWarning } from './ingest/result.js';
import { syncBatches } from './ingest/sync-batches.js';
import { parseLibraryRef } from './library-ref.js';
import { libraryLabel } from './fix.js';
import type { RunOptions } from './ingest/worker-client.js';
import { WorkerClient } from './ingest/worker-client.js';
import type { ChunkSizes } from './ingest/chunking.js';
import { chunkingLabel, chunkingPlan } from './ingest/chunking.js';
import type { WorkerConfig } from './ingest/worker.js';
import type { QueryVector, SearchRequest, SearchResponse } from './search/search.js';
import { hybridSearch } from './search/search.js';
import { resolveDataDir, vectorIndexDir } from './data-dir.js';
import type { DirectoryFilter } from './sources/directory-source.js';
import { walkDirectory } from './sources/directory-source.js';
import { checkFile, realRoots, resolveAllowedPath } from './sources/file-source.js';
import type { Link } from './sources/html-to-markdown.js';
import type { MediaType } from './sources/media-type.js';
import type { FetchLimits } from './sources/url-source.js';
import { DEFAULT_FETCH_LIMITS, fetchUrl } from './sources/url-source.js';
import type { DocumentFilter, DocumentSummary, StoredChunk } from './store/repository.js';
import type { ConnectorRecord } from './store/repository.js';
import type { LibraryRecord } from './store/repository.js';
import { checkRating } from './store/rating-scale.js';
import type { ConnectorChange, KnowledgeRepository } from './store/repository.js';
import { describeLocation, storeLocation, type StoreLocation } from './store/location.js';
import { openRepository } from './store/open-repository.js';
import type { Pack } from './packs/format.js';
import type { PackOptions } from './packs/create.js';
import { createPack } from './packs/create.js';
import { packJob } from './packs/job.js';
import type { PackSource } from './packs/load.js';
import { loadPack } from './packs/load.js';
import type { PackRecord } from './store/repository.js';
import type { KeywordIndexPath, LibraryStatus, VectorSearchPath } from './store/repository.js';

/** How a KnowledgeBase is opened. */
export interface KnowledgeBaseOptions {
  /** Data directory; default from {@link resolveDataDir} (`CARREL_DATA_DIR`, then the per-user folder). */
  dataDir?: string;
  /**
   * A PostgreSQL database (`postgres://…`) to keep the knowledge base in, shared by every node of a
   * cluster, instead of the SQLite file in the data dir (which still holds the model cache).
   */
  databaseUrl?: string;
  /**
   * The key that seals connector tokens in the database (what `CARREL_SECRETS_KEY` sets): 32 bytes
   * in base64 (`openssl rand -base64 32`) or hex, the same on every node of a cluster. Required
   * for a token on PostgreSQL; on SQLite without it, a key file in the data dir is made.
   */
  secretsKey?: string;
  /**
   * Embedder for ingest and queries: a config, or the application's own {@link InProcessEmbedder}.
   * Default: the local ONNX model, cached under `<dataDir>/models`.
   */
  embedder?: EmbedderConfig | InProcessEmbedder;
  /**
   * Folders files may be ingested from (symlinks resolved). Default: the current working directory
   * only, not the whole home folder, which holds keys and credentials an agent should not read.
   */
  allowedRoots?: readonly string[];
  /** URL fetch limits; `allowPrivateAddresses` is off by default. */
  fetch?: Partial<FetchLimits>;
  /** Largest file or content accepted, in bytes (default 256 MB). */
  maxFileBytes?: number;
  /** Text/markdown files above this size are streamed (default 8 MB). */
  streamThresholdBytes?: number;
  /** Chunk sizes in tokens; by default they follow the embedder's input window (see docs/knowledge-base.md). */
  chunker?: ChunkSizes;
  /** Chunks per embedding batch (and cancel-check interval); default 256. */
  batchChunks?: number;
  /**
   * Pages (HTML, PDF) a folder needs before they are converted on a thread of their own, beside the
   * one that chunks and embeds (default 100; `Infinity`: never).
   */
  converterThreadPages?: number;
  /** Told what the knowledge base indexed and searched, for a server's metrics. */
  observer?: KnowledgeBaseObserver;
}

/** What a knowledge base tells about its work as it happens (see `observability/` for the server's metrics). */
export interface KnowledgeBaseObserver {
  /** A job published documents: an ingest, pack, reindex or a connector sync's last step (its staging steps are not counted). */
  indexed(result: IngestResult): void;
  /** A search ran in this mode. */
  searched(mode: SearchResponse['mode']): void;
}

/** Jobs whose result is what they published; a sync's discover and fetch steps only stage what its apply step publishes. */
const PUBLISHING_JOBS: ReadonlySet<JobSpec['kind']> = new Set(['content', 'files', 'pack', 'reindex', 'sync-apply']);

/** Where ingested content goes. */
export interface IngestTarget {
  library: string;
  version?: string;
  tags?: readonly string[];
  /**
   * Store every page as content. By default indexes, search and 404 pages and source twins are
   * skipped and tables of contents ranked lower (see `ingest/page-kind.ts`).
   */
  keepAllPages?: boolean;
}

/** Raw content to ingest. */
export interface ContentInput extends IngestTarget {
  content: string;
  /** Identifies the document within its library; re-ingesting the same source replaces it. Default: `raw:<title>`. */
  source?: string;
  title?: string;
  format?: 'markdown' | 'text' | 'html';
}

/** A document with one page of its text; `offset`/`nextOffset` are character positions. */
export interface DocumentPage extends DocumentSummary {
  content: string;
  offset: number;
  totalChars: number;
  nextOffset: number | null;
  /** With `links: true`: the targets of the links in the text, which the text itself leaves out (HTML documents). */
  links?: Link[];
}

/** What `status` reports. */
export interface KnowledgeBaseStatus {
  dataDir: string;
  /** Where the knowledge base is stored: the SQLite file, or the PostgreSQL URL without its password. */
  database: { kind: StoreLocation['kind']; location: string };
  /** Where vector search runs: pgvector in PostgreSQL, or the node's in-memory scan (and why not pgvector). */
  vectorSearch: VectorSearchPath;
  /** What keyword search ranks through: SQLite's FTS5, or PostgreSQL's GIN or RUM index (and why not RUM). */
  keywordIndex: KeywordIndexPath;
  embedder: { id: string | null; available: boolean; reason?: string };
  /** The chunking plan new documents get (a library recorded with another one is rechunked by a reindex). */
  chunking: string;
  libraries: LibraryStatus[];
}

const MAX_NAME = 200;
/** A run with no task whose writes stopped this long ago belongs to a process that died. */
const ABANDONED_RUN_MS = 10 * 60_000;
const encoder = new TextEncoder();

/** See module comment. */
export class KnowledgeBase {
  readonly dataDir: string;
  private readonly location: StoreLocation;
  private readonly store: KnowledgeRepository;
  private readonly worker: WorkerClient;
  private readonly queryEmbedder: Embedder | null;
  private queryEmbedderFailure: { reason: string; at: number } | undefined;
  /** The reason for keyword-only search last told with a search's results (see `search`). */
  private toldKeywordOnly: string | undefined;
  private readonly allowedRoots: readonly string[];
  private readonly fetchLimits: FetchLimits;
  private readonly maxFileBytes: number;
  private readonly chunkSizes: ChunkSizes;
  private readonly secrets: ConnectorSecrets;
  private readonly observer: KnowledgeBaseObserver | undefined;

  private constructor(
    options: KnowledgeBaseOptions,
    dataDir: string,
    location: StoreLocation,
    store: KnowledgeRepository,
    secrets: ConnectorSecrets,
  ) {
    this.dataDir = dataDir;
    const embedders = embeddersFor(options.embedder ?? { kind: 'local' }, this.dataDir);
    this.location = location;
    this.store = store;
    this.queryEmbedder = embedders.query;
    this.allowedRoots = options.allowedRoots ?? [process.cwd()];
    this.fetchLimits = { ...DEFAULT_FETCH_LIMITS, ...options.fetch };
    this.maxFileBytes = options.maxFileBytes ?? 256 * 1024 * 1024;
    this.chunkSizes = options.chunker ?? {};
    this.secrets = secrets;
    this.observer = options.observer;
    this.worker = new WorkerClient(
      {
        store: location,
        embedder: embedders.worker,
        settings: {
          chunker: this.chunkSizes,
          maxFileBytes: this.maxFileBytes,
          streamThresholdBytes: options.streamThresholdBytes ?? 8 * 1024 * 1024,
          batchChunks: options.batchChunks ?? 256,
          converterThreadPages: options.converterThreadPages ?? 100,
        },
      },
      (runId) => void this.discardRuns([runId]).catch(() => undefined),
      { ...(embedders.relayTo && { relayTo: embedders.relayTo }) },
    );
    // Work a dead process left staged would slow every search until discarded; a busy store leaves it to the next open.
    void this.discardAbandonedRuns().catch(() => undefined);
  }

  /** The SQLite file the knowledge base is in; null when it is in PostgreSQL. */
  get databasePath(): string | null {
    return this.location.kind === 'sqlite' ? this.location.path : null;
  }

  /** Opens (creating and migrating if needed) the knowledge base: in its data dir, or in the PostgreSQL database of `databaseUrl`. */
  static async open(options: KnowledgeBaseOptions = {}): Promise<KnowledgeBase> {
    const dataDir = resolveDataDir(options.dataDir);
    // Owner-only: the store (and the model cache, the connectors' secrets) may be private.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const location = storeLocation(dataDir, options.databaseUrl);
    const secrets = new ConnectorSecrets(secretsKeySource(options.secretsKey, location, dataDir));
    const store = await openRepository(location, { vectorIndexDir: vectorIndexDir(dataDir) });
    try {
      // The secrets file of earlier versions holds the ids of this data dir's SQLite connectors.
      if (location.kind === 'sqlite') await importLegacySecrets(store, secrets, dataDir);
    } catch (error) {
      await store.close();
      throw error;
    }
    return new KnowledgeBase(options, dataDir, location, store, secrets);
  }

  /** Ingests content given inline. */
  async ingestContent(input: ContentInput, run: RunOptions = {}): Promise<IngestResult> {
    const target = checkTarget(input);
    if (typeof input.content !== 'string') throw new InvalidInputError('content', 'a string');
    const source = input.source ?? `raw:${input.title ?? 'untitled'}`;
    const mediaType: MediaType = input.format ?? 'markdown';
    return this.runJob(
      {
        kind: 'content',
        target,
        source,
        sourceKind: 'raw',
        title: input.title,
        bytes: encoder.encode(input.content),
        mediaType,
        keepAllPages: keepAllPages(input),
      },
      run,
    );
  }

  /** Ingests one local file (markdown, text, HTML or PDF) from inside the allowed roots. */
  async ingestFile(path: string, target: IngestTarget, run: RunOptions = {}): Promise<IngestResult> {
    const checked = checkTarget(target);
    const real = await resolveAllowedPath(path, this.allowedRoots);
    await checkFile(real, this.maxFileBytes);
    return this.runJob(
      {
        kind: 'files',
        target: checked,
        paths: [real],
        roots: await realRoots(this.allowedRoots),
        failFast: true,
        keepAllPages: keepAllPages(target),
      },
      run,
    );
  }

  /** Ingests every matching file under a directory inside the allowed roots; one bad file does not stop the rest. */
  async ingestDirectory(path: string, target: IngestTarget & DirectoryFilter, run: RunOptions = {}): Promise<IngestResult> {
    const checked = checkTarget(target);
    const root = await resolveAllowedPath(path, this.allowedRoots);
    const paths: string[] = [];
    for await (const file of walkDirectory(root, target)) {
      run.signal?.throwIfAborted();
      paths.push(file);
    }
    return this.runJob(
      {
        kind: 'files',
        target: checked,
        paths,
        roots: await realRoots(this.allowedRoots),
        failFast: false,
        keepAllPages: keepAllPages(target),
      },
      run,
    );
  }

  /** Fetches a URL (limits and private-address guard apply) and ingests it. */
  async ingestUrl(url: string, target: IngestTarget & { title?: string }, run: RunOptions = {}): Promise<IngestResult> {
    const checked = checkTarget(target);
    const fetched = await fetchUrl(url, this.fetchLimits, run.signal);
    return this.runJob(
      {
        kind: 'content',
        target: checked,
        source: fetched.url,
        sourceKind: 'url',
        title: target.title,
        bytes: fetched.bytes,
        mediaType: fetched.mediaType,
        keepAllPages: keepAllPages(target),
      },
      run,
    );
  }

  /**
   * Installs a knowledge pack (see docs/knowledge-packs.md) into a library, or upgrades the version
   * installed there: changed documents are replaced, those the new version dropped removed, the
   * rest left as they are. The pack is read, checked against `sha256` (or the registry's), and
   * validated before anything is written; its documents and its record publish together.
   */
  async installPack(source: PackSource, target: IngestTarget & { sha256?: string }, run: RunOptions = {}): Promise<IngestResult> {
    const checked = checkTarget(target);
    const loaded = await loadPack(source, target.sha256, {
      roots: this.allowedRoots,
      fetch: this.fetchLimits,
      maxBytes: this.maxFileBytes,
      ...(run.signal && { signal: run.signal }),
    });
    return this.runJob(packJob(loaded, checked), run);
  }

  /** The packs installed, in every library or in `library` (`name` or `name@version`). */
  async listPacks(filter: { library?: string; version?: string } = {}): Promise<PackRecord[]> {
    const known = await this.knownLibrary(filter);
    return (await this.store.listPacks()).filter(
      (p) =>
        (known.library === undefined || p.library === known.library) && (known.version === undefined || p.libraryVersion === known.version),
    );
  }

  /** Removes pack `name` from a library: its documents and its record, at once. Returns how many documents went. */
  async removePack(name: string, target: { library: string; version?: string }): Promise<{ removed: number }> {
    const { library, version } = checkTarget(target);
    const record = await this.store.findListedLibrary(library, version);
    const removed = record && (await this.store.removePack(record.id, name));
    if (removed === undefined) throw new NotFoundError(`Pack in library ${libraryLabel(library, version)}`, name);
    this.worker.collectGarbage();
    return { removed };
  }

  /** A pack of a library's documents (see `packs/create.ts`). */
  async createPack(target: { library: string; version?: string }, options: PackOptions): Promise<Pack> {
    const { library, version } = checkTarget(target);
    const record = await this.store.findListedLibrary(library, version);
    if (!record) throw new NotFoundError('Library', libraryLabel(library, version), { action: 'list_libraries' });
    return createPack(this.store, record, options);
  }

  /** Embeds the library's chunks that lack vectors; switches it to the current embedder first if it was built with another. */
  async reindexLibrary(library: string, version?: string, run: RunOptions = {}): Promise<IngestResult> {
    const target = checkTarget({ library, ...(version !== undefined && { version }) });
    return this.runJob({ kind: 'reindex', library: target.library, version: target.version }, run);
  }

  /**
   * Adds a connector: a configured source that `syncConnector` keeps its library in step with. Its
   * options are checked now (a folder or local repository must lie inside the allowed roots); its
   * secret is sealed into the database with the connector, in one transaction (`connectors/secrets.ts`).
   */
  async addConnector(input: ConnectorInput): Promise<ConnectorView> {
    const { secret, ...c } = await checkConnectorInput(input, this.allowedRoots);
    if (secret !== undefined) this.secrets.checkCanSeal();
    const record = await this.store.addConnector({
      ...c,
      nextRunAt: c.schedule && nextSlot(c.schedule, Date.now()),
      ...(secret !== undefined && { sealSecret: this.sealer(secret) }),
    });
    if (!record) throw new InvalidInputError('name', `a name no other connector has (${c.name} exists)`);
    return connectorView(record, secret === undefined ? null : maskSecret(secret), 0);
  }

  /**
   * Sets a connector's schedule (a 5-field cron expression, read in `timezone`, default UTC), or
   * with null takes it off; its next slot is the schedule's first time from now.
   */
  async scheduleConnector(name: string, schedule: { cron: string; timezone?: string } | null): Promise<ConnectorView> {
    const connector = await this.connector(name);
    const checked = schedule && checkSchedule(schedule.cron, schedule.timezone);
    await this.store.setConnectorSchedule(connector.id, checked, checked && nextSlot(checked, Date.now()));
    return this.view(await this.connector(name));
  }

  /** The scheduled connectors whose slot is due at `now`, each with that slot (see `app/scheduler.ts`). */
  async dueSyncs(now: number): Promise<{ connector: string; slot: number }[]> {
    return (await this.store.dueConnectors(now)).map((c) => ({ connector: c.name, slot: c.nextRunAt! }));
  }

  /**
   * Claims a due slot: true for exactly one caller across every process on the data dir. Slots
   * missed while no process ran coalesce into this one claim: the next slot is the first after `now`.
   */
  async claimSlot(name: string, slot: number, now: number): Promise<boolean> {
    const c = await this.store.findConnector(name);
    if (!c?.schedule) return false;
    return this.store.claimScheduleSlot(c.id, slot, nextSlot(c.schedule, now));
  }

  /** Records the sync task a claimed slot started or joined, for `show_connector`. */
  async recordSlotTask(name: string, slot: number, taskId: string): Promise<void> {
    const connector = await this.store.findConnector(name);
    if (connector) await this.store.recordSlotTask(connector.id, slot, taskId);
  }

  /**
   * Brings the connectors in line with a declared list (a sources manifest, see
   * `connectors/reconcile.ts`): adds the new ones, changes those whose options, schedule or secret
   * differ, leaves the rest, and with `prune` removes those the list does not name (their
   * documents too with `deleteDocuments`). Every entry is checked first, errors naming
   * `connectors[i].<field>`; then all changes are written in one transaction, or none.
   */
  async reconcileConnectors(
    inputs: readonly ConnectorInput[],
    options: { prune?: boolean; deleteDocuments?: boolean } = {},
  ): Promise<ReconcileStep[]> {
    const wanted: CheckedConnector[] = [];
    for (const [i, input] of inputs.entries()) {
      try {
        wanted.push(await checkConnectorInput(input, this.allowedRoots));
      } catch (error) {
        throw error instanceof InvalidInputError ? new InvalidInputError(`connectors[${i}].${error.argument}`, error.expected) : error;
      }
    }
    if (wanted.some((w) => w.secret !== undefined)) this.secrets.checkCanSeal();
    const now = Date.now();
    const { plan, results } = await this.store.reconcileConnectors((stored, sealedSecrets) => {
      const byId = new Map(stored.map((c) => [c.id, c]));
      const storedSecret = (id: number) => {
        const sealed = sealedSecrets.get(id);
        return sealed && this.secrets.open(byId.get(id)!, sealed);
      };
      const planned = planReconcile(stored, storedSecret, wanted, options.prune === true);
      return { plan: planned, changes: planned.map((p) => this.connectorChange(p, options.deleteDocuments === true, now)) };
    });
    plan.forEach((p, i) => {
      const result = results[i]!;
      if (p.step.action === 'pruned' && 'deletedDocuments' in result) p.step.deletedDocuments = result.deletedDocuments;
    });
    for (const p of plan)
      if (p.step.action === 'pruned' && 'stored' in p) rmSync(this.connectorCache(p.stored), { recursive: true, force: true });
    if (plan.some((p) => (p.step.deletedDocuments ?? 0) > 0)) this.worker.collectGarbage();
    return plan.map((p) => p.step);
  }

  /**
   * Replaces a connector's secret (a token that expired, was revoked, or was never given); the
   * next sync, on any node, uses it.
   */
  async setConnectorSecret(name: string, secret: string): Promise<ConnectorView> {
    const connector = await this.connector(name);
    checkSecret(connector.kind, secret);
    this.secrets.checkCanSeal();
    if (!(await this.store.setConnectorSecret(connector.id, this.secrets.seal(connector.id, secret))))
      throw new NotFoundError('Connector', name, { action: 'list_connectors' });
    return this.view(connector);
  }

  /** Seals `secret` for the id a connector is about to get. */
  private sealer(secret: string): (connectorId: number) => Uint8Array {
    return (connectorId) => this.secrets.seal(connectorId, secret);
  }

  /** The change that applies one planned reconcile step. */
  private connectorChange(p: PlannedStep, deleteDocuments: boolean, now: number): ConnectorChange {
    if (!('stored' in p)) {
      const { secret, ...wanted } = p.wanted;
      return {
        kind: 'add',
        connector: {
          ...wanted,
          nextRunAt: wanted.schedule && nextSlot(wanted.schedule, now),
          ...(secret !== undefined && { sealSecret: this.sealer(secret) }),
        },
      };
    }
    if (!('wanted' in p)) return { kind: 'remove', connector: p.stored, withDocuments: deleteDocuments };
    const { wanted, stored, step } = p;
    return {
      kind: 'update',
      connectorId: stored.id,
      ...(step.changes.includes('options') && { options: wanted.options }),
      ...(step.changes.includes('schedule') && {
        schedule: { schedule: wanted.schedule, nextRunAt: wanted.schedule && nextSlot(wanted.schedule, now) },
      }),
      ...(step.changes.includes('secret') && { sealedSecret: this.secrets.seal(stored.id, wanted.secret!) }),
    };
  }

  /** Every connector, secrets masked. */
  async listConnectors(): Promise<ConnectorView[]> {
    return Promise.all((await this.store.listConnectors()).map((c) => this.view(c)));
  }

  /** One connector, its secret masked. */
  async showConnector(name: string): Promise<ConnectorView> {
    return this.view(await this.connector(name));
  }

  /**
   * Removes a connector, its secret and its cache; with `deleteDocuments`, the documents it
   * brought go too (otherwise they stay in the library as they are).
   */
  async removeConnector(name: string, options: { deleteDocuments?: boolean } = {}): Promise<{ removed: string; deletedDocuments: number }> {
    const connector = await this.connector(name);
    const deletedDocuments = await this.store.removeConnector(connector, options.deleteDocuments === true);
    rmSync(this.connectorCache(connector), { recursive: true, force: true });
    if (deletedDocuments > 0) this.worker.collectGarbage();
    return { removed: name, deletedDocuments };
  }

  /**
   * Syncs a connector: what changed in its source since its last sync is ingested, what is gone is
   * deleted, and the new cursor is committed with the documents (see `ingest/sync-run.ts`). The
   * sync's steps run here one after the other: discover, fetch batches of SYNC_BATCH_ITEMS (`ingest/sync-batches.ts`),
   * apply; `sync_connector` runs the same steps as a workflow of child tasks (app/sync-workflow.ts).
   * How it ended is recorded on the connector either way.
   */
  async syncConnector(name: string, run: RunOptions = {}): Promise<IngestResult> {
    const steps = { ...run, task: run.task && { id: run.task.id } };
    const discovered = await this.discoverSync(name, steps);
    const { plan } = discovered;
    const merged = emptyResult(discovered);
    mergeResult(merged, discovered);
    for (const slice of syncBatches(plan.reads)) mergeResult(merged, await this.fetchSync(name, { runId: plan.runId, ...slice }, steps));
    return this.applySync(name, { runId: plan.runId, result: merged }, run);
  }

  /**
   * A sync's first step: lists what changed into the sync's plan, kept with the run of `run.task`
   * (or, without a task, the run whose id it returns in `plan`), and stages the items the connector
   * read as it listed them. `plan.reads` items are left for {@link fetchSync}.
   */
  async discoverSync(name: string, run: RunOptions = {}): Promise<IngestResult & { plan: NonNullable<IngestResult['plan']> }> {
    const result = await this.syncStep(name, { kind: 'sync-discover' }, null, run);
    return result as IngestResult & { plan: NonNullable<IngestResult['plan']> };
  }

  /** A sync's fetch batch: reads and stages the plan's items `from` … `to` - 1. `runId`: the discovery's, when it had no task. */
  async fetchSync(name: string, slice: { runId: number | null; from: number; to: number }, run: RunOptions = {}): Promise<IngestResult> {
    return this.syncStep(name, { kind: 'sync-fetch', from: slice.from, to: slice.to }, slice.runId, run);
  }

  /**
   * A sync's last step: publishes what its steps staged, with the plan's deletions, version markers
   * and cursor, in one transaction (with `run.task.complete`, the task's completion too). `result`:
   * the discovery's and the fetch batches' results, merged.
   */
  async applySync(name: string, staged: { runId: number | null; result: IngestResult }, run: RunOptions = {}): Promise<IngestResult> {
    // The parts' own "not listed" warnings were dropped as they were merged: the whole says it once.
    const result = { ...staged.result, warnings: [...staged.result.warnings] };
    if (result.unlisted > 0) result.warnings.push(unlistedWarning(result.unlisted));
    return this.syncStep(name, { kind: 'sync-apply', result }, staged.runId, run);
  }

  private async syncStep(
    name: string,
    step: { kind: 'sync-discover' } | Omit<SyncFetchJob, keyof SyncStepBase> | Omit<SyncApplyJob, keyof SyncStepBase>,
    runId: number | null,
    run: RunOptions,
  ): Promise<IngestResult> {
    const connector = await this.connector(name);
    try {
      return await this.runJob(
        {
          ...step,
          target: { library: connector.library, version: connector.version, tags: [] },
          connector: { id: connector.id, name: connector.name, kind: connector.kind, options: connector.options },
          env: {
            roots: await realRoots(this.allowedRoots),
            cacheDir: this.connectorCache(connector),
            secret: await this.secret(connector),
            maxItemBytes: this.maxFileBytes,
            fetchLimits: this.fetchLimits,
          },
          runId,
        },
        run,
      );
    } catch (err) {
      const outcome =
        err instanceof IngestCancelledError
          ? 'cancelled'
          : `failed: ${err instanceof KnowledgeBaseError ? err.problem : (err as Error).message}`;
      await this.store.recordSyncFailure(connector.id, outcome).catch(() => undefined);
      // The connector, in its worker, does not know its own name: the fix names it here.
      if (err instanceof CredentialsRejectedError && err.data?.connector === undefined)
        throw new CredentialsRejectedError(String(err.data?.source), String(err.data?.reason), connector.name);
      throw err;
    }
  }

  private async connector(name: string): Promise<ConnectorRecord> {
    if (typeof name !== 'string' || name === '') throw new InvalidInputError('connector', 'a connector name');
    const found = await this.store.findConnector(name);
    if (!found) throw new NotFoundError('Connector', name, { action: 'list_connectors' });
    return found;
  }

  /** The connector's token, opened; a SecretsKeyError when this node's key does not open it. */
  private async secret(c: ConnectorRecord): Promise<string | undefined> {
    const sealed = await this.store.connectorSecret(c.id);
    return sealed && this.secrets.open(c, sealed);
  }

  private async view(c: ConnectorRecord): Promise<ConnectorView> {
    const sealed = await this.store.connectorSecret(c.id);
    return connectorView(c, sealed ? this.secrets.shown(c, sealed) : null, await this.store.connectorItemCount(c.id));
  }

  /** The connector's own folder for clones and caches. */
  private connectorCache(c: ConnectorRecord): string {
    return join(this.dataDir, 'connectors', String(c.id));
  }

  /**
   * Hybrid search; BM25 only when no query vector can be made, noted with the first such search
   * unless `noteKeywordOnly` is false (a caller that tells it elsewhere, as the CLI's `status` does).
   */
  async search(request: SearchRequest, options: { noteKeywordOnly?: boolean } = {}): Promise<SearchResponse> {
    if (typeof request.query !== 'string' || request.query.trim() === '') throw new InvalidInputError('query', 'a non-empty string');
    if (request.query.length > 2000) throw new InvalidInputError('query', 'at most 2000 characters');
    if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 1 || request.limit > 100))
      throw new InvalidInputError('limit', 'an integer from 1 to 100');
    if (request.offset !== undefined && (!Number.isInteger(request.offset) || request.offset < 0 || request.offset > 1000))
      throw new InvalidInputError('offset', 'an integer from 0 to 1000');
    if (request.minRating !== undefined && !(request.minRating >= 1 && request.minRating <= 5))
      throw new InvalidInputError('minRating', 'a number from 1 to 5');
    const filtered = { ...request, ...(await this.knownLibrary(request)) };
    const query = await this.queryVector(request.query);
    // Why search is keyword-only stays true for every query until it changes: it is told with the
    // first search that meets it (and by status), not on every page of results of a session.
    const noteKeywordOnly = options.noteKeywordOnly !== false && query.vector === null && query.reason !== this.toldKeywordOnly;
    this.toldKeywordOnly = query.vector === null ? query.reason : undefined;
    const response = await hybridSearch(this.store, filtered, query, { noteKeywordOnly });
    this.observer?.searched(response.mode);
    return response;
  }

  /** Runs a job in the ingest worker, telling the observer what it published. */
  private async runJob(job: JobSpec, run: RunOptions): Promise<IngestResult> {
    const result = await this.worker.run(job, run);
    if (PUBLISHING_JOBS.has(job.kind)) this.observer?.indexed(result);
    return result;
  }

  /** Rates a document (or one of its chunks) 1–5; ratings feed ranking and the `minRating` filter. */
  async rate(documentId: number, rating: number, options: { chunkId?: number; comment?: string } = {}): Promise<number> {
    checkRating(rating);
    return this.store.addRating(documentId, rating, options);
  }

  /**
   * Deletes a document: it disappears from every read at once; its chunks, FTS entries and vectors
   * are removed in the background in bounded batches.
   */
  async deleteDocument(documentId: number): Promise<void> {
    const existed = await this.store.retireDocument(documentId);
    if (!existed) throw new NotFoundError('Document', documentId);
    this.worker.collectGarbage();
  }

  /**
   * Discards what interrupted work left staged: runs without a task whose process is gone (or
   * silent for long), and, when `taskIsLive` is given, runs of tasks it says are over or gone. A
   * live task's run is kept for the task's re-run to resume. Opening a knowledge base does the
   * first part by itself. Returns how many runs were discarded.
   */
  async discardAbandonedRuns(taskIsLive?: (taskId: string) => Promise<boolean>): Promise<number> {
    const ended: number[] = [];
    for (const run of taskIsLive ? await this.store.stagingRuns() : []) {
      if (run.taskId !== null && !(await taskIsLive!(run.taskId))) ended.push(run.id);
    }
    const stale = await this.store.discardAbandonedRuns(Date.now() - ABANDONED_RUN_MS);
    return stale + (await this.discardRuns(ended));
  }

  /** Discards the staged work of a task that ended (cancelled, failed, or completed without publishing). */
  async discardTaskRun(taskId: string): Promise<boolean> {
    const run = await this.store.stagingRunOfTask(taskId);
    return run !== undefined && (await this.discardRuns([run.id])) > 0;
  }

  private async discardRuns(runIds: readonly number[]): Promise<number> {
    let discarded = 0;
    for (const id of runIds) if (await this.store.discardRun(id)) discarded++;
    if (discarded > 0) this.worker.collectGarbage();
    return discarded;
  }

  /**
   * A page of stored documents (without text), optionally of one library and version, under a
   * source prefix, or with words in the title. An unknown library is NotFoundError, not an empty page.
   */
  async listDocuments(request: DocumentFilter & { limit?: number; offset?: number } = {}): Promise<{
    documents: DocumentSummary[];
    hasMore: boolean;
  }> {
    const limit = request.limit ?? 50;
    const offset = request.offset ?? 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new InvalidInputError('limit', 'an integer from 1 to 500');
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidInputError('offset', 'a non-negative integer');
    return this.store.listDocuments(
      {
        ...(await this.knownLibrary(request)),
        ...(request.source !== undefined && { source: request.source }),
        ...(request.title !== undefined && { title: request.title }),
      },
      limit,
      offset,
    );
  }

  /**
   * A document with a page of its text (reassembled from its chunks): `offset` and `nextOffset`
   * count characters, so a long document is read in pages of at most `maxChars` (default 20,000).
   * `links: true` adds the document's link targets (all of them, whatever the page).
   */
  async getDocument(id: number, page: { offset?: number; maxChars?: number; links?: boolean } = {}): Promise<DocumentPage> {
    const offset = page.offset ?? 0;
    const maxChars = page.maxChars ?? 20_000;
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidInputError('offset', 'a non-negative integer');
    if (!Number.isInteger(maxChars) || maxChars < 1 || maxChars > 1_000_000)
      throw new InvalidInputError('maxChars', 'an integer from 1 to 1000000');
    const summary = await this.store.getDocumentSummary(id);
    if (!summary) throw new NotFoundError('Document', id);
    const text = await this.store.documentText(id);
    const end = Math.min(text.length, offset + maxChars);
    return {
      ...summary,
      content: text.slice(offset, end),
      offset,
      totalChars: text.length,
      nextOffset: end < text.length ? end : null,
      ...(page.links && { links: await this.store.liveLinks(id) }),
    };
  }

  /**
   * A document and the chunks of its live version in order (at most `limit`, default 1,000): what
   * it was cut into for search, as the dashboard's document view shows it.
   */
  async documentChunks(id: number, limit = 1_000): Promise<{ document: DocumentSummary; chunks: StoredChunk[] }> {
    const document = await this.store.getDocumentSummary(id);
    const library = document && (await this.store.findListedLibrary(document.library, document.version));
    const live = document && library && (await this.store.findLiveDocument(library.id, document.source));
    if (!document || !live) throw new NotFoundError('Document', id);
    return { document, chunks: await this.store.versionChunks(id, live.liveVersion, 0, limit) };
  }

  /** Each library's counts: documents, chunks, and chunks still waiting for a vector. */
  async libraryStatus(): Promise<LibraryStatus[]> {
    return this.store.libraryStatus();
  }

  /** All libraries with their embedder binding. */
  async listLibraries(): Promise<LibraryRecord[]> {
    return this.store.listLibraries();
  }

  /** Libraries, counts, and whether semantic search is available. */
  async status(): Promise<KnowledgeBaseStatus> {
    const q = await this.queryVector('status probe');
    return {
      dataDir: this.dataDir,
      database: { kind: this.location.kind, location: describeLocation(this.location) },
      vectorSearch: this.store.vectorSearch,
      keywordIndex: this.store.keywordIndex,
      embedder: { id: this.queryEmbedder?.id ?? null, available: q.vector !== null, ...(q.vector === null ? { reason: q.reason } : {}) },
      chunking: chunkingLabel(chunkingPlan(this.queryEmbedder?.window() ?? null, this.chunkSizes)),
      libraries: await this.store.libraryStatus(),
    };
  }

  /** Waits for queued jobs, stops the worker, closes the database. */
  async close(): Promise<void> {
    await this.worker.close();
    await this.store.close();
  }

  /**
   * The library filter of a search or listing, `name@version` split; a library that does not
   * exist is NotFoundError, so a misspelt name says so rather than finding nothing.
   */
  private async knownLibrary(filter: { library?: string; version?: string }): Promise<{ library?: string; version?: string }> {
    const known = libraryFilter(filter);
    if (known.library !== undefined && !(await this.store.libraryExists(known.library, known.version)))
      throw new NotFoundError('Library', libraryLabel(known.library, known.version ?? ''), { action: 'list_libraries' });
    return known;
  }

  private async queryVector(query: string): Promise<QueryVector> {
    const embedder = this.queryEmbedder;
    if (!embedder) return { vector: null, reason: 'no embedder is configured' };
    // Retry a failed model at most once a minute rather than on every query.
    if (this.queryEmbedderFailure && Date.now() - this.queryEmbedderFailure.at < 60_000)
      return { vector: null, reason: this.queryEmbedderFailure.reason };
    try {
      await embedder.load();
      const [vector] = await embedder.embed([query]);
      this.queryEmbedderFailure = undefined;
      return { vector: vector!, embedder };
    } catch (err) {
      this.queryEmbedderFailure = { reason: (err as Error).message, at: Date.now() };
      return { vector: null, reason: this.queryEmbedderFailure.reason };
    }
  }
}

/** The embedder queries use on this thread, and what the ingest worker embeds with. */
function embeddersFor(
  option: EmbedderConfig | InProcessEmbedder,
  dataDir: string,
): { query: Embedder | null; worker: WorkerConfig['embedder']; relayTo?: Embedder } {
  if (isInProcessEmbedder(option)) {
    const application = new ApplicationEmbedder(option);
    return {
      query: application,
      worker: { kind: 'relayed', id: application.id, dims: application.dims, maxTokens: application.window().maxTokens },
      relayTo: application,
    };
  }
  if (option.kind !== 'local') return { query: createEmbedder(option), worker: option };
  const config = { ...option, cacheDir: option.cacheDir ?? join(dataDir, 'models') };
  // A query is one short text: a pool of sessions would only hold memory on this thread.
  return { query: createEmbedder({ ...config, workers: 1 }), worker: config };
}

/** The store change that applies one reconcile step: an unchanged connector's is an update of nothing. */
/** Where the key that seals connector tokens comes from (see `connectors/secrets.ts`). */
function secretsKeySource(secretsKey: string | undefined, location: StoreLocation, dataDir: string): SecretsKeySource {
  if (secretsKey !== undefined) {
    const key = parseSecretsKey(secretsKey);
    // The message never repeats the value: it may be the key, mistyped.
    if (!key) throw new InvalidInputError(SECRETS_KEY_VARIABLE, '32 bytes in base64 or hex, as openssl rand -base64 32 prints');
    return { kind: 'variable', key };
  }
  return location.kind === 'sqlite' ? { kind: 'file', path: secretsKeyPath(dataDir) } : { kind: 'none' };
}

/**
 * Seals the tokens of the data dir's secrets.json (earlier versions kept them there in plain
 * text) into the database, then deletes the file. A connector that already has a sealed token
 * keeps it (an import cut short after it committed runs again); one that is gone is skipped.
 */
async function importLegacySecrets(store: KnowledgeRepository, secrets: ConnectorSecrets, dataDir: string): Promise<void> {
  const path = legacySecretsPath(dataDir);
  const legacy = readLegacySecrets(path);
  if (!legacy) return;
  for (const [connectorId, secret] of legacy)
    if ((await store.connectorSecret(connectorId)) === undefined)
      await store.setConnectorSecret(connectorId, secrets.seal(connectorId, secret));
  unlinkSync(path);
}

function checkTarget(target: IngestTarget): { library: string; version: string; tags: string[] } {
  if (typeof target.library !== 'string' || target.library.trim() === '' || target.library.length > MAX_NAME)
    throw new InvalidInputError('library', `a non-empty name of at most ${MAX_NAME} characters`);
  if (target.version !== undefined && typeof target.version !== 'string') throw new InvalidInputError('version', 'a string');
  const ref = parseLibraryRef(target.library.trim(), target.version);
  const version = ref.version ?? '';
  if (version.length > MAX_NAME) throw new InvalidInputError('version', `a string of at most ${MAX_NAME} characters`);
  const tags = [...(target.tags ?? [])];
  if (!tags.every((t) => typeof t === 'string' && t.length > 0 && t.length <= 100))
    throw new InvalidInputError('tags', 'non-empty strings of at most 100 characters');
  return { library: ref.library, version, tags };
}

function keepAllPages(target: IngestTarget): boolean {
  if (target.keepAllPages !== undefined && typeof target.keepAllPages !== 'boolean')
    throw new InvalidInputError('keepAllPages', 'a boolean');
  return target.keepAllPages ?? false;
}

/** The library and version a search or listing filters on, `name@version` split (see library-ref.ts). */
function libraryFilter(filter: { library?: string; version?: string }): { library?: string; version?: string } {
  if (filter.library === undefined) return filter.version === undefined ? {} : { version: filter.version };
  const ref = parseLibraryRef(filter.library, filter.version);
  return { library: ref.library, ...(ref.version !== undefined && { version: ref.version }) };
}
