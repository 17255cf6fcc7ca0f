/**
 * SQLite migrations: numbered SQL files applied once each, safe when several processes open and
 * migrate a new file at the same moment, and refusing a schema newer than the code.
 */
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SchemaNotMigratedError, SchemaTooNewError } from '@carrel/tasks';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import { newTask } from '../support/new-task.js';
import { noLimit, recorder, runNode, useSqliteDatabases } from '../support/sqlite-harness.js';

const database = useSqliteDatabases();

describe('migrations', () => {
  it('are idempotent: a second migrate applies nothing and the schema is recorded once per version', async () => {
    const db = database();
    const store = await db.openSqlite();
    await store.migrate();
    await (await db.openSqlite()).migrate();
    const raw = new Sqlite(db.path, { readonly: true });
    const versions = raw.prepare('SELECT version FROM carrel_schema_migrations ORDER BY version').pluck().all();
    raw.close();
    expect(versions).toEqual([1]);
    expect((await store.insert(newTask(), noLimit())).created).toBe(true);
  });

  it('run safely from several processes migrating one new file at once', async () => {
    const db = database();
    const startAt = Date.now() + 2_000;
    const code = `
      import { SqliteTaskStore } from '@carrel/tasks/sqlite';
      while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 1));
      // Opening (the switch to WAL) and migrating both race the other processes.
      const store = new SqliteTaskStore({ path: ${JSON.stringify(db.path)} });
      await store.migrate();
      await store.insert({ id: 'from-' + process.pid, owner: 'alice', handler: 'job', input: null, createdAt: 1, ttlMs: null, expiresAt: null,
        pollIntervalMs: 1000, maxAttempts: 1, runAt: 1, uniqueKey: null, uniqueUntil: null, parentId: null, meta: {} }, { maxLivePerOwner: null, now: 1 });
      await store.close();
    `;
    const results = await Promise.all([runNode(code), runNode(code), runNode(code)]);
    for (const result of results) expect(result, result.stderr).toMatchObject({ exitCode: 0 });
    const raw = new Sqlite(db.path, { readonly: true });
    expect(raw.prepare('SELECT version FROM carrel_schema_migrations').pluck().all()).toEqual([1]);
    expect(raw.prepare('SELECT count(*) FROM carrel_tasks').pluck().get()).toBe(3);
    raw.close();
  });

  it('refuse a database migrated by a newer version, naming the versions', async () => {
    const db = database();
    await db.openSqlite();
    const raw = new Sqlite(db.path);
    raw.prepare('INSERT INTO carrel_schema_migrations (version, applied_at) VALUES (999, 0)').run();
    raw.close();
    const store = new SqliteTaskStore({ path: db.path });
    const migrating = store.migrate();
    await expect(migrating).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(migrating).rejects.toThrow(/schema version 999.*supports up to 1/);
    await store.close();
  });

  it('are needed before use: an unmigrated file says how to fix it, while subscribing early is fine', async () => {
    const db = database();
    const store = new SqliteTaskStore({ path: db.path });
    const changes = recorder();
    store.subscribe(changes.listener);
    const using = store.get('x');
    await expect(using).rejects.toBeInstanceOf(SchemaNotMigratedError);
    await expect(using).rejects.toThrow(/call store\.migrate\(\)/);
    await store.migrate();
    const { task } = await store.insert(newTask(), noLimit());
    await changes.next((c) => c.taskId === task.id && c.kind === 'created');
    await store.close();
  });
});
