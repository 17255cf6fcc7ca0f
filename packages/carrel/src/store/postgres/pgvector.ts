/**
 * Whether the knowledge base's vectors are searched by pgvector, decided when a repository opens,
 * and the step that prepares a schema for it.
 *
 * At open: if the server offers the `vector` extension (`pg_available_extensions`) and the
 * database does not have it yet, the repository creates it (`CREATE EXTENSION vector SCHEMA
 * public`, which needs a role allowed to: a superuser, as pgvector is not a trusted extension);
 * if that fails the node scans vectors itself and `status` says why. With the extension installed,
 * the pgvector step below is applied once per schema.
 *
 * The step is not a numbered migration: numbered migrations run on every server, and this one can
 * only run where the extension is installed, which may happen long after the schema was made. It
 * is applied under the migration lock by the first node that opens the schema with the extension
 * installed, and recorded by its own effect, the `embedding_vector` column: if the extension is
 * later dropped (`DROP EXTENSION vector CASCADE` drops the column, its function and the indexes;
 * the plpgsql functions and the trigger stay, idle without the column, and are replaced when the
 * step runs again) the record goes too, and nodes fall back to the node scan, then re-apply the step when it
 * returns. A node that opened before the extension arrived keeps scanning until restarted; both
 * paths read the same vectors, so a cluster mid-switch answers the same queries alike.
 *
 * Design of the stored vectors (see migration 0001 for `chunk_vectors`):
 * - The int8 bytea stays the source of truth (reindex, packs and the node scan read it); the step
 *   adds a generated column holding the same int8 values as a pgvector `vector`, so every write
 *   path fills it without knowing pgvector, and adding it backfills the vectors already stored.
 *   Int8 values, not the model's floats: Carrel keeps only the quantised vector, and cosine over
 *   the same values as the node scan makes pgvector's exact order the node scan's exact order, so
 *   recall is measured against one truth and a node on either path ranks alike.
 * - One untyped `vector` column for every dimension (libraries each bind their own model), and a
 *   partial HNSW index per dimension over `embedding_vector::vector(<dims>)` WHERE dims = <dims>
 *   (HNSW needs one typed dimension per index), made when vectors of that dimension are first
 *   stored (a trigger on `vector_dims`) — so no table per dimension, and no index per library:
 *   libraries come and go with ingests and an index build costs far more than the library filter,
 *   which pgvector's iterative index scan applies (sql/pgvector.ts). pgvector indexes at most
 *   2,000 dimensions: vectors wider than that are searched exactly in SQL.
 *
 * @module
 */
import pg from 'pg';
import { vectorIndexPolicy } from '../approximate-search.js';
import type { VectorSearchPath } from '../repository.js';
import type { Query, SqlClient } from './client.js';
import { createExtension } from './extension.js';
import { migrationLockKey } from './migrate.js';

/** Widest vector pgvector's HNSW index takes. */
export const MAX_INDEXED_DIMS = 2000;

/** The vector path decided at open; with pgvector, the schema its types and operators live in. */
export type VectorSetup = { path: 'pgvector'; version: string; extensionSchema: string } | Extract<VectorSearchPath, { path: 'node-scan' }>;

interface ExtensionState {
  available: string | null;
  installed: string | null;
  extensionSchema: string | null;
  prepared: boolean;
}

/** Detects the vector path for `schema` (migrated), creating the extension and applying the step when possible. */
export async function setUpVectors(client: SqlClient, schema: string): Promise<VectorSetup> {
  const nodeScan = (reason: string): VectorSetup => ({ path: 'node-scan', approximateFrom: vectorIndexPolicy.minRows, reason });
  let state = await extensionState(client.query, schema);
  if (!state.available) return nodeScan('the server does not offer the vector extension (pgvector)');
  if (!state.installed) {
    const failure = await createExtension(client, schema, 'vector');
    if (failure !== null) return nodeScan(failure);
    state = await extensionState(client.query, schema);
  }
  if (!state.prepared) {
    await client.transaction(async ({ query }) => {
      await query(`SELECT pg_advisory_xact_lock(${migrationLockKey(schema)})`);
      // Read again under the lock: another node may have prepared the schema meanwhile.
      if (!(await extensionState(query, schema)).prepared) await preparePgvector(query, state.extensionSchema!);
    });
  }
  return { path: 'pgvector', version: state.installed!, extensionSchema: state.extensionSchema! };
}

async function extensionState(query: Query, schema: string): Promise<ExtensionState> {
  const [row] = await query<ExtensionState>(
    `SELECT (SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS available,
            e.extversion AS installed, n.nspname AS "extensionSchema",
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'embedding_vector' AND NOT attisdropped) AS prepared
     FROM (SELECT 1) one LEFT JOIN pg_extension e ON e.extname = 'vector' LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`,
    [`${pg.escapeIdentifier(schema)}.chunk_vectors`],
  );
  return row!;
}

/** The pgvector step (see module comment), in the caller's transaction; search_path is the knowledge base's schema. */
async function preparePgvector(query: Query, extensionSchema: string): Promise<void> {
  const vs = pg.escapeIdentifier(extensionSchema);
  await query(
    `-- int8 bytes (two's complement) to a vector of the same values.
     CREATE OR REPLACE FUNCTION int8_vector(embedding bytea) RETURNS ${vs}.vector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
       RETURN (SELECT array_agg(((get_byte(embedding, i) + 128) % 256) - 128 ORDER BY i) FROM generate_series(0, length(embedding) - 1) AS i)::real[]::${vs}.vector;
     ALTER TABLE chunk_vectors ADD COLUMN embedding_vector ${vs}.vector GENERATED ALWAYS AS (int8_vector(embedding)) STORED;
     CREATE OR REPLACE FUNCTION index_vectors(of_dims integer, in_schema text) RETURNS void LANGUAGE plpgsql AS $$
     BEGIN
       IF of_dims <= ${MAX_INDEXED_DIMS} THEN
         EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.chunk_vectors USING hnsw ((embedding_vector::%I.vector(%s)) %I.vector_cosine_ops) WHERE dims = %s',
           'chunk_vectors_hnsw_' || of_dims, in_schema, ${pg.escapeLiteral(extensionSchema)}, of_dims, ${pg.escapeLiteral(extensionSchema)}, of_dims);
       END IF;
     END;
     $$;
     CREATE OR REPLACE FUNCTION index_new_vector_dims() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       -- Only while the step's column exists: DROP EXTENSION ... CASCADE leaves this trigger behind.
       IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = format('%I.chunk_vectors', TG_TABLE_SCHEMA)::regclass
                  AND attname = 'embedding_vector' AND NOT attisdropped) THEN
         PERFORM index_vectors(NEW.dims, TG_TABLE_SCHEMA);
       END IF;
       RETURN NULL;
     END;
     $$;
     CREATE OR REPLACE TRIGGER vector_dims_index AFTER INSERT ON vector_dims FOR EACH ROW EXECUTE FUNCTION index_new_vector_dims();
     SELECT index_vectors(dims, current_schema()) FROM vector_dims;`,
  );
}
