/**
 * Building a pack from a library: its live documents' text (as they were chunked), titles, sources
 * and tags, and with `withVectors` their chunks' vectors and what made them, so that a library with
 * the same embedder and chunking installs it without embedding anything.
 *
 * @module
 */
import type { LibraryRecord } from '../store/repository.js';
import type { KnowledgeRepository } from '../store/repository.js';
import type { Pack, PackDocument } from './format.js';
import { PACK_FORMAT } from './format.js';
import { encodeVector } from './job.js';

/** What names and describes the pack made. */
export interface PackOptions {
  name: string;
  version: string;
  license: string;
  description?: string;
  withVectors?: boolean;
}

/** The pack of `library`'s live documents. */
export async function createPack(store: KnowledgeRepository, library: LibraryRecord, options: PackOptions): Promise<Pack> {
  // Vectors travel only with what made them: a library without a binding or a plan has none to give.
  const embedding =
    options.withVectors && library.embedder !== null && library.dims !== null && library.chunking !== null
      ? { model: library.embedder, dims: library.dims, chunking: library.chunking }
      : undefined;
  const documents: PackDocument[] = [];
  for (const d of await store.packableDocuments(library.id)) {
    const vectors = embedding && (await store.readVectors(embedding.dims, d.chunkIds));
    const complete = vectors !== undefined && d.chunkIds.length > 0 && d.chunkIds.every((id) => vectors.has(id));
    documents.push({
      source: d.source,
      title: d.title,
      content: await store.documentText(d.id),
      ...(d.tags.length > 0 && { tags: d.tags }),
      // A document with a chunk still unembedded is embedded by the installer instead.
      ...(complete && { vectors: d.chunkIds.map((id) => encodeVector(vectors.get(id)!)) }),
    });
  }
  return {
    format: PACK_FORMAT,
    name: options.name,
    version: options.version,
    ...(options.description !== undefined && { description: options.description }),
    license: options.license,
    ...(embedding && { embedding }),
    documents,
  };
}
