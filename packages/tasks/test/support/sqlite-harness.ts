/**
 * The SQLite backend for shared suites, plus the helpers its own tests use. Each database is a
 * fresh temporary file, and every `open()` is a new `SqliteTaskStore` (a new connection) on that
 * file, as a second process would open it. Stores come back migrated.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { TaskChange, TaskStore } from '@carrel/tasks';
import { SqliteTaskStore, type SqliteTaskStoreOptions } from '@carrel/tasks/sqlite';
import type { BackendHarness, TestDatabase } from './harness.js';

export interface SqliteTestDatabase extends TestDatabase {
  path: string;
  /** A new migrated store on this file, typed as the SQLite store. */
  openSqlite(): Promise<SqliteTaskStore>;
}

/** A temporary SQLite file, and stores opened on it with `options`. */
export function createSqliteDatabase(options: Omit<SqliteTaskStoreOptions, 'path'> = {}): SqliteTestDatabase {
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

/** For a test file: `database()` creates a SQLite file that is dropped after each test. */
export function useSqliteDatabases(): (options?: Omit<SqliteTaskStoreOptions, 'path'>) => SqliteTestDatabase {
  const databases: SqliteTestDatabase[] = [];
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((db) => db.drop()));
  });
  return (options) => {
    const db = createSqliteDatabase(options);
    databases.push(db);
    return db;
  };
}

/** Insert options with no live-task limit. */
export const noLimit = () => ({ maxLivePerOwner: null, now: Date.now() });

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Runs an ES module snippet in a new Node process that resolves `@carrel/tasks` to source;
 * `onOutput` sees stdout as it grows.
 */
export function runNode(
  code: string,
  onOutput: (stdout: string) => void = () => {},
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=carrel-source', '--import', 'tsx', '--input-type=module', '-e', code], {
      cwd: repoRoot,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => onOutput((stdout += chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

/** Collects changes and lets a test await the first one matching a predicate. */
export function recorder() {
  const seen: TaskChange[] = [];
  const waiters = new Set<() => void>();
  return {
    seen,
    listener: (change: TaskChange) => {
      seen.push(change);
      for (const wake of waiters) wake();
    },
    next: (match: (change: TaskChange) => boolean, timeoutMs = 10_000) =>
      new Promise<TaskChange>((resolve, reject) => {
        const check = () => {
          const found = seen.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching change within ${timeoutMs} ms; saw ${JSON.stringify(seen)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
