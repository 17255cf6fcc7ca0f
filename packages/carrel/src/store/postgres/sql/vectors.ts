/**
 * Vectors without the `vector` extension: int8 vectors as bytea (one byte per dimension) in
 * `chunk_vectors`, read a library at a time into the node for the in-memory scan
 * (`../vector-cache.ts`), or only what changed since a generation (the log of migration 0002),
 * with the library's vector generation read in the same snapshot.
 *
 * @module
 */
import type { Query } from '../client.js';

/** Whether vectors of `dims` dimensions were ever stored. */
export async function hasVectors(query: Query, dims: number): Promise<boolean> {
  return (await query('SELECT 1 FROM vector_dims WHERE dims = $1', [dims])).length > 0;
}

/** The stored vectors of `chunkIds` (those that have one of `dims` dimensions). */
export async function readVectors(query: Query, dims: number, chunkIds: readonly number[]): Promise<Map<number, Int8Array>> {
  const rows = await query<{ id: number; embedding: Buffer }>(
    'SELECT chunk_id AS id, embedding FROM chunk_vectors WHERE chunk_id = ANY($1::bigint[]) AND dims = $2',
    [[...chunkIds], dims],
  );
  return new Map(
    rows.map((r) => [
      r.id,
      new Int8Array(r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength)),
    ]),
  );
}

/** The library's vector generation (see migration 0001), or undefined if there is no such library. */
export async function vectorGeneration(query: Query, libraryId: number): Promise<number | undefined> {
  const [row] = await query<{ generation: number }>('SELECT vector_generation AS generation FROM libraries WHERE id = $1', [libraryId]);
  return row?.generation;
}

/** A library's live vectors of `dims` dimensions, packed, with the generation they are current for. */
export interface LibraryVectors {
  generation: number;
  ids: Float64Array;
  /** Row-major, `dims` bytes per id. */
  vectors: Int8Array;
}

/**
 * Reads a library's live vectors in one statement (one snapshot, so the generation matches the
 * rows): ids and vectors each aggregated into one bytea, far cheaper to parse than a row per chunk.
 */
export async function libraryVectors(query: Query, dims: number, libraryId: number): Promise<LibraryVectors> {
  const [row] = await query<{ generation: number | null; ids: Buffer | null; vectors: Buffer | null }>(
    `SELECT (SELECT vector_generation FROM libraries WHERE id = $1) AS generation,
            string_agg(int8send(v.chunk_id), ''::bytea ORDER BY v.chunk_id) AS ids, string_agg(v.embedding, ''::bytea ORDER BY v.chunk_id) AS vectors
     FROM documents d JOIN chunks c ON c.document_id = d.id AND c.version = d.live_version JOIN chunk_vectors v ON v.chunk_id = c.id
     WHERE d.library_id = $1 AND d.live_version > 0 AND v.dims = $2`,
    [libraryId, dims],
  );
  return { generation: row?.generation ?? -1, ids: idsOf(row?.ids ?? null), vectors: int8Of(row?.vectors ?? null) };
}

/** What changed in a library's live vectors since a generation: the chunks to drop from a copy, and those to add. */
export interface VectorDelta {
  generation: number;
  /** Every chunk that entered or left the live vectors (or changed) since; ascending. */
  changed: Float64Array;
  /** The changed chunks live now, with their vectors; ascending. */
  ids: Float64Array;
  vectors: Int8Array;
}

/**
 * The changes of a library's live vectors of `dims` dimensions since generation `since`, in one
 * statement (one snapshot); undefined when the log no longer reaches back to `since` (pruned, or
 * a large change logged nothing) or holds more than `maxChanged` chunks: then the copy is read whole.
 */
export async function vectorDelta(
  query: Query,
  dims: number,
  libraryId: number,
  since: number,
  maxChanged: number,
): Promise<VectorDelta | undefined> {
  const [row] = await query<{ generation: number; complete: boolean; changed: Buffer | null; ids: Buffer | null; vectors: Buffer | null }>(
    `WITH changed AS (
       SELECT DISTINCT chunk_id FROM vector_changes WHERE library_id = $1 AND generation > $3
     ), small AS (
       SELECT (SELECT count(*) FROM (SELECT 1 FROM changed LIMIT $4 + 1) c) <= $4 AS ok
     ), live AS (
       SELECT v.chunk_id, v.embedding FROM small, changed ch JOIN chunk_vectors v ON v.chunk_id = ch.chunk_id
       JOIN chunks c ON c.id = v.chunk_id JOIN documents d ON d.id = c.document_id AND d.live_version = c.version
       WHERE small.ok AND v.dims = $2 AND d.library_id = $1
     )
     SELECT l.vector_generation AS generation, l.vector_log_from <= $3 AND small.ok AS complete,
            (SELECT string_agg(int8send(chunk_id), ''::bytea ORDER BY chunk_id) FROM changed, small WHERE small.ok) AS changed,
            (SELECT string_agg(int8send(chunk_id), ''::bytea ORDER BY chunk_id) FROM live) AS ids,
            (SELECT string_agg(embedding, ''::bytea ORDER BY chunk_id) FROM live) AS vectors
     FROM libraries l, small WHERE l.id = $1`,
    [libraryId, dims, since, maxChanged],
  );
  if (!row?.complete) return undefined;
  return { generation: row.generation, changed: idsOf(row.changed), ids: idsOf(row.ids), vectors: int8Of(row.vectors) };
}

/** Chunk ids sent as concatenated int8send values. */
function idsOf(bytes: Buffer | null): Float64Array {
  const ids = new Float64Array((bytes?.length ?? 0) / 8);
  for (let i = 0; i < ids.length; i++) ids[i] = Number(bytes!.readBigInt64BE(i * 8));
  return ids;
}

function int8Of(bytes: Buffer | null): Int8Array {
  return bytes ? new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Int8Array(0);
}

/**
 * Drops the vectors of document versions and marks their chunks as lacking one (a publish that
 * switches models skipped them); moves the library's vector generation and logs the chunks
 * (migration 0002) itself, as no live version changed for the trigger to see.
 */
export async function unembedVersions(
  query: Query,
  versions: readonly { documentId: number; liveVersion: number }[],
  libraryId: number,
): Promise<void> {
  if (versions.length === 0) return;
  const params = [versions.map((v) => v.documentId), versions.map((v) => v.liveVersion)];
  const chunksOf =
    'SELECT c.id FROM chunks c JOIN unnest($1::bigint[], $2::bigint[]) AS v (document_id, version) ON c.document_id = v.document_id AND c.version = v.version';
  await query('UPDATE libraries SET vector_generation = vector_generation + 1 WHERE id = $1', [libraryId]);
  await query(
    `INSERT INTO vector_changes (library_id, generation, chunk_id)
     SELECT $3, (SELECT vector_generation FROM libraries WHERE id = $3), v.chunk_id FROM chunk_vectors v WHERE v.chunk_id IN (${chunksOf})
     ON CONFLICT DO NOTHING`,
    [...params, libraryId],
  );
  await query(`DELETE FROM chunk_vectors WHERE chunk_id IN (${chunksOf})`, params);
  await query(`UPDATE chunks SET embedded = false WHERE id IN (${chunksOf})`, params);
}
