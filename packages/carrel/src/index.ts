/**
 * `carrel`: the documentation knowledge base. Any export added here is public API.
 *
 * @module
 */
export { KnowledgeBase } from './knowledge-base.js';
export type { ContentInput, DocumentPage, IngestTarget, KnowledgeBaseOptions, KnowledgeBaseStatus } from './knowledge-base.js';
export type { DocumentSummary } from './store/repository.js';
export { resolveDataDir } from './data-dir.js';
export type {
  EmbedderConfig,
  InProcessEmbedder,
  LocalEmbedderConfig,
  NoEmbedderConfig,
  OfflineEmbedderConfig,
  OpenAiEmbedderConfig,
} from './embedders/embedder.js';
export type { ChunkSizes } from './ingest/chunking.js';
export type { DocumentOutcome, IngestResult } from './ingest/jobs.js';
export type { ProgressCallback, RunOptions } from './ingest/worker-client.js';
export type { SearchRequest, SearchResponse, SearchResult } from './search/search.js';
export type { SearchFilters } from './store/repository.js';
export type { DirectoryFilter } from './sources/directory-source.js';
export type { FetchLimits } from './sources/url-source.js';
export type { LibraryRecord } from './store/repository.js';
export type { LibraryStatus } from './store/repository.js';
export type { Pack, PackDocument, RegistryIndex } from './packs/format.js';
export { PACK_FORMAT, packJsonSchema, packSchema } from './packs/format.js';
export type { PackOptions } from './packs/create.js';
export type { PackSource } from './packs/load.js';
export type { PackRecord } from './store/repository.js';
export {
  AddressBlockedError,
  ContentTooLargeError,
  EmbedderFailedError,
  EmbedderMismatchError,
  EmbedderUnavailableError,
  FetchFailedError,
  IngestCancelledError,
  InvalidInputError,
  InvalidPackError,
  KbJsonRpcCode,
  KnowledgeBaseError,
  NotFoundError,
  PathNotAllowedError,
  UnsupportedContentError,
} from './errors.js';
export type { KnowledgeBaseErrorKind } from './errors.js';
export type { Fix, Notice } from './fix.js';
