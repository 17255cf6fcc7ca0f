/**
 * The ingest pipeline, run inside the ingest worker: read → extract → chunk → embed in batches →
 * write whole documents in one transaction per batch. Chunks go to the embedder in requests of
 * `batchChunks` so an endpoint sees few, full requests; a directory's documents commit in batches
 * of a few such requests. The cancel flag is checked between requests and between batches, so a
 * cancel stops within one batch and only whole documents are kept.
 * Text and markdown files above `streamThresholdBytes` are streamed through the chunker into one
 * open transaction instead, keeping memory bounded.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Embedder } from '../embedders/embedder.js';
import {
  ContentTooLargeError,
  EmbedderUnavailableError,
  IngestCancelledError,
  KnowledgeBaseError,
  NotFoundError,
  UnsupportedContentError,
} from '../errors.js';
import type { Chunk, ChunkerOptions } from './chunker.js';
import { chunkMarkdown, MarkdownChunker } from './chunker.js';
import { extract } from '../sources/extract.js';
import type { MediaType } from '../sources/media-type.js';
import { looksBinary, mediaTypeOfPath } from '../sources/media-type.js';
import type { DocumentHeader, DocumentKind, DocumentWrite } from '../store/documents.js';
import {
  clearLibraryVectors,
  DocumentWriter,
  findDocumentHash,
  pendingChunks,
  storeChunkVectors,
  writeDocuments,
} from '../store/documents.js';
import type { LibraryRecord } from '../store/libraries.js';
import { bindLibraryEmbedder, ensureLibrary, findLibrary } from '../store/libraries.js';
import { EmbeddingSession, embeddingText } from './embedding-session.js';
import type { ContentJob, DocumentOutcome, FilesJob, IngestJob, IngestResult, ReindexJob, Target } from './jobs.js';
import { hashFile, readLines } from './read-lines.js';

/** Pipeline settings (from the KnowledgeBase options). */
export interface PipelineSettings {
  chunker: Partial<ChunkerOptions>;
  maxFileBytes: number;
  streamThresholdBytes: number;
  batchChunks: number;
}

/** How the pipeline reports back and learns of a cancel. */
export interface JobControl {
  cancelled(): boolean;
  progress(current: number, total: number, message: string): void;
  signal: AbortSignal;
}

interface Prepared {
  header: DocumentHeader;
  chunks: Chunk[];
  status: 'created' | 'updated';
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MAX_LISTED_OUTCOMES = 1000;
/**
 * Embedding requests per commit in a files job. Requests keep the configured `batchChunks`, but a
 * commit groups several: each commit flushes an FTS5 segment that later merges cost again, and on
 * the bench 1,024-chunk commits (4 × the default 256) ingest ~20% faster than 256-chunk ones.
 * Progress (reported on commit) and a cancel's reach grow by the same factor.
 */
const COMMIT_GROUP = 4;

/** See module comment. */
export class IngestPipeline {
  /**
   * `write` commits a batch of whole documents; by default on this thread's connection. The ingest
   * worker passes its writer thread's, so the next batch is prepared while this one commits.
   */
  constructor(
    private readonly db: Database,
    private readonly embedder: Embedder | null,
    private readonly settings: PipelineSettings,
    private readonly write: BatchWrite = async (dims, docs) => writeDocuments(db, dims, docs),
  ) {}

  /** Runs one job to completion, or throws (IngestCancelledError on cancel). */
  async run(job: IngestJob, control: JobControl): Promise<IngestResult> {
    if (control.cancelled()) throw new IngestCancelledError();
    if (job.kind === 'reindex') return this.reindex(job, control);
    const run = new JobRun(this.db, new EmbeddingSession(this.db, this.embedder), this.settings, control, job.target, this.write);
    try {
      if (job.kind === 'content') await run.content(job);
      else await run.files(job);
    } finally {
      // Batches already sent always finish committing: a cancel or an error keeps whole documents.
      await run.drain();
    }
    return run.finish();
  }

  private async reindex(job: ReindexJob, control: JobControl): Promise<IngestResult> {
    const library = findLibrary(this.db, job.library, job.version);
    if (!library) throw new NotFoundError('Library', job.version ? `${job.library}@${job.version}` : job.library);
    const embedder = this.embedder;
    if (!embedder) throw new EmbedderUnavailableError('none', 'no embedder is configured, so there is nothing to reindex with');
    await embedder.load();
    const dims = embedder.dims!;
    const result = emptyResult(job);
    if (library.embedder !== embedder.id || library.dims !== dims) {
      if (library.embedder !== null)
        result.warnings.push(`Switched from ${library.embedder} (${library.dims} dims) to ${embedder.id} (${dims} dims)`);
      clearLibraryVectors(this.db, library.id);
      bindLibraryEmbedder(this.db, library.id, embedder.id, dims);
    }
    const total = this.db
      .prepare<[number], { n: number }>(
        'SELECT count(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.library_id = ? AND c.embedded = 0',
      )
      .get(library.id)!.n;
    const session = new EmbeddingSession(this.db, embedder);
    await session.dimsFor({ ...library, embedder: embedder.id, dims });
    let after = 0;
    for (;;) {
      if (control.cancelled()) throw new IngestCancelledError();
      const batch = pendingChunks(this.db, library.id, after, this.settings.batchChunks);
      if (batch.length === 0) break;
      const vectors = await session.embed(
        batch.map((c) => embeddingText(c.heading, c.text)),
        control.signal,
      );
      if (vectors.some((v) => v === null)) throw new EmbedderUnavailableError(embedder.id, session.warnings.join(' '));
      storeChunkVectors(
        this.db,
        library.id,
        dims,
        batch.map((c, i) => ({ chunkId: c.id, vector: vectors[i]! })),
      );
      after = batch[batch.length - 1]!.id;
      result.chunks += batch.length;
      control.progress(result.chunks, total, `embedded ${result.chunks}/${total} chunks`);
    }
    return result;
  }
}

function emptyResult(target: { library: string; version: string }): IngestResult {
  return {
    library: target.library,
    version: target.version,
    created: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    chunks: 0,
    chunksWithoutVectors: 0,
    documents: [],
    warnings: [],
  };
}

/** Commits whole documents in one transaction, resolving with each one's id and chunk count. */
export type BatchWrite = (dims: number | null, docs: DocumentWrite[]) => Promise<{ documentId: number; chunkCount: number }[]>;

/** State of one content/files job: the library, the batch being gathered, the running result. */
class JobRun {
  private library: LibraryRecord;
  private dims: number | null = null;
  private batch: Prepared[] = [];
  private batchChunks = 0;
  private readonly result: IngestResult;
  /** The batch being committed, if any: at most one commits while the next is prepared. */
  private inFlight: Promise<void> = Promise.resolve();
  private writeError: unknown;

  constructor(
    private readonly db: Database,
    private readonly session: EmbeddingSession,
    private readonly settings: PipelineSettings,
    private readonly control: JobControl,
    private readonly target: Target,
    private readonly write: BatchWrite,
  ) {
    this.library = ensureLibrary(db, target.library, target.version);
    this.result = emptyResult(target);
  }

  async content(job: ContentJob): Promise<void> {
    this.dims = await this.session.dimsFor(this.library);
    if (job.bytes.length > this.settings.maxFileBytes) throw new ContentTooLargeError(job.source, this.settings.maxFileBytes);
    const prepared = await this.prepare(job.source, job.sourceKind, job.bytes, job.mediaType, job.title);
    if (prepared) {
      this.add(prepared);
      await this.flush(() => this.control.progress(this.result.chunks, this.result.chunks, `wrote ${this.result.chunks} chunks`));
    }
  }

  async files(job: FilesJob): Promise<void> {
    this.dims = await this.session.dimsFor(this.library);
    let done = 0;
    for (const path of job.paths) {
      try {
        await this.file(path);
      } catch (err) {
        if (job.failFast || !(err instanceof KnowledgeBaseError) || err instanceof IngestCancelledError) throw err;
        this.outcome({ source: path, status: 'failed', error: err.message });
      }
      done++;
      // Progress is reported when the batch commits, so `current` counts files whose fate is durable.
      if (this.batchChunks >= this.settings.batchChunks * COMMIT_GROUP) {
        const handled = done;
        await this.flush(() => this.control.progress(handled, job.paths.length, basename(path)));
      }
    }
    await this.flush();
    await this.drain();
    this.control.progress(done, job.paths.length, 'done');
  }

  finish(): IngestResult {
    this.result.warnings.push(...this.session.warnings);
    return this.result;
  }

  private async file(path: string): Promise<void> {
    const mediaType = mediaTypeOfPath(path);
    // Synchronous reads on purpose: this thread does nothing else, and a thread-pool round trip per
    // small file costs more than the read itself when thousands of files are queued.
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      throw new NotFoundError('File', path);
    }
    if (size > this.settings.maxFileBytes) throw new ContentTooLargeError(path, this.settings.maxFileBytes);
    if (size > this.settings.streamThresholdBytes && (mediaType === 'markdown' || mediaType === 'text')) {
      await this.flush();
      await this.drain(); // the writer thread must release the write lock before this file's transaction
      return this.streamFile(path, size);
    }
    const bytes = readFileSync(path);
    const prepared = await this.prepare(path, 'file', bytes, mediaType, undefined);
    if (prepared) this.add(prepared);
  }

  /** Hashes and extracts; returns undefined (and records "unchanged") when the stored hash matches. */
  private async prepare(
    source: string,
    kind: DocumentKind,
    bytes: Uint8Array,
    mediaType: MediaType,
    title: string | undefined,
  ): Promise<Prepared | undefined> {
    const contentHash = sha256(bytes);
    const stored = findDocumentHash(this.db, this.library.id, source);
    if (stored === contentHash) {
      this.outcome({ source, status: 'unchanged' });
      return undefined;
    }
    const extracted = await extract(bytes, mediaType, source);
    const { chunks, title: heading } = chunkMarkdown(extracted.markdown, this.settings.chunker);
    const header: DocumentHeader = {
      libraryId: this.library.id,
      source,
      kind,
      title: title ?? extracted.title ?? heading ?? defaultTitle(source),
      contentHash,
      bytes: bytes.length,
      tags: this.target.tags,
    };
    return { header, chunks, status: stored === undefined ? 'created' : 'updated' };
  }

  private add(prepared: Prepared): void {
    this.batch.push(prepared);
    this.batchChunks += prepared.chunks.length;
  }

  /**
   * Embeds the gathered documents (in requests of `batchChunks`) and sends them to be committed in one transaction;
   * waits for the previous batch's commit (so at most two are in flight), then checks for a cancel.
   */
  private async flush(onCommitted?: () => void): Promise<void> {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchChunks = 0;
    const texts = batch.flatMap((p) => p.chunks.map((c) => embeddingText(c.heading, c.text)));
    const vectors: (Int8Array | null)[] = [];
    for (let from = 0; from < texts.length; from += this.settings.batchChunks) {
      if (from > 0 && this.control.cancelled()) throw new IngestCancelledError();
      vectors.push(...(await this.session.embed(texts.slice(from, from + this.settings.batchChunks), this.control.signal)));
    }
    let i = 0;
    const docs = batch.map((p) => ({
      header: p.header,
      chunks: p.chunks.map((c) => ({ heading: c.heading, text: c.text, overlap: c.overlap, vector: vectors[i++] ?? null })),
    }));
    const committed = this.write(this.dims, docs).then(
      (written) => {
        written.forEach(({ documentId, chunkCount }, j) => {
          this.count(docs[j]!.chunks.filter((c) => c.vector === null).length, chunkCount);
          this.outcome({ source: docs[j]!.header.source, status: batch[j]!.status, documentId, chunks: chunkCount });
        });
        onCommitted?.();
      },
      (err: unknown) => {
        this.writeError ??= err;
      },
    );
    const previous = this.inFlight;
    this.inFlight = committed;
    await previous;
    if (this.writeError !== undefined) throw this.writeError;
    if (this.control.cancelled()) throw new IngestCancelledError();
  }

  /** Waits until every batch sent has committed; rethrows a failed commit. */
  async drain(): Promise<void> {
    await this.inFlight;
    if (this.writeError !== undefined) throw this.writeError;
  }

  /** One large text file: two streamed passes (hash, then chunk+embed+write) in one transaction. */
  private async streamFile(path: string, size: number): Promise<void> {
    const contentHash = await hashFile(path);
    const stored = findDocumentHash(this.db, this.library.id, path);
    if (stored === contentHash) return this.outcome({ source: path, status: 'unchanged' });
    const head = await readHead(path);
    if (looksBinary(head)) throw new UnsupportedContentError(path, 'it is binary (contains NUL bytes), not text, markdown, HTML or PDF');
    const chunker = new MarkdownChunker(this.settings.chunker);
    const header: DocumentHeader = {
      libraryId: this.library.id,
      source: path,
      kind: 'file',
      title: defaultTitle(path),
      contentHash,
      bytes: size,
      tags: this.target.tags,
    };
    const writer = new DocumentWriter(this.db, header, this.dims).begin();
    let without = 0;
    let pending: Chunk[] = [];
    const write = async () => {
      const vectors = await this.session.embed(
        pending.map((c) => embeddingText(c.heading, c.text)),
        this.control.signal,
      );
      writer.append(pending.map((c, i) => ({ heading: c.heading, text: c.text, overlap: c.overlap, vector: vectors[i] ?? null })));
      without += vectors.filter((v) => v === null).length;
      pending = [];
      if (this.control.cancelled()) throw new IngestCancelledError();
    };
    try {
      let bytesRead = 0;
      for await (const line of readLines(path)) {
        chunker.push(line);
        bytesRead += line.length + 1;
        const ready = chunker.take();
        if (ready.length > 0) pending.push(...ready);
        if (pending.length >= this.settings.batchChunks) {
          await write();
          this.control.progress(Math.min(bytesRead, size), size, `streaming ${basename(path)}`);
        }
      }
      pending.push(...chunker.end());
      await write();
      const { documentId, chunkCount } = writer.commit();
      this.count(without, chunkCount);
      this.outcome({ source: path, status: stored === undefined ? 'created' : 'updated', documentId, chunks: chunkCount });
    } finally {
      writer.rollback();
    }
  }

  private count(without: number, chunks: number): void {
    this.result.chunks += chunks;
    this.result.chunksWithoutVectors += without;
  }

  private outcome(o: DocumentOutcome): void {
    if (o.status === 'created') this.result.created++;
    else if (o.status === 'updated') this.result.updated++;
    else if (o.status === 'unchanged') this.result.unchanged++;
    else this.result.failed++;
    if (o.status === 'failed' || this.result.documents.length < MAX_LISTED_OUTCOMES) this.result.documents.push(o);
  }
}

function defaultTitle(source: string): string {
  const name = basename(source.replace(/[?#].*$/, '').replace(/\/+$/, ''));
  return name.slice(0, name.length - extname(name).length) || source;
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(8192), 0, 8192, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
