/**
 * Versioned migrations: numbered plain SQL files in `migrations/` (`0001_init.sql`, …), with a
 * `{{schema}}` placeholder replaced by the quoted schema name. Each file runs in its own
 * transaction under a transaction-scoped advisory lock and is recorded in `<schema>.migrations`,
 * so any number of processes can migrate the same schema at once: the first applies, the
 * others wait on the lock and then find nothing left to do.
 *
 * The files are read relative to this module, which works from `src/` (tests) and from `dist/`
 * (the build copies them there with scripts/copy-sql.mjs).
 *
 * @module
 */
import { readdir, readFile } from 'node:fs/promises';
import pg from 'pg';
import type { Database, Query } from './database.js';
import { SchemaNotMigratedError, SchemaTooNewError } from '../../errors.js';

/** One numbered migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

let loaded: Promise<Migration[]> | undefined;

/** The migration files in version order, read once per process. */
export function loadMigrations(): Promise<Migration[]> {
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

/**
 * Brings `schema` up to the newest migration. The lock key is derived from the schema name, so
 * migrating one schema never waits on another. The first transaction also creates the schema
 * and the migrations table, under the same lock.
 */
export async function migrate(db: Database, quotedSchema: string, schema: string): Promise<void> {
  const migrations = await loadMigrations();
  // Checked without the lock first, so an up-to-date schema costs one read.
  const done = await appliedVersions(db.query, quotedSchema).catch((error: unknown) => {
    if (error instanceof SchemaNotMigratedError) return new Set<number>();
    throw error;
  });
  const known = migrations.at(-1)?.version ?? 0;
  const newest = Math.max(0, ...done);
  // Code older than the schema might write rows the newer schema no longer allows.
  if (newest > known) throw new SchemaTooNewError(`The PostgreSQL task schema "${schema}"`, newest, known);
  const pending = migrations.filter((m) => !done.has(m.version));
  for (const migration of pending) {
    await db.transaction(async (query) => {
      // Several statements in one round trip (the simple protocol allows no parameters, hence the literal).
      await query(
        `SELECT pg_advisory_xact_lock(hashtext('carrel.tasks.migrate'), hashtext(${pg.escapeLiteral(schema)}));
         CREATE SCHEMA IF NOT EXISTS ${quotedSchema};
         CREATE TABLE IF NOT EXISTS ${quotedSchema}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`,
      );
      // Re-read under the lock: another process may have applied it while we waited.
      if ((await appliedVersions(query, quotedSchema)).has(migration.version)) return;
      await query(
        `${migration.sql.replaceAll('{{schema}}', quotedSchema)};
         INSERT INTO ${quotedSchema}.migrations (version, name) VALUES (${migration.version}, ${pg.escapeLiteral(migration.name)});`,
      );
    });
  }
}

async function appliedVersions(query: Query, quotedSchema: string): Promise<Set<number>> {
  const rows = await query<{ version: number }>(`SELECT version FROM ${quotedSchema}.migrations`);
  return new Set(rows.map((r) => r.version));
}
