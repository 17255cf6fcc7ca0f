/**
 * The messages between the KnowledgeBase (main thread) and its ingest worker. Everything here is
 * structured-clone safe; errors travel as `{kind, message, data}` and are revived on arrival.
 *
 * @module
 */
import type { DocumentKind } from '../store/documents.js';
import type { MediaType } from '../sources/media-type.js';

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
}

/** Files already checked against the allowed roots; the worker reads and parses them. */
export interface FilesJob {
  kind: 'files';
  target: Target;
  paths: readonly string[];
  /** Whether a single failing file fails the job (true for one file, false for a directory). */
  failFast: boolean;
}

/** Fill in missing vectors of a library, switching it to the current embedder if needed. */
export interface ReindexJob {
  kind: 'reindex';
  library: string;
  version: string;
}

/** Any job the worker runs. */
export type IngestJob = ContentJob | FilesJob | ReindexJob;

/** One document's fate. */
export interface DocumentOutcome {
  source: string;
  status: 'created' | 'updated' | 'unchanged' | 'failed';
  documentId?: number;
  chunks?: number;
  error?: string;
}

/** What an ingest or reindex returns. */
export interface IngestResult {
  library: string;
  version: string;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Chunks written (or, for a reindex, embedded). */
  chunks: number;
  /** Chunks written without a vector (no semantic model available); `reindexLibrary` fills them. */
  chunksWithoutVectors: number;
  /** Per-document outcomes; for large directories only failures are listed. */
  documents: DocumentOutcome[];
  warnings: string[];
}

/** Serialized error. */
export interface WireError {
  kind: string;
  name: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Main → worker. */
export type ToWorker = { type: 'job'; id: number; job: IngestJob; abort: SharedArrayBuffer } | { type: 'close' };

/** Worker → main. */
export type FromWorker =
  | { type: 'progress'; id: number; current: number; total: number; message: string }
  | { type: 'done'; id: number; result: IngestResult }
  | { type: 'error'; id: number; error: WireError };
