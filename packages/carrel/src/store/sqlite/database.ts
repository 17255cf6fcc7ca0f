/**
 * Opens the knowledge-base SQLite file: WAL (so an MCP server and a CLI can share it: readers
 * never block, writers wait on busy_timeout), sqlite-vec loaded, the title filter's lowercasing
 * registered (../title-match.ts), schema migrated.
 *
 * @module
 */
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { lowerTitle, TITLE_LOWER_FUNCTION } from '../title-match.js';
import { migrate } from './migrate.js';

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** How long a writer waits for another process's write lock, in ms. */
  busyTimeoutMs?: number;
  readonly?: boolean;
  /** SQLite's page cache for this connection, in MB (default 32). */
  cacheMb?: number;
}

/** Opens (creating if needed) and migrates the database at `path`. */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Db {
  const db = new Database(path, { readonly: options.readonly ?? false });
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode is durable against process crashes (SIGKILL); only an OS crash can lose
      // the last commits, and never corrupts. It removes an fsync per document transaction.
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${(options.cacheMb ?? 32) * 1000}`);
    db.pragma('temp_store = MEMORY');
    sqliteVec.load(db);
    db.function(TITLE_LOWER_FUNCTION, { deterministic: true }, (text: unknown) => (typeof text === 'string' ? lowerTitle(text) : text));
    if (!options.readonly) migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
