/**
 * Versioned migrations of the knowledge base on PostgreSQL: numbered plain SQL files in
 * `migrations/` (`0001_knowledge_base.sql`, …), run with `search_path` set to the knowledge base's
 * schema. Each file runs in its own transaction under a transaction-scoped advisory lock keyed by
 * the schema, and is recorded in `kb_migrations`, so any number of processes may migrate the same
 * schema at once: the first applies, the others wait on the lock and then find nothing left to do.
 * (`kb_migrations`, not `migrations`: the task store's table of that name may share the schema.)
 *
 * The files are read relative to this module, from `src/` (tests) and `dist/` (the build copies
 * them there with scripts/copy-sql.mjs).
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';
import type { Query, SqlClient } from './client.js';
import { advisoryKey } from './client.js';

/** One numbered migration file. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

let loaded: Promise<Migration[]> | undefined;

/** The migration files in version order, read once per process. */
function loadMigrations(): Promise<Migration[]> {
  loaded ??= (async () => {
    const files = (await readdir(MIGRATIONS_DIR)).filter((name) => FILE_NAME.test(name)).sort();
    return Promise.all(
      files.map(async (file) => {
        const [, version, name] = FILE_NAME.exec(file) as RegExpExecArray;
        return { version: Number(version), name: name as string, sql: await readFile(new URL(file, MIGRATIONS_DIR), 'utf8') };
      }),
    );
  })();
  return loaded;
}

/** The advisory lock key under which `schema` is migrated (and prepared for pgvector, pgvector.ts). */
export const migrationLockKey = (schema: string): string => advisoryKey(`carrel.kb.migrate:${schema}`);

/** Brings the knowledge base's `schema` (which `client`'s search_path names) up to the newest migration. */
export async function migrate(client: SqlClient, schema: string): Promise<void> {
  const migrations = await loadMigrations();
  const quoted = pg.escapeIdentifier(schema);
  // Read without the lock first, so an up-to-date schema costs one statement.
  const done = await appliedVersions(client.query, schema);
  const known = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...done);
  // Code older than the schema might write rows the newer schema no longer allows.
  if (newest > known) {
    throw new Error(
      `The PostgreSQL knowledge base schema "${schema}" is at migration ${newest}, newer than this Carrel knows (${known}): upgrade Carrel`,
    );
  }
  for (const migration of migrations.filter((m) => !done.has(m.version))) {
    await client.transaction(async ({ query }) => {
      // Several statements in one round trip: the simple protocol takes no parameters, hence literals.
      await query(
        `SELECT pg_advisory_xact_lock(${migrationLockKey(schema)});
         CREATE SCHEMA IF NOT EXISTS ${quoted};
         CREATE TABLE IF NOT EXISTS ${quoted}.kb_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`,
      );
      // Read again under the lock: another process may have applied it while this one waited.
      if ((await appliedVersions(query, schema)).has(migration.version)) return;
      await query(
        `${migration.sql};
         INSERT INTO ${quoted}.kb_migrations (version, name) VALUES (${migration.version}, ${pg.escapeLiteral(migration.name)});`,
      );
    });
  }
}

/** The versions recorded in the schema (none when the schema or its table does not exist yet). */
async function appliedVersions(query: Query, schema: string): Promise<Set<number>> {
  const [exists] = await query<{ table: string | null }>('SELECT to_regclass($1) AS table', [
    `${pg.escapeIdentifier(schema)}.kb_migrations`,
  ]);
  if (!exists?.table) return new Set();
  const rows = await query<{ version: number }>(`SELECT version FROM ${pg.escapeIdentifier(schema)}.kb_migrations`);
  return new Set(rows.map((r) => r.version));
}
