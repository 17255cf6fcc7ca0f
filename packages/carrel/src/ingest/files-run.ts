/**
 * A content, files or pack job: read → extract → chunk → embed in batches → stage. Chunks go to the
 * embedder in requests of `batchChunks` so an endpoint sees few, full requests; a folder's
 * documents are staged in groups of a few such requests, one staging while the next is prepared.
 * The cancel flag is checked between requests and between groups. Text and markdown files above
 * `streamThresholdBytes` are streamed instead (stream-file.ts). A pack's documents are staged like a
 * folder's, with the pack's own chunk vectors when they were made by this library's embedder and
 * chunking plan, and the pack itself is staged last so that its publish records it.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { FetchedItem } from '../connectors/connector.js';
import { ContentTooLargeError, IngestCancelledError, KnowledgeBaseError } from '../errors.js';
import type { Chunk, ChunkerOptions } from './chunker.js';
import { chunkMarkdown } from './chunker.js';
import type { Link } from '../sources/html-to-markdown.js';
import { openAllowedFile } from '../sources/file-source.js';
import type { MediaType } from '../sources/media-type.js';
import { mediaTypeOfPath } from '../sources/media-type.js';
import type { DocumentHeader, DocumentKind, ExistingStage, StagedDocument, StageStatus, StoredPageKind } from '../store/repository.js';
import { chunkingLabel, chunkingPlan } from './chunking.js';
import { EmbeddingSession, embeddingText } from './embedding-session.js';
import type { ContentJob, FilesJob, IngestResult, PackJob, Target } from './jobs.js';
import { libraryLabel } from '../fix.js';
import { trimTrailing } from '../trim-trailing.js';
import type { RunContext } from './pipeline.js';
import { convertPage, type ConvertedPage } from './page-conversion.js';
import { CONVERTED_ON_THREAD, convertsOnThread, PageConverter } from './page-converter.js';
import { isSourceTwin, SKIPPED_KINDS } from './page-kind.js';
import { hashFile } from './read-lines.js';
import { chunkWrites, streamFile } from './stream-file.js';
import { emptyResult, recordOutcome, unlistedWarning } from './result.js';

interface Prepared {
  header: DocumentHeader;
  chunks: Chunk[];
  status: 'created' | 'updated';
  baseVersion: number;
  links: Link[] | undefined;
  /** Vectors that came with the content (a pack's), instead of embedding its chunks. */
  vectors?: Int8Array[];
}

const encoder = new TextEncoder();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/**
 * Embedding requests per staging transaction in a files job. Requests keep the configured
 * `batchChunks`, but a commit groups several: each commit flushes an FTS5 segment that later
 * merges cost again, and on the bench 1,024-chunk commits (4 × the default 256) ingest ~20% faster
 * than 256-chunk ones. Progress (reported on commit) and a cancel's reach grow by the same factor.
 */
const COMMIT_GROUP = 4;

/**
 * Files a files job reads ahead of the one being chunked, and the bytes they may hold (a large
 * file is still read, alone); with a converter thread, their conversions are already running, so
 * the thread has the next pages while this one embeds and stages a batch.
 */
const READ_AHEAD = { files: 16, bytes: 16 * 1024 * 1024 };

/** A file of a files job, read before its turn (or what stopped it), with its conversion under way on the thread, if any. */
type ReadFile = { path: string } & (
  | { failed: unknown }
  | { twin: true }
  | { streamed: true }
  | { bytes: Uint8Array; mediaType: MediaType; converting: Promise<ConvertedPage> | undefined }
);

/** One content or files job: the batch being gathered, the running result. */
export class FilesRun {
  private dims: number | null = null;
  /** How documents are chunked: set once the embedder is loaded (its tokenizer counts). */
  private plan: ChunkerOptions | undefined;
  private batch: Prepared[] = [];
  private batchChunks = 0;
  private readonly result: IngestResult;
  private readonly session: EmbeddingSession;
  /** The batch being staged, if any: at most one stages while the next is prepared. */
  private inFlight: Promise<void> = Promise.resolve();
  private writeError: unknown;
  /** Whether pages are classified (see page-kind.ts); off with the job's `keepAllPages`. */
  private classify = true;
  /** The files of a files job, to tell a source twin by its built page. */
  private jobPaths: ReadonlySet<string> = new Set();

  constructor(
    private readonly c: RunContext,
    private readonly target: Target,
  ) {
    this.result = emptyResult(target);
    this.session = new EmbeddingSession(c.embedder, c.library, (embedder, dims) => c.store.setRunBinding(c.run.id, embedder, dims, false));
  }

  async run(job: ContentJob | FilesJob | PackJob): Promise<IngestResult> {
    // A pack holds what its author chose to ship: none of it is skipped for its kind.
    await this.open(job.kind === 'pack' || job.keepAllPages);
    if (job.kind === 'files') this.jobPaths = new Set(job.paths);
    try {
      if (job.kind === 'content') await this.content(job);
      else if (job.kind === 'files') await this.files(job);
      else await this.pack(job);
    } finally {
      // Batches already sent always finish staging before the job ends either way.
      await this.inFlight;
    }
    return this.finish();
  }

  /** Readies the run for documents: the embedder's dimension, the chunking plan, whether pages are classified. */
  async open(keepAllPages: boolean): Promise<void> {
    this.dims = await this.session.dimsFor(this.c.library, this.c.control.signal);
    await this.choosePlan();
    this.classify = !keepAllPages;
  }

  /**
   * One item fetched by a connector: staged with the next batch (a full batch is staged now,
   * `onStaged` called once it is). An item that cannot be read as a document is counted as
   * failed, not fatal; returns whether it was taken (staged, unchanged or skipped for its kind).
   */
  async offer(source: string, kind: DocumentKind, item: FetchedItem, onStaged: () => void): Promise<boolean> {
    try {
      if (item.bytes.length > this.c.settings.maxFileBytes) throw new ContentTooLargeError(source, this.c.settings.maxFileBytes);
      const prepared = await this.prepare(source, kind, item.bytes, item.mediaType, undefined, this.target.tags, item.title);
      if (prepared) this.add(prepared);
    } catch (err) {
      this.recordFailure(source, err, false);
      return false;
    }
    await this.stageIfFull(onStaged);
    return true;
  }

  /** Stages what is gathered, waits for every write, and returns the result. */
  async finish(): Promise<IngestResult> {
    try {
      await this.flush();
    } finally {
      await this.inFlight;
    }
    if (this.writeError !== undefined) throw this.writeError;
    this.result.warnings.push(...this.session.warnings);
    if (this.result.unlisted > 0) this.result.warnings.push(unlistedWarning(this.result.unlisted));
    return this.result;
  }

  /**
   * The plan for the embedder's window, recorded for a library that has none yet. A library cut
   * under another plan keeps it until a reindex rechunks it (its chunks are still searchable), and
   * the job says so; its new documents follow the current plan.
   */
  private async choosePlan(): Promise<void> {
    this.plan = chunkingPlan(this.c.embedder?.window() ?? null, this.c.settings.chunker);
    const label = chunkingLabel(this.plan);
    const { chunking, name, version } = this.c.library;
    if (chunking === null) await this.c.store.setRunChunking(this.c.run.id, label);
    else if (chunking !== label)
      this.result.warnings.push({
        message: `Library ${libraryLabel(name, version)} was chunked for ${chunking}, the embedder now takes ${label}: new documents follow it, reindexing rechunks the rest`,
        fix: { action: 'reindex', library: name, version },
      });
  }

  private async content(job: ContentJob): Promise<void> {
    if (job.bytes.length > this.c.settings.maxFileBytes) throw new ContentTooLargeError(job.source, this.c.settings.maxFileBytes);
    const prepared = await this.prepare(job.source, job.sourceKind, job.bytes, job.mediaType, job.title);
    if (prepared) {
      this.add(prepared);
      await this.flush(() => this.c.control.progress(this.result.chunks, this.result.chunks, `staged ${this.result.chunks} chunks`));
    }
  }

  private async files(job: FilesJob): Promise<void> {
    const converter = convertsOnThread(job.paths, this.c.settings.converterThreadPages) ? new PageConverter() : undefined;
    try {
      const ahead: ReadFile[] = [];
      let read = 0;
      for (let done = 0; done < job.paths.length;) {
        while (read < job.paths.length && ahead.length < READ_AHEAD.files && (ahead.length === 0 || heldBytes(ahead) < READ_AHEAD.bytes))
          ahead.push(await this.readFile(job.paths[read++]!, job.roots, converter));
        const file = ahead.shift()!;
        try {
          await this.file(file, job.roots);
        } catch (err) {
          this.recordFailure(file.path, err, job.failFast);
        }
        const handled = ++done;
        await this.stageIfFull(() => this.c.control.progress(handled, job.paths.length, basename(file.path)));
      }
      await this.flush();
      await this.drain();
    } finally {
      await converter?.close();
    }
    this.c.control.progress(job.paths.length, job.paths.length, 'staged');
  }

  private async pack(job: PackJob): Promise<void> {
    this.result.pack = job.pack;
    const useVectors = this.packVectorsFit(job.embedding);
    if (useVectors) this.result.precomputedVectors = 0;
    let done = 0;
    for (const doc of job.documents) {
      const tags = [...new Set([...this.target.tags, ...doc.tags])];
      const kind = /^https?:\/\//i.test(doc.source) ? 'url' : 'raw';
      const prepared = await this.prepare(doc.source, kind, encoder.encode(doc.content), doc.format, doc.title, tags);
      // Vectors are only as good as the chunks they were made for: a count that differs means other chunks.
      if (prepared && useVectors && doc.vectors?.length === prepared.chunks.length) prepared.vectors = doc.vectors;
      if (prepared) this.add(prepared);
      const handled = ++done;
      await this.stageIfFull(() => this.c.control.progress(handled, job.documents.length, doc.title));
    }
    await this.flush();
    await this.drain();
    const sources = job.documents.map((d) => d.source);
    const kept = new Set(sources);
    this.result.removed = (await this.c.store.packSources(this.c.library.id, job.pack.name)).filter((s) => !kept.has(s)).length;
    await this.c.store.stagePack(this.c.run.id, { ...job.pack, sources });
    this.c.control.progress(done, job.documents.length, 'staged');
  }

  /** Whether a pack's vectors were made as this run would make them (same model, dimension and chunking); says why not. */
  private packVectorsFit(embedding: PackJob['embedding']): boolean {
    if (embedding === null) return false;
    const here = this.c.embedder;
    const plan = chunkingLabel(this.plan!);
    if (this.dims !== null && here?.id === embedding.model && this.dims === embedding.dims && plan === embedding.chunking) return true;
    this.result.warnings.push({
      message: `The pack's vectors (${embedding.model}, ${embedding.dims} dims, ${embedding.chunking}) do not match this library's embedder (${this.dims === null ? 'none' : `${here?.id}, ${this.dims} dims`}, ${plan}): its documents were embedded here instead`,
    });
    return false;
  }

  /**
   * Reads one file ahead of its turn, opened so that what is read is what was allowed (see
   * openAllowedFile), and starts its conversion on the thread unless its content is staged or live
   * already. A failure is kept for its turn, so outcomes are recorded in the job's order.
   */
  private async readFile(path: string, roots: readonly string[], converter: PageConverter | undefined): Promise<ReadFile> {
    const mediaType = mediaTypeOfPath(path);
    if (this.classify && isSourceTwin(path, mediaType, (p) => this.jobPaths.has(p))) return { path, twin: true };
    try {
      const { fd, size } = openAllowedFile(path, roots);
      try {
        if (size > this.c.settings.maxFileBytes) throw new ContentTooLargeError(path, this.c.settings.maxFileBytes);
        if (size > this.c.settings.streamThresholdBytes && (mediaType === 'markdown' || mediaType === 'text'))
          return { path, streamed: true };
        // Synchronous reads on purpose: this thread does nothing else, and a thread-pool round trip
        // per small file costs more than the read itself when thousands of files are queued.
        const bytes = readFileSync(fd);
        let converting: Promise<ConvertedPage> | undefined;
        if (
          converter &&
          CONVERTED_ON_THREAD.has(mediaType) &&
          (await this.priorState(path, sha256(bytes), (await this.c.store.findLiveDocument(this.c.library.id, path))?.contentHash)) ===
            undefined
        ) {
          converting = converter.convert({ bytes, mediaType, source: path, address: path, classify: this.classify });
          // Awaited in its turn; a job that stops before then must not leave it an unhandled rejection.
          converting.catch(() => undefined);
        }
        return { path, bytes, mediaType, converting };
      } finally {
        closeSync(fd);
      }
    } catch (failed) {
      return { path, failed };
    }
  }

  /** One file in its turn: staged with the next batch, or streamed, or recorded as skipped. */
  private async file(file: ReadFile, roots: readonly string[]): Promise<void> {
    if ('failed' in file) throw file.failed;
    if ('twin' in file) {
      recordOutcome(this.result, { source: file.path, status: 'skipped', pageKind: 'source-twin' });
      return;
    }
    if ('streamed' in file) {
      await this.flush();
      await this.drain();
      const { fd, size } = openAllowedFile(file.path, roots);
      try {
        return await this.streamFile(file.path, fd, size);
      } finally {
        closeSync(fd);
      }
    }
    const prepared = await this.prepare(
      file.path,
      'file',
      file.bytes,
      file.mediaType,
      undefined,
      this.target.tags,
      undefined,
      file.converting,
    );
    if (prepared) this.add(prepared);
  }

  /**
   * Hashes and converts (or awaits the conversion `converting`, started ahead on the thread);
   * returns undefined when nothing is to be staged: the live version has the same content
   * ("unchanged"), or this run (resumed after a crash) already staged it.
   */
  private async prepare(
    source: string,
    kind: DocumentKind,
    bytes: Uint8Array,
    mediaType: MediaType,
    title: string | undefined,
    tags: readonly string[] = this.target.tags,
    fallbackTitle?: string,
    converting?: Promise<ConvertedPage>,
  ): Promise<Prepared | undefined> {
    const contentHash = sha256(bytes);
    const live = await this.c.store.findLiveDocument(this.c.library.id, source);
    if (await this.alreadyDone(source, contentHash, live?.contentHash)) return undefined;
    const extracted = await (converting ??
      convertPage({ bytes, mediaType, source, address: kind === 'raw' ? undefined : source, classify: this.classify }));
    if (extracted.pageKind !== 'content' && SKIPPED_KINDS.has(extracted.pageKind)) {
      recordOutcome(this.result, { source, status: 'skipped', pageKind: extracted.pageKind });
      return undefined;
    }
    const pageKind: StoredPageKind = extracted.pageKind === 'toc' ? 'toc' : 'content';
    const { chunks, title: heading } = chunkMarkdown(extracted.markdown, this.plan);
    const header: DocumentHeader = {
      libraryId: this.c.library.id,
      source,
      kind,
      title: title ?? extracted.title ?? heading ?? fallbackTitle ?? defaultTitle(source),
      contentHash,
      bytes: bytes.length,
      tags,
      pageKind,
    };
    return { header, chunks, status: live ? 'updated' : 'created', baseVersion: live?.liveVersion ?? 0, links: extracted.links };
  }

  /** Records the outcome and returns true when the content is live already or staged by this run. */
  private async alreadyDone(source: string, contentHash: string, liveHash: string | undefined): Promise<boolean> {
    const prior = await this.priorState(source, contentHash, liveHash);
    if (prior === 'unchanged') recordOutcome(this.result, { source, status: 'unchanged' });
    else if (prior) {
      this.result.resumed++;
      this.count(prior.chunksWithoutVectors, prior.chunkCount);
      recordOutcome(this.result, { source, status: prior.status, documentId: prior.documentId, chunks: prior.chunkCount });
    }
    return prior !== undefined;
  }

  /** This run's complete stage of the content (resumed after a crash), `unchanged` when the live version has it, else undefined. */
  private async priorState(
    source: string,
    contentHash: string,
    liveHash: string | undefined,
  ): Promise<(ExistingStage & { status: Exclude<StageStatus, 'copy'> }) | 'unchanged' | undefined> {
    const staged = await this.c.store.findStage(this.c.run.id, this.c.library.id, source);
    if (staged?.complete && staged.contentHash === contentHash && staged.status !== 'copy') return { ...staged, status: staged.status };
    return liveHash === contentHash ? 'unchanged' : undefined;
  }

  /** A file's or item's own failure is recorded and the job goes on; a cancel, a bug or a fail-fast job stops it. */
  private recordFailure(source: string, err: unknown, failFast: boolean): void {
    if (failFast || !(err instanceof KnowledgeBaseError) || err instanceof IngestCancelledError) throw err;
    recordOutcome(this.result, { source, status: 'failed', error: err.problem, ...(err.fix && { fix: err.fix }) });
  }

  /**
   * Stages the gathered batch once it holds a commit group's chunks. Progress is reported when the
   * batch is staged (`onStaged`), so `current` counts documents whose fate is durable.
   */
  private async stageIfFull(onStaged: () => void): Promise<void> {
    if (this.batchChunks >= this.c.settings.batchChunks * COMMIT_GROUP) await this.flush(onStaged);
  }

  private add(prepared: Prepared): void {
    this.batch.push(prepared);
    this.batchChunks += prepared.chunks.length;
  }

  /**
   * Embeds the gathered documents (in requests of `batchChunks`) and sends them to be staged in one
   * transaction; waits for the previous batch (so at most two are in flight), then checks for a cancel.
   */
  private async flush(onStaged?: () => void): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchChunks = 0;
    const embedded = await this.embed(batch.flatMap((p) => (p.vectors ? [] : p.chunks)));
    let i = 0;
    const docs: StagedDocument[] = batch.map((p) => ({
      header: p.header,
      status: p.status,
      baseVersion: p.baseVersion,
      chunks: chunkWrites(p.chunks, p.vectors ?? embedded.slice(i, (i += p.chunks.length))),
      ...(p.links && { links: p.links }),
    }));
    const precomputed = batch.reduce((n, p) => n + (p.vectors?.length ?? 0), 0);
    const staged = this.c.store.stageDocuments(this.c.run.id, this.dims, docs).then(
      (written) => {
        written.forEach(({ documentId, chunkCount }, j) => {
          this.count(docs[j]!.chunks.filter((c) => c.vector === null).length, chunkCount);
          const { source, pageKind } = docs[j]!.header;
          recordOutcome(this.result, {
            source,
            status: batch[j]!.status,
            documentId,
            chunks: chunkCount,
            ...(pageKind !== 'content' && { pageKind }),
          });
        });
        if (precomputed > 0) this.result.precomputedVectors! += precomputed;
        onStaged?.();
      },
      (err: unknown) => {
        this.writeError ??= err;
      },
    );
    const previous = this.inFlight;
    this.inFlight = staged;
    await previous;
    if (this.writeError !== undefined) throw this.writeError;
    if (this.c.control.cancelled()) throw new IngestCancelledError();
  }

  /** Embeds chunks in requests of `batchChunks`, checking for a cancel between requests. */
  private async embed(chunks: readonly Chunk[]): Promise<(Int8Array | null)[]> {
    const texts = chunks.map((c) => embeddingText(c.heading, c.text));
    const vectors: (Int8Array | null)[] = [];
    for (let from = 0; from < texts.length; from += this.c.settings.batchChunks) {
      if (from > 0 && this.c.control.cancelled()) throw new IngestCancelledError();
      vectors.push(...(await this.session.embed(texts.slice(from, from + this.c.settings.batchChunks), this.c.control.signal)));
    }
    return vectors;
  }

  /** Waits until every batch sent has been staged; rethrows a failed write. */
  private async drain(): Promise<void> {
    await this.inFlight;
    if (this.writeError !== undefined) throw this.writeError;
  }

  /** One large text file, streamed (stream-file.ts). */
  private async streamFile(path: string, fd: number, size: number): Promise<void> {
    const contentHash = await hashFile(fd);
    const live = await this.c.store.findLiveDocument(this.c.library.id, path);
    if (await this.alreadyDone(path, contentHash, live?.contentHash)) return;
    const header: DocumentHeader = {
      libraryId: this.c.library.id,
      source: path,
      kind: 'file',
      title: defaultTitle(path),
      contentHash,
      bytes: size,
      tags: this.target.tags,
      pageKind: 'content',
    };
    const status = live ? 'updated' : 'created';
    const streamed = await streamFile(
      { context: this.c, plan: this.plan, dims: this.dims, embed: (chunks) => this.embed(chunks) },
      { fd, size, header, status, baseVersion: live?.liveVersion ?? 0 },
    );
    this.count(streamed.chunksWithoutVectors, streamed.chunks);
    recordOutcome(this.result, { source: path, status, documentId: streamed.documentId, chunks: streamed.chunks });
  }

  private count(without: number, chunks: number): void {
    this.result.chunks += chunks;
    this.result.chunksWithoutVectors += without;
  }
}

/** Bytes the files read ahead hold. */
function heldBytes(files: readonly ReadFile[]): number {
  let bytes = 0;
  for (const file of files) if ('bytes' in file) bytes += file.bytes.length;
  return bytes;
}

/** A title from the source's last path segment, without query, fragment or extension. */
function defaultTitle(source: string): string {
  const name = basename(trimTrailing(source.split(/[?#]/, 1)[0]!, '/'));
  return name.slice(0, name.length - extname(name).length) || source;
}
