/**
 * Whether the keyword retriever ranks through a RUM index, decided when a repository opens, and
 * the step that makes the index.
 *
 * GIN answers which chunks hold a word, not which hold it best: `ts_rank` reads the tsvector of
 * every chunk the ranked words match from the table, ~0.3 s per search at 1M chunks
 * (bench/README.md § Issue 9). RUM (the `rum` extension: Debian and Ubuntu `postgresql-NN-rum`,
 * the PGDG repositories) keeps each word's positions in the index and returns matches in the
 * order of its own distance (`<=>`, a cover-density rank) from the index alone. An unfiltered
 * search takes that order's best {@link RUM_CANDIDATES} and ranks them with `ts_rank` as the GIN
 * path does (sql/search.ts), so a query whose ranked words match no more chunks (of any version:
 * the index holds them all) than that ranks exactly as on GIN; a query matching more ranks the
 * best of cover density's candidates.
 *
 * At open, as for pgvector (pgvector.ts): if the server offers `rum` and the database lacks it,
 * the repository creates it (`CREATE EXTENSION rum SCHEMA public`: rum is not a trusted extension,
 * so this needs a superuser); then the first node to open the schema with the extension builds
 * the index `chunks_search_rum` under the migration lock. The index's existence is the record:
 * `DROP EXTENSION rum CASCADE` drops it, nodes opened afterwards use GIN, and the index is built
 * again when the extension returns. Building it reads every chunk (70 s for 1M chunks on the
 * 2-core bench machine); nodes opening meanwhile wait for the lock. A node that opened before the
 * index existed uses GIN until restarted; both paths return the same words' chunks.
 *
 * @module
 */
import pg from 'pg';
import type { KeywordIndexPath } from '../repository.js';
import type { Query, SqlClient } from './client.js';
import { createExtension } from './extension.js';
import { migrationLockKey } from './migrate.js';

/** Chunks a RUM search takes in cover-density order before ranking them with `ts_rank`. */
export const RUM_CANDIDATES = 1000;

/** The keyword path decided at open; with RUM, the schema its operators live in. */
export type KeywordSetup = { path: 'rum'; version: string; extensionSchema: string } | Extract<KeywordIndexPath, { path: 'gin' }>;

interface ExtensionState {
  available: string | null;
  installed: string | null;
  extensionSchema: string | null;
  indexed: boolean;
}

/** Detects the keyword path for `schema` (migrated), creating the extension and the index when possible. */
export async function setUpKeywordIndex(client: SqlClient, schema: string): Promise<KeywordSetup> {
  let state = await extensionState(client.query, schema);
  if (!state.available) return { path: 'gin', reason: 'the server does not offer the rum extension' };
  if (!state.installed) {
    const failure = await createExtension(client, schema, 'rum');
    if (failure !== null) return { path: 'gin', reason: failure };
    state = await extensionState(client.query, schema);
  }
  if (!state.indexed) {
    await client.transaction(async ({ query }) => {
      await query(`SELECT pg_advisory_xact_lock(${migrationLockKey(schema)})`);
      const rum = pg.escapeIdentifier(state.extensionSchema!);
      await query(`CREATE INDEX IF NOT EXISTS chunks_search_rum ON chunks USING rum (search ${rum}.rum_tsvector_ops)`);
    });
  }
  return { path: 'rum', version: state.installed!, extensionSchema: state.extensionSchema! };
}

async function extensionState(query: Query, schema: string): Promise<ExtensionState> {
  const [row] = await query<ExtensionState>(
    `SELECT (SELECT default_version FROM pg_available_extensions WHERE name = 'rum') AS available,
            e.extversion AS installed, n.nspname AS "extensionSchema", to_regclass($1) IS NOT NULL AS indexed
     FROM (SELECT 1) one LEFT JOIN pg_extension e ON e.extname = 'rum' LEFT JOIN pg_namespace n ON n.oid = e.extnamespace`,
    [`${pg.escapeIdentifier(schema)}.chunks_search_rum`],
  );
  return row!;
}
