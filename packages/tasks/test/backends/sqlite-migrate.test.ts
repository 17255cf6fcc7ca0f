/**
 * SQLite migrations: numbered SQL files applied once each, safe when several processes open and
 * migrate a new file at the same moment, and refusing a schema newer than the code.
 */
import { readFileSync } from 'node:fs';
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
    expect(versions).toEqual([1, 2, 3, 4, 5]);
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
    expect(raw.prepare('SELECT version FROM carrel_schema_migrations ORDER BY version').pluck().all()).toEqual([1, 2, 3, 4, 5]);
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
    await expect(migrating).rejects.toThrow(/schema version 999.*supports up to 5/);
    await store.close();
  });

  it('number the tasks of a version 1 file in (created_at, id) order, and new tasks after them', async () => {
    const db = database();
    const raw = new Sqlite(db.path);
    raw.exec('CREATE TABLE carrel_schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT');
    raw.exec(readFileSync(new URL('../../src/backends/sqlite/migrations/0001_init.sql', import.meta.url), 'utf8'));
    raw.prepare('INSERT INTO carrel_schema_migrations (version, applied_at) VALUES (1, 0)').run();
    const insertV1 = raw.prepare(
      `INSERT INTO carrel_tasks (id, owner, handler, input, status, created_at, updated_at, poll_interval_ms, max_attempts, run_at)
       VALUES (?, 'alice', 'job', 'null', 'working', ?, ?, 1000, 1, ?)`,
    );
    // Inserted out of order: version 1 listed by (created_at, id), and so must the numbering.
    for (const [id, createdAt] of [
      ['b', 20],
      ['c', 10],
      ['a', 20],
      ['d', 30],
    ] as const)
      insertV1.run(id, createdAt, createdAt, createdAt);
    raw.close();

    const store = await db.openSqlite();
    const listed = await store.list({ owner: 'alice', limit: 10 });
    expect(listed.map((t) => [t.id, t.seq])).toEqual([
      ['d', 4],
      ['b', 3],
      ['a', 2],
      ['c', 1],
    ]);
    // Columns added since (version 5) are null on the tasks stored before.
    for (const t of listed) expect(t).toMatchObject({ startedAt: null, finishedAt: null, node: null, retryOf: null });
    const { task } = await store.insert(newTask({ createdAt: 0 }), noLimit());
    expect(task.seq).toBe(5);
    expect((await store.list({ owner: 'alice', limit: 2, beforeSeq: 3 })).map((t) => t.id)).toEqual(['a', 'c']);
  });

  it('create the task tables in an application’s existing database and leave its own tables alone', async () => {
    const db = database();
    const app = new Sqlite(db.path);
    // Names an application may well use: none of them is the store's (all of its are carrel_-prefixed).
    app.exec(`CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT);
      CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);
      CREATE TABLE sequence (last INTEGER);
      INSERT INTO tasks (title) VALUES ('water the plants');
      INSERT INTO schema_migrations VALUES (1), (2), (3);
      INSERT INTO sequence VALUES (41);`);
    // The application's own objects: not the store's, nor SQLite's (sqlite_sequence, automatic indexes).
    const appSchema = () =>
      app
        .prepare<[], { name: string; sql: string }>('SELECT name, sql FROM sqlite_schema ORDER BY name')
        .all()
        .filter(({ name }) => !/^(carrel|sqlite)_/.test(name));
    const before = appSchema();
    const store = await db.openSqlite();
    const { task } = await store.insert(newTask(), noLimit());
    expect(task.seq).toBe(1);
    expect(appSchema()).toEqual(before);
    expect(app.prepare('SELECT title FROM tasks').pluck().all()).toEqual(['water the plants']);
    expect(app.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1, 2, 3]);
    expect(app.prepare('SELECT last FROM sequence').pluck().get()).toBe(41);
    app.close();
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
