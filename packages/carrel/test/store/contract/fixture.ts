/**
 * What the knowledge-base repository contract suite needs from an implementation, and the helpers
 * its files share. A store is one database; each `open` is one repository on it, as a process
 * (or a node of a cluster) holds one, so claims and atomicity are tested across instances.
 *
 * @module
 */
import type { TaskStore } from '@carrel/tasks';
import type { ChunkWrite, DocumentHeader } from '../../../src/store/repository.js';
import type { KnowledgeRepository } from '../../../src/store/repository.js';
import type { StagedDocument } from '../../../src/store/repository.js';

/** One empty database. */
export interface ContractStore {
  /** A new repository on this database (another process's). Closed by the fixture after the test. */
  open(): Promise<KnowledgeRepository>;
  /** A task store on this same database: a run's publish completes its task in the publish's transaction. */
  tasks(): Promise<TaskStore>;
}

/** An implementation under test. */
export interface RepositoryFixture {
  name: string;
  /** A fresh, empty, migrated database. */
  store(): Promise<ContractStore>;
}

/** A document to write in a test: its chunks' texts (and vectors), the rest defaulted. */
export interface TestDocument {
  source: string;
  title?: string;
  tags?: string[];
  chunks: (string | { heading?: string; text: string; vector?: number[] })[];
}

/** The chunks of a test document, each its own paragraph, so the document reads back as their texts joined by blank lines. */
export function chunkWrites(doc: TestDocument): ChunkWrite[] {
  return doc.chunks.map((c, i) => {
    const chunk = typeof c === 'string' ? { text: c } : c;
    return {
      heading: chunk.heading ?? '',
      text: chunk.text,
      overlap: 0,
      lead: i === 0 ? '' : '\n\n',
      trail: '',
      vector: chunk.vector ? Int8Array.from(chunk.vector) : null,
    };
  });
}

/** The staged form of a test document in a library. */
export function staged(libraryId: number, doc: TestDocument, baseVersion = 0): StagedDocument {
  const header: DocumentHeader = {
    libraryId,
    source: doc.source,
    kind: 'raw',
    title: doc.title ?? doc.source,
    contentHash: `hash:${JSON.stringify(doc.chunks)}`,
    bytes: JSON.stringify(doc.chunks).length,
    tags: doc.tags ?? [],
    pageKind: 'content',
  };
  return { header, status: baseVersion === 0 ? 'created' : 'updated', baseVersion, chunks: chunkWrites(doc) };
}

/** The text a test document reads back as. */
export function textOf(doc: TestDocument): string {
  return doc.chunks.map((c) => (typeof c === 'string' ? c : c.text)).join('\n\n');
}

/**
 * Writes documents into `library` in one run and publishes it, as an ingest does; vectors (when
 * the documents have them) bind the library to `embedder`. Returns the library id and document ids.
 */
export async function publishDocuments(
  repo: KnowledgeRepository,
  library: string,
  docs: readonly TestDocument[],
  { version = '', dims = null as number | null, embedder = 'test:embedder' } = {},
): Promise<{ libraryId: number; documentIds: number[] }> {
  const { run, library: lib } = await repo.openRun({ taskId: null, library, version });
  if (dims !== null) await repo.setRunBinding(run.id, embedder, dims, false);
  const versions = await repo.stageDocuments(
    run.id,
    dims,
    docs.map((d) => staged(lib.id, d)),
  );
  const outcome = await repo.publishRun(run.id);
  if (!outcome.published) throw new Error(`publish failed: ${outcome.reason}`);
  return { libraryId: lib.id, documentIds: versions.map((v) => v.documentId) };
}

/** The sources of every live document, sorted. */
export async function liveSources(repo: KnowledgeRepository): Promise<string[]> {
  const { documents } = await repo.listDocuments({}, 500, 0);
  return documents.map((d) => `${d.library}:${d.source}`).sort();
}

/** Runs garbage collection to the end. */
export async function collectAll(repo: KnowledgeRepository): Promise<void> {
  while ((await repo.collectGarbage(1000)) > 0 || (await repo.hasGarbage()));
}
