/**
 * The SQLite backend for shared suites: each database is a fresh temporary file, and every
 * `open()` is a new `SqliteTaskStore` (a new connection) on that file, as a second process would
 * open it. Stores come back migrated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskStore } from '@carrel/tasks';
import { SqliteTaskStore, type SqliteTaskStoreOptions } from '@carrel/tasks/sqlite';
import type { BackendHarness, TestDatabase } from './harness.js';

/** A temporary SQLite file, and stores opened on it with `options`. */
export function createSqliteDatabase(options: Omit<SqliteTaskStoreOptions, 'path'> = {}): TestDatabase & { path: string; openSqlite(): Promise<SqliteTaskStore> } {
  const dir = mkdtempSync(join(tmpdir(), 'carrel-sqlite-'));
  const path = join(dir, 'tasks.db');
  const opened: SqliteTaskStore[] = [];
  const openSqlite = async () => {
    const store = new SqliteTaskStore({ path, ...options });
    opened.push(store);
    await store.migrate();
    return store;
  };
  return {
    path,
    locator: { backend: 'sqlite', path },
    openSqlite,
    open: (): Promise<TaskStore> => openSqlite(),
    async drop() {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      // The directory holds the file and its -wal and -shm companions.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const sqliteHarness: BackendHarness = {
  name: 'sqlite',
  createDatabase: async () => createSqliteDatabase(),
};
