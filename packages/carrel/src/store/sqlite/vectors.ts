/**
 * Vector storage in sqlite-vec: one `vec0` table per dimension (`vec_chunks_<dims>`), int8
 * vectors (a quarter of float32's size; cosine ranking barely moves), partitioned by library so a
 * library-filtered KNN scans only that library's rows.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { stmt } from './statements.js';
import { nearestInPartition } from '../approximate-search.js';
import type { NearestOptions } from '../records.js';
import type { VectorHit } from '../vector-memory.js';
import { noteVectorWrite, vectorMemory } from './vector-copy.js';
import { hasHiddenChunks, visibleChunkIds } from './visibility.js';

const tableName = (dims: number): string => {
  if (!Number.isInteger(dims) || dims < 1 || dims > 8192) throw new Error(`Bad vector dimension ${dims}`);
  return `vec_chunks_${dims}`;
};

const known = new WeakMap<Database, Set<number>>();

/** Creates the table for `dims` if needed (once per connection; later calls are free). */
export function ensureVectorTable(db: Database, dims: number): string {
  const name = tableName(dims);
  let seen = known.get(db);
  if (!seen) known.set(db, (seen = new Set()));
  if (seen.has(dims)) return name;
  db.exec(
    `CREATE VIRTUAL TABLE IF NOT EXISTS ${name} USING vec0(chunk_id INTEGER PRIMARY KEY, library_id INTEGER PARTITION KEY, embedding int8[${dims}] distance_metric=cosine)`,
  );
  db.prepare('INSERT OR IGNORE INTO vector_tables (dims) VALUES (?)').run(dims);
  seen.add(dims);
  return name;
}

/** Whether a vector table for `dims` exists. */
export function hasVectorTable(db: Database, dims: number): boolean {
  return db.prepare('SELECT 1 FROM vector_tables WHERE dims = ?').get(dims) !== undefined;
}

/** Inserts chunk vectors; `replace` first deletes any existing vector of the same chunk. */
export function insertVectors(
  db: Database,
  dims: number,
  libraryId: number,
  rows: Iterable<{ chunkId: number; vector: Int8Array }>,
  replace = true,
): void {
  const name = tableName(dims);
  noteVectorWrite(db);
  const del = stmt(db, `DELETE FROM ${name} WHERE chunk_id = ?`);
  const ins = stmt(db, `INSERT INTO ${name} (chunk_id, library_id, embedding) VALUES (?, ?, vec_int8(?))`);
  for (const r of rows) {
    if (replace) del.run(BigInt(r.chunkId));
    ins.run(BigInt(r.chunkId), BigInt(libraryId), Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength));
  }
}

/**
 * Deletes the vectors of the given chunks from every vector table, one chunk id at a time: vec0
 * answers `chunk_id = ?` by a lookup but `chunk_id IN (…)` by scanning the whole table, which made
 * collecting a 1% re-sync's replaced versions take seconds on a 70,000-chunk library.
 */
export function deleteVectorsOfChunks(db: Database, chunkIds: readonly number[]): void {
  if (chunkIds.length === 0) return;
  noteVectorWrite(db);
  for (const { dims } of stmt<[], { dims: number }>(db, 'SELECT dims FROM vector_tables').all()) {
    const del = stmt<[bigint]>(db, `DELETE FROM ${tableName(dims)} WHERE chunk_id = ?`);
    for (const id of chunkIds) del.run(BigInt(id));
  }
}

/**
 * KNN inside one library's partition, over visible chunks only. `allowedChunkIds` (visible ids)
 * restricts the search before the top k is cut, so selective filters keep their recall. Runs over
 * the in-memory copy of the table (see vector-memory.ts, which leaves hidden chunks out) when there
 * is one, exactly or, for a large library, through its approximate index (approximate-search.ts);
 * else exactly through sqlite-vec, restricted to the visible chunks while any are hidden.
 */
export function knn(
  db: Database,
  dims: number,
  libraryId: number,
  query: Int8Array,
  k: number,
  allowedChunkIds?: readonly number[],
  options: NearestOptions = {},
): VectorHit[] {
  const name = tableName(dims);
  const memory = vectorMemory(db, name, dims);
  if (memory) return nearestInPartition(db, memory, libraryId, query, k, allowedChunkIds, options);
  const allowed = allowedChunkIds ?? (hasHiddenChunks(db) ? visibleChunkIds(db, libraryId) : undefined);
  return sqliteVecKnn(db, name, libraryId, query, k, allowed);
}

/** The same KNN run by sqlite-vec (the fallback, and the reference the in-memory scan is tested against). */
export function sqliteVecKnn(
  db: Database,
  name: string,
  libraryId: number,
  query: Int8Array,
  k: number,
  allowedChunkIds?: readonly number[],
): VectorHit[] {
  const q = Buffer.from(query.buffer, query.byteOffset, query.byteLength);
  const sql =
    `SELECT chunk_id AS chunkId, distance FROM ${name} WHERE embedding MATCH vec_int8(?) AND k = ? AND library_id = ?` +
    (allowedChunkIds === undefined ? '' : ' AND chunk_id IN (SELECT value FROM json_each(?))');
  const params: unknown[] = [q, k, BigInt(libraryId)];
  if (allowedChunkIds !== undefined) params.push(JSON.stringify(allowedChunkIds));
  return db
    .prepare<unknown[], { chunkId: number | bigint; distance: number }>(sql)
    .all(...params)
    .map((r) => ({ chunkId: Number(r.chunkId), distance: r.distance }));
}

/**
 * The stored vectors of `chunkIds` (those that have one), for copying them into a new version or a
 * pack. Read by one lookup per chunk, as {@link deleteVectorsOfChunks} deletes: an `IN` list would
 * scan the table once per document.
 */
export function readVectors(db: Database, dims: number, chunkIds: readonly number[]): Map<number, Int8Array> {
  const vectors = new Map<number, Int8Array>();
  if (chunkIds.length === 0) return vectors;
  const read = stmt<[bigint], { embedding: Buffer }>(db, `SELECT embedding FROM ${tableName(dims)} WHERE chunk_id = ?`);
  for (const id of chunkIds) {
    const row = read.get(BigInt(id));
    if (row)
      vectors.set(
        id,
        new Int8Array(row.embedding.buffer.slice(row.embedding.byteOffset, row.embedding.byteOffset + row.embedding.byteLength)),
      );
  }
  return vectors;
}
