/**
 * Applies the numbered SQL files in `migrations/` (0001_*.sql, …) in order, each in its own
 * IMMEDIATE transaction that re-reads the applied version first, so two processes opening a
 * fresh file at once apply each migration exactly once.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

interface Migration {
  version: number;
  name: string;
  sql: string;
}

function loadMigrations(): Migration[] {
  if (!existsSync(MIGRATIONS_DIR)) throw new Error(`Migrations folder missing: ${MIGRATIONS_DIR} (the build copies *.sql next to the JS)`);
  return readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(MIGRATIONS_DIR + f, 'utf8') }));
}

/** Brings the schema up to date; returns the resulting schema version. */
export function migrate(db: Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let version = current.get()?.v ?? 0;
  for (const m of loadMigrations()) {
    if (m.version <= version) continue;
    db.transaction(() => {
      // Another process may have applied it between our read and our write lock.
      if ((current.get()?.v ?? 0) >= m.version) return;
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
    version = current.get()?.v ?? 0;
  }
  return version;
}
