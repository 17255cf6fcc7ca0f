/**
 * The size of the database that holds the tasks and the knowledge base, for `/metrics`: the
 * SQLite file with its write-ahead log, or `pg_database_size` of the PostgreSQL database (one
 * pooled connection, opened at the first scrape).
 *
 * @module
 */
import { stat } from 'node:fs/promises';
import type pg from 'pg';
import { databasePath } from '../data-dir.js';
import type { Settings } from '../app/settings.js';

export interface DatabaseSize {
  /** Bytes. */
  read(): Promise<number>;
  close(): Promise<void>;
}

export function databaseSize(settings: Pick<Settings, 'dataDir' | 'databaseUrl'>): DatabaseSize {
  const { databaseUrl } = settings;
  if (databaseUrl === undefined) {
    const file = databasePath(settings.dataDir);
    const size = (path: string) =>
      stat(path).then(
        (s) => s.size,
        () => 0,
      );
    return { read: async () => (await size(file)) + (await size(`${file}-wal`)), close: async () => {} };
  }
  let pool: Promise<pg.Pool> | undefined;
  return {
    async read() {
      pool ??= import('pg').then(({ default: { Pool } }) =>
        new Pool({ connectionString: databaseUrl, max: 1 }).on('error', () => undefined),
      );
      const { rows } = await (await pool).query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
      return Number(rows[0]!.size);
    },
    async close() {
      await (await pool)?.end();
    },
  };
}
