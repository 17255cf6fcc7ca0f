/**
 * Staging: a run writes new versions of documents (rows, chunks with their tsvector, vectors, links)
 * that no reader sees until the run publishes. Each call is one short transaction (the caller's);
 * every write first checks that the run is still staging (`assertStaging`), so the writes of a run
 * discarded meanwhile fail with a cancel. Chunks and vectors go in one statement each per call.
 *
 * @module
 */
import type { ChunkWrite, DocumentHeader, ExistingStage, StageAddress, StagedDocument, StagedVersion } from '../../repository.js';
import type { Query } from '../client.js';
import { assertStaging } from './runs.js';

/** The run's staged version of `source`, or undefined. */
export async function findStage(query: Query, runId: number, libraryId: number, source: string): Promise<ExistingStage | undefined> {
  const [row] = await query<ExistingStage>(
    `SELECT s.document_id AS "documentId", s.version, s.status, s.content_hash AS "contentHash", s.chunk_count AS "chunkCount",
            s.chunks_without_vectors AS "chunksWithoutVectors", s.complete
     FROM document_stages s JOIN documents d ON d.id = s.document_id WHERE s.run_id = $1 AND d.library_id = $2 AND d.source = $3`,
    [runId, libraryId, source],
  );
  return row;
}

/** Stages whole documents; a document the run staged before is replaced. */
export async function stageDocuments(
  query: Query,
  runId: number,
  dims: number | null,
  docs: readonly StagedDocument[],
): Promise<StagedVersion[]> {
  await assertStaging(query, runId);
  const staged: StagedVersion[] = [];
  for (const d of docs) {
    const { documentId, version } = await newStage(query, runId, d, true);
    const chunkCount = await appendChunks(query, { documentId, version, libraryId: d.header.libraryId }, dims, 0, d.chunks);
    staged.push({ documentId, version, chunkCount });
  }
  return staged;
}

/** Starts a version written in several calls; it publishes only once finished. */
export async function beginStage(
  query: Query,
  runId: number,
  doc: Omit<StagedDocument, 'chunks'>,
): Promise<{ documentId: number; version: number }> {
  await assertStaging(query, runId);
  return newStage(query, runId, { ...doc, chunks: [] }, false);
}

/** Appends chunks to a begun version from position `ord`; returns the next position. */
export async function appendStage(
  query: Query,
  runId: number,
  at: StageAddress,
  dims: number | null,
  ord: number,
  chunks: readonly ChunkWrite[],
): Promise<number> {
  await assertStaging(query, runId);
  const next = await appendChunks(query, at, dims, ord, chunks);
  await query(
    'UPDATE document_stages SET chunk_count = $1, chunks_without_vectors = chunks_without_vectors + $2 WHERE version = $3 AND run_id = $4',
    [next, chunks.filter((c) => c.vector === null).length, at.version, runId],
  );
  return next;
}

/** Marks a begun version complete. */
export async function finishStage(query: Query, runId: number, version: number): Promise<void> {
  await assertStaging(query, runId);
  await query('UPDATE document_stages SET complete = true WHERE version = $1 AND run_id = $2', [version, runId]);
}

/** The id of the document row for the header's source, created (with no live version) if missing. */
async function documentRow(query: Query, h: DocumentHeader): Promise<number> {
  const now = Date.now();
  const [inserted] = await query<{ id: number }>(
    `INSERT INTO documents (library_id, source, kind, title, content_hash, bytes, chunk_count, created_at, updated_at, live_version)
     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7, 0) ON CONFLICT (library_id, source) DO NOTHING RETURNING id`,
    [h.libraryId, h.source, h.kind, h.title, h.contentHash, h.bytes, now],
  );
  if (inserted) return inserted.id;
  const [existing] = await query<{ id: number }>('SELECT id FROM documents WHERE library_id = $1 AND source = $2', [h.libraryId, h.source]);
  return existing!.id;
}

/** Inserts the stage row (the version) and its links, first turning this run's earlier stage of the document into garbage. */
async function newStage(
  query: Query,
  runId: number,
  doc: StagedDocument,
  complete: boolean,
): Promise<{ documentId: number; version: number }> {
  const documentId = await documentRow(query, doc.header);
  await query(
    `WITH previous AS (DELETE FROM document_stages WHERE run_id = $1 AND document_id = $2 RETURNING document_id, version)
     INSERT INTO garbage_versions (document_id, version) SELECT document_id, version FROM previous ON CONFLICT DO NOTHING`,
    [runId, documentId],
  );
  const h = doc.header;
  const [stage] = await query<{ version: number }>(
    `INSERT INTO document_stages (run_id, document_id, status, base_version, kind, title, content_hash, bytes, tags, page_kind, chunk_count, chunks_without_vectors, complete)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING version`,
    [
      runId,
      documentId,
      doc.status,
      doc.baseVersion,
      h.kind,
      h.title,
      h.contentHash,
      h.bytes,
      [...h.tags],
      h.pageKind,
      doc.chunks.length,
      doc.chunks.filter((c) => c.vector === null).length,
      complete,
    ],
  );
  const version = stage!.version;
  if (doc.links && doc.links.length > 0) {
    await query(
      `INSERT INTO document_links (document_id, version, ord, text, href)
       SELECT $1, $2, ord - 1, text, href FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS l (text, href, ord)`,
      [documentId, version, doc.links.map((l) => l.text), doc.links.map((l) => l.href)],
    );
  }
  return { documentId, version };
}

/** Inserts chunks of one version from position `ord` on, with their vectors; returns the next position. */
async function appendChunks(
  query: Query,
  at: StageAddress,
  dims: number | null,
  ord: number,
  chunks: readonly ChunkWrite[],
): Promise<number> {
  if (chunks.length === 0) return ord;
  const withVectors = chunks.filter((c) => c.vector !== null);
  if (withVectors.length > 0 && dims === null) throw new Error('appendChunks: vectors given but no dimension bound');
  const inserted = await query<{ id: number; ord: number }>(
    `INSERT INTO chunks (document_id, version, ord, heading, text, overlap, lead, trail, embedded)
     SELECT $1, $2, $3 + n - 1, heading, text, overlap, lead, trail, embedded
     FROM unnest($4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::bool[]) WITH ORDINALITY AS c (heading, text, overlap, lead, trail, embedded, n)
     RETURNING id, ord`,
    [
      at.documentId,
      at.version,
      ord,
      chunks.map((c) => c.heading),
      chunks.map((c) => c.text),
      chunks.map((c) => c.overlap),
      chunks.map((c) => c.lead),
      chunks.map((c) => c.trail),
      chunks.map((c) => c.vector !== null),
    ],
  );
  if (withVectors.length > 0) {
    const idAt = new Map(inserted.map((r) => [r.ord, r.id]));
    const ids: number[] = [];
    const vectors: Buffer[] = [];
    chunks.forEach((c, i) => {
      if (c.vector === null) return;
      if (c.vector.length !== dims) throw new Error(`appendChunks: a vector of ${c.vector.length} dimensions where ${dims} are bound`);
      ids.push(idAt.get(ord + i)!);
      vectors.push(Buffer.from(c.vector.buffer, c.vector.byteOffset, c.vector.byteLength));
    });
    await query('INSERT INTO vector_dims (dims) VALUES ($1) ON CONFLICT DO NOTHING', [dims]);
    await query(
      'INSERT INTO chunk_vectors (chunk_id, dims, embedding) SELECT id, $1, v FROM unnest($2::bigint[], $3::bytea[]) AS x (id, v)',
      [dims, ids, vectors],
    );
  }
  return ord + chunks.length;
}
