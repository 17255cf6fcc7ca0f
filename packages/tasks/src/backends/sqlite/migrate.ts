/**
 * Applies the numbered SQL files in `migrations/` (`0001_init.sql`, …) in order, each in its own
 * `BEGIN IMMEDIATE` transaction that first re-checks `carrel_schema_migrations`: the write lock
 * makes a second process wait for the first and then find the version already applied, so any
 * number of processes may migrate one file at once. Every table is `carrel_`-prefixed, so the
 * schema can live in a database file that holds an application's own tables too.
 *
 * The files are read at runtime next to this module: from `src/` under tests, from `dist/` once
 * built (the build copies them, see `scripts/copy-sql.mjs`).
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { SchemaTooNewError } from '../../errors.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;

interface Migration {
  version: number;
  file: string;
}

/** The migrations shipped with this version of the package, in order. */
function knownMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .map((file) => ({ file, match: FILE_NAME.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), file }))
    .sort((a, b) => a.version - b.version);
}

/**
 * Brings the database up to the newest known schema version. Each step that needs a lock is
 * retried by `whileBusy` (see `busy-retry.ts`), which waits on timers, never on this thread.
 */
export async function migrate(db: Database, whileBusy: <T>(attempt: () => T) => Promise<T>): Promise<void> {
  const migrations = knownMigrations();
  await whileBusy(() =>
    db
      .transaction(() => {
        db.exec('CREATE TABLE IF NOT EXISTS carrel_schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
      })
      .immediate(),
  );
  const newest = await whileBusy(
    () => db.prepare<[], number | null>('SELECT max(version) FROM carrel_schema_migrations').pluck().get() ?? 0,
  );
  const known = migrations.at(-1)?.version ?? 0;
  if (newest > known) throw new SchemaTooNewError(`The SQLite task database at ${db.name}`, newest, known);

  const [isApplied, markApplied] = await whileBusy(
    () =>
      [
        db.prepare<[number], number>('SELECT 1 FROM carrel_schema_migrations WHERE version = ?').pluck(),
        db.prepare<[number, number]>('INSERT INTO carrel_schema_migrations (version, applied_at) VALUES (?, ?)'),
      ] as const,
  );
  for (const { version, file } of migrations) {
    // Checked without the write lock first, so a routine start takes no lock per version.
    if ((await whileBusy(() => isApplied.get(version))) !== undefined) continue;
    const apply = db.transaction(() => {
      if (isApplied.get(version) !== undefined) return;
      db.exec(readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'));
      markApplied.run(version, Date.now());
    });
    await whileBusy(() => apply.immediate());
  }
}
