/**
 * A per-connection cache of prepared statements: compiling SQL costs more than running it on
 * the ingest hot path (tens of statements per document).
 *
 * @module
 */
import type { Database, Statement } from 'better-sqlite3';

const caches = new WeakMap<Database, Map<string, Statement>>();

/** The prepared statement for `sql` on `db`, compiled once. */
export function stmt<P extends unknown[] = unknown[], R = unknown>(db: Database, sql: string): Statement<P, R> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let s = cache.get(sql);
  if (!s) cache.set(sql, (s = db.prepare(sql)));
  return s as unknown as Statement<P, R>;
}
