/**
 * The read queries behind hybrid search: the filter clause shared by both retrievers, the BM25
 * query, the chunk-id allowlist that pre-filters the KNN, and the hydration of result rows.
 *
 * @module
 */
import type { Database } from 'better-sqlite3';
import { stmt } from './statements.js';
import { hasHiddenChunks } from './visibility.js';
import type { ChunkDetail, SearchFilters, SearchableLibrary, TextHit } from '../records.js';

/** A SQL condition on `d` (documents) and `l` (libraries) with its parameters. */
export interface FilterClause {
  sql: string;
  params: unknown[];
  /** Whether it restricts more than the library (so the KNN needs a chunk allowlist). */
  beyondLibrary: boolean;
}

/** Builds the WHERE fragment for `filters`. */
export function filterClause(filters: SearchFilters): FilterClause {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    parts.push(sql);
    params.push(...values);
  };
  if (filters.library !== undefined) add('l.name = ?', filters.library);
  if (filters.version !== undefined) add('l.version = ?', filters.version);
  const libraryOnly = parts.length;
  if (filters.kind !== undefined) add('d.kind = ?', filters.kind);
  if (filters.source !== undefined) {
    // A range rather than LIKE: with the library fixed it walks the (library_id, source) index
    // instead of every document. U+10FFFF sorts after any character a source can continue with.
    add('d.source >= ? AND d.source < ?', filters.source, `${filters.source}\u{10FFFF}`);
  }
  if (filters.tags && filters.tags.length > 0) {
    const tags = [...new Set(filters.tags)];
    parts.push(
      `d.id IN (SELECT document_id FROM document_tags WHERE tag IN (${tags.map(() => '?').join(',')}) GROUP BY document_id HAVING count(*) = ?)`,
    );
    params.push(...tags, tags.length);
  }
  if (filters.minRating !== undefined) {
    parts.push('d.id IN (SELECT document_id FROM ratings GROUP BY document_id HAVING avg(rating) >= ?)');
    params.push(filters.minRating);
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1', params, beyondLibrary: parts.length > libraryOnly };
}

/** BM25 over heading (weight 2) and text of visible chunks, filtered, best `limit` first. */
export function bm25Search(db: Database, match: string, filter: FilterClause, limit: number): TextHit[] {
  // The index alone is enough unless something filters or some chunks are hidden.
  if (filter.sql === '1' && !hasHiddenChunks(db)) {
    return stmt<[string, number], TextHit>(
      db,
      'SELECT rowid AS chunkId, bm25(chunks_fts, 2.0, 1.0) AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?',
    ).all(match, limit);
  }
  return db
    .prepare<unknown[], TextHit>(
      `SELECT f.rowid AS chunkId, bm25(chunks_fts, 2.0, 1.0) AS score
       FROM chunks_fts f JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id JOIN libraries l ON l.id = d.library_id
       WHERE chunks_fts MATCH ? AND c.version = d.live_version AND ${filter.sql} ORDER BY score LIMIT ?`,
    )
    .all(match, ...filter.params, limit);
}

/**
 * Which of `chunkIds` match `match` (an FTS5 expression), answered by a temporary FTS5 index of
 * just those chunks (contentless, emptied at once), tokenized as `chunks_fts` is
 * (0001_initial.sql). Asked of the main index, each chunk id is a seek into every query word's
 * posting list in every segment, ~1 ms per chunk at 1M chunks (bench/README.md § Issue 9 — search
 * at ~1M chunks), where tokenizing a page of hits again costs the same whatever the store's size.
 */
export function matchingChunks(db: Database, match: string, chunkIds: readonly number[]): Set<number> {
  if (chunkIds.length === 0) return new Set();
  if (!withMatchCheck.has(db)) {
    db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.match_check USING fts5(heading, text, content = '', tokenize = 'porter unicode61')");
    withMatchCheck.add(db);
  }
  const rows = db.transaction(() => {
    stmt(db, "INSERT INTO temp.match_check (match_check) VALUES ('delete-all')").run();
    stmt<[string]>(
      db,
      'INSERT INTO temp.match_check (rowid, heading, text) SELECT id, heading, text FROM chunks WHERE id IN (SELECT value FROM json_each(?))',
    ).run(JSON.stringify(chunkIds));
    return stmt<[string], { id: number }>(db, 'SELECT rowid AS id FROM temp.match_check WHERE match_check MATCH ?').all(match);
  })();
  return new Set(rows.map((r) => r.id));
}

/** Connections whose temporary `match_check` index exists. */
const withMatchCheck = new WeakSet<Database>();

/**
 * How many chunks contain `term` (a quoted FTS5 phrase), counting no further than `cap`: reading a
 * doclist without scoring is cheap, but a common term's doclist grows with the store.
 */
export function termChunkCount(db: Database, quoted: string, cap: number): number {
  return stmt<[string, number], { n: number }>(
    db,
    'SELECT count(*) AS n FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT ?)',
  ).get(quoted, cap)!.n;
}

/** Libraries matching the library/version part of a filter, with their embedder binding. */
export function filteredLibraries(db: Database, filters: SearchFilters): SearchableLibrary[] {
  const { sql, params } = filterClause({ library: filters.library, version: filters.version });
  // Counting pending chunks walks every document of a library; skip it in the usual case where the
  // partial index says no chunk anywhere lacks a vector.
  const anyPending = stmt(db, 'SELECT 1 FROM chunks WHERE embedded = 0 LIMIT 1').get() !== undefined;
  const pending = anyPending
    ? '(SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.library_id = l.id AND c.embedded = 0 AND c.version = d.live_version)'
    : '0';
  return db
    .prepare<unknown[], SearchableLibrary>(
      `SELECT l.id, l.name, l.version, l.embedder, l.dims, ${pending} AS pending FROM libraries l WHERE l.pending_run IS NULL AND ${sql}`,
    )
    .all(...params);
}

/**
 * The chunk ids that pass the filter, per library of `libraryIds` (the KNN allowlists; a library
 * without any is absent). One query for all libraries, each library's ids returned as one JSON
 * array: building thousands of row objects costs more than the SQL itself.
 */
export function allowedChunkIds(db: Database, libraryIds: readonly number[], filter: FilterClause): Map<number, number[]> {
  const rows = db
    .prepare<unknown[], { library: number; ids: string }>(
      `SELECT d.library_id AS library, json_group_array(c.id) AS ids
       FROM chunks c JOIN documents d ON d.id = c.document_id JOIN libraries l ON l.id = d.library_id
       WHERE d.library_id IN (SELECT value FROM json_each(?)) AND c.version = d.live_version AND ${filter.sql}
       GROUP BY d.library_id`,
    )
    .all(JSON.stringify(libraryIds), ...filter.params);
  return new Map(rows.map((r) => [r.library, JSON.parse(r.ids) as number[]]));
}

/**
 * Loads the visible chunks among `ids` (in any order) with their document, library and rating summary. Ratings
 * are aggregated per document through their index, so the cost follows `ids`, not the ratings table.
 */
export function chunkDetails(db: Database, ids: readonly number[]): Map<number, ChunkDetail> {
  const rows = db
    .prepare<[string], ChunkDetail>(
      `SELECT c.id AS chunkId, c.document_id AS documentId, c.ord, c.heading, c.text, d.title, d.source, d.kind, d.page_kind AS pageKind, l.name AS library, l.version,
              (SELECT avg(rating) FROM ratings WHERE document_id = d.id) AS ratingAvg,
              (SELECT count(*) FROM ratings WHERE document_id = d.id) AS ratingCount
       FROM chunks c JOIN documents d ON d.id = c.document_id JOIN libraries l ON l.id = d.library_id
       WHERE c.id IN (SELECT value FROM json_each(?)) AND c.version = d.live_version`,
    )
    .all(JSON.stringify(ids));
  return new Map(rows.map((r) => [r.chunkId, r]));
}

/** The highest chunk id issued: the store's size without counting it (ids of deleted chunks count too). */
export function chunkIdsIssued(db: Database): number {
  return stmt<[], { n: number | null }>(db, 'SELECT max(id) AS n FROM chunks').get()!.n ?? 0;
}
