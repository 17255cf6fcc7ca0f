/**
 * The vector retriever with pgvector (../pgvector.ts prepares the schema): cosine KNN over a
 * library's live vectors in SQL, through the dimension's HNSW index.
 *
 * Filters: the index holds every stored vector of its dimension (every library, staged and
 * superseded versions too), and an HNSW scan with a filter returns only the filtered rows among
 * the `hnsw.ef_search` candidates it visits, so a library or allowlist that keeps few of them
 * would return fewer than k. So:
 * - an allowlist of at most `vectorIndexPolicy.exactFilterRows` chunks (the node scan's limit) is
 *   ranked exactly, row by row through the primary key: cheaper than any index walk that finds
 *   them;
 * - otherwise the index is walked with pgvector's iterative scan (`hnsw.iterative_scan =
 *   relaxed_order`, pgvector ≥ 0.8), which keeps visiting candidates until k pass the filter or
 *   `hnsw.max_scan_tuples` were visited; `relaxed_order` may return them slightly out of order,
 *   so they are sorted again outside. The walk is the plan: the planner estimates a library's rows through the documents and
 *   chunks joins, misjudges a library of few large documents as small, and would then rank it by
 *   a full scan and sort, or join the walk against the whole library; so sorting is ruled out
 *   (`enable_sort = off`) and a candidate's library is a subquery through primary keys, which the
 *   planner cannot turn into a join. The filter's real size is what the iterative scan and the
 *   fallback below find out;
 * - if that still found fewer than k (the filter keeps too few of the dimension's vectors), the
 *   library (and allowlist) is ranked exactly. Ordering by the untyped column does not match the index
 *   expression, which is what makes that query exact.
 *
 * Distances are pgvector's cosine distance over the same int8 values the node scan uses, so they
 * are the node scan's distances.
 *
 * @module
 */
import pg from 'pg';
import { vectorIndexPolicy } from '../../approximate-search.js';
import type { NearestOptions, VectorHit } from '../../repository.js';
import type { SqlClient } from '../client.js';

/**
 * Candidates an index scan keeps (`hnsw.ef_search`; pgvector's default is 40), over the index's
 * default build (m 16, ef_construction 64). Measured only on PGlite at 5,000 384-dim vectors:
 * recall@10 1.000 (bench/README.md § pgvector on PGlite). At 1M vectors the node scan's HNSW
 * needed a breadth of 256 for 0.98 (approximate-search.ts): a server that large may want more.
 */
const SEARCH_BREADTH = 100;

/** The `k` live chunks of the library nearest `vector` (among `allowed` when given), nearest first. */
export async function nearestWithPgvector(
  client: SqlClient,
  extensionSchema: string,
  dims: number,
  libraryId: number,
  vector: Int8Array,
  k: number,
  allowed?: readonly number[],
  { exact = false }: NearestOptions = {},
): Promise<VectorHit[]> {
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`Bad vector dimension ${dims}`);
  const vs = pg.escapeIdentifier(extensionSchema);
  const live = `FROM chunk_vectors v JOIN chunks c ON c.id = v.chunk_id JOIN documents d ON d.id = c.document_id AND c.version = d.live_version
                WHERE v.dims = ${dims} AND d.library_id = $2`;
  const text = `[${vector.join(',')}]`;
  const filter = allowed ? 'AND v.chunk_id = ANY($4::bigint[])' : '';
  const params = allowed ? [text, libraryId, k, [...allowed]] : [text, libraryId, k];
  // Ordering by the untyped column does not match the index expression: a scan of every row.
  const exactly = (query: SqlClient['query']) =>
    query<VectorHit>(
      `SELECT v.chunk_id AS "chunkId", (v.embedding_vector OPERATOR(${vs}.<=>) $1::${vs}.vector)::float8 AS distance
       ${live} ${filter} ORDER BY distance, v.chunk_id LIMIT $3`,
      params,
    );
  if (exact) return exactly(client.query.bind(client));
  if (allowed && allowed.length <= vectorIndexPolicy.exactFilterRows) {
    return client.query<VectorHit>(
      `SELECT v.chunk_id AS "chunkId", (v.embedding_vector OPERATOR(${vs}.<=>) $1::${vs}.vector)::float8 AS distance
       ${live} AND v.chunk_id = ANY($4::bigint[]) ORDER BY distance, v.chunk_id LIMIT $3`,
      [text, libraryId, k, [...allowed]],
    );
  }
  return client.transaction(async ({ query }) => {
    await query(
      `SET LOCAL hnsw.ef_search = ${Math.max(SEARCH_BREADTH, k)}; SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL enable_sort = off`,
    );
    const typed = `v.embedding_vector::${vs}.vector(${dims}) OPERATOR(${vs}.<=>) $1::${vs}.vector(${dims})`;
    const indexed = await query<VectorHit>(
      `WITH nearest AS MATERIALIZED (
         SELECT v.chunk_id AS "chunkId", (${typed})::float8 AS distance FROM chunk_vectors v
         WHERE v.dims = ${dims} ${filter} AND (SELECT d.library_id FROM chunks c JOIN documents d ON d.id = c.document_id AND c.version = d.live_version
                                              WHERE c.id = v.chunk_id) = $2
         ORDER BY ${typed} LIMIT $3)
       SELECT "chunkId", distance FROM nearest ORDER BY distance, "chunkId"`,
      params,
    );
    return indexed.length === k ? indexed : exactly(query);
  });
}
