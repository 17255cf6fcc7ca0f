/**
 * What only the SQLite backend has to prove beyond the shared contract: its migrations, its
 * file surviving a restart, its change feed crossing connections and processes, claims that
 * never collide when several processes share a file, its error mapping, and index-only hot paths.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TaskLimitError, type NewTask, type TaskChange } from '@carrel/tasks';
import { DuplicateTaskIdError, SchemaTooNewError, SqliteBusyError, SqliteTaskStore, type SqliteTaskStoreOptions } from '@carrel/tasks/sqlite';
import { createSqliteDatabase } from '../support/sqlite-harness.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

const databases: ReturnType<typeof createSqliteDatabase>[] = [];
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

function database(options: Omit<SqliteTaskStoreOptions, 'path'> = {}) {
  const db = createSqliteDatabase(options);
  databases.push(db);
  return db;
}

let counter = 0;
function newTask(overrides: Partial<NewTask> = {}): NewTask {
  const now = Date.now();
  return {
    id: `task-${++counter}-${Math.random().toString(36).slice(2)}`,
    owner: 'alice',
    handler: 'job',
    input: { n: counter },
    createdAt: now,
    ttlMs: null,
    expiresAt: null,
    pollIntervalMs: 1_000,
    maxAttempts: 3,
    runAt: now,
    uniqueKey: null,
    uniqueUntil: null,
    parentId: null,
    meta: {},
    ...overrides,
  };
}

const noLimit = () => ({ maxLivePerOwner: null, now: Date.now() });

/**
 * Runs an ES module snippet in a new Node process that resolves `@carrel/tasks` to source;
 * `onOutput` sees stdout as it grows.
 */
function runNode(code: string, onOutput: (stdout: string) => void = () => {}): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=carrel-source', '--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => onOutput((stdout += chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve({ exitCode, stdout, stderr }));
  });
}

/** Collects changes and lets a test await the first one matching a predicate. */
function recorder() {
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
      const store = new SqliteTaskStore({ path: ${JSON.stringify(db.path)} });
      while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 1));
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
    await expect(store.get('x')).rejects.toThrow(/call store\.migrate\(\)/);
    await store.migrate();
    const { task } = await store.insert(newTask(), noLimit());
    await changes.next((c) => c.taskId === task.id && c.kind === 'created');
    await store.close();
  });
});

describe('durability', () => {
  it('keeps tasks, outcomes and held unique keys across close and reopen', async () => {
    const db = database();
    const first = await db.openSqlite();
    const kept = await first.insert(newTask({ uniqueKey: 'nightly' }), noLimit());
    const done = (await first.insert(newTask({ input: { big: 'x'.repeat(10_000) } }), noLimit())).task;
    await first.claim({ worker: 'w', handlers: ['job'], limit: 10, leaseMs: 60_000, now: Date.now() });
    await first.complete({ id: done.id, worker: 'w', status: 'completed', outcome: { result: { ok: true } }, statusMessage: null, now: Date.now() });
    await first.close();

    const second = await db.openSqlite();
    expect(await second.get(done.id)).toMatchObject({ status: 'completed', outcome: { result: { ok: true } }, input: { big: 'x'.repeat(10_000) } });
    expect(await second.get(kept.task.id)).toMatchObject({ status: 'working', lease: { worker: 'w' }, attempt: 1 });
    const again = await second.insert(newTask({ uniqueKey: 'nightly' }), noLimit());
    expect(again).toMatchObject({ created: false, task: { id: kept.task.id } });
  });
});

describe('unique keys', () => {
  it('are a database constraint: a second live row with the same owner and key cannot exist', async () => {
    const db = database();
    const store = await db.openSqlite();
    await store.insert(newTask({ uniqueKey: 'k' }), noLimit());
    const raw = new Sqlite(db.path);
    const copy = raw.prepare(
      `INSERT INTO carrel_tasks (id, owner, handler, input, status, created_at, updated_at, poll_interval_ms, max_attempts, run_at, unique_key, unique_slot)
       VALUES ('copy', 'alice', 'job', 'null', 'working', 0, 0, 1000, 1, 0, 'k', 'k')`,
    );
    expect(() => copy.run()).toThrow(expect.objectContaining({ code: 'SQLITE_CONSTRAINT_UNIQUE' }));
    raw.close();
  });

  it('are released in the database when the task ends, while the record still shows its key', async () => {
    const db = database();
    const store = await db.openSqlite();
    const { task } = await store.insert(newTask({ uniqueKey: 'k' }), noLimit());
    await store.cancel({ id: task.id, statusMessage: 'stop', now: Date.now() });
    const raw = new Sqlite(db.path, { readonly: true });
    expect(raw.prepare('SELECT unique_key, unique_slot FROM carrel_tasks WHERE id = ?').get(task.id)).toEqual({ unique_key: 'k', unique_slot: null });
    raw.close();
    expect((await store.get(task.id))?.uniqueKey).toBe('k');
  });

  it('checks the live-task limit in the same transaction and writes nothing when over it', async () => {
    const db = database();
    const store = await db.openSqlite();
    const changes = recorder();
    await store.insert(newTask(), { maxLivePerOwner: 1, now: Date.now() });
    store.subscribe(changes.listener);
    await expect(store.insert(newTask(), { maxLivePerOwner: 1, now: Date.now() })).rejects.toBeInstanceOf(TaskLimitError);
    expect(await store.list({ owner: 'alice', limit: 10 })).toHaveLength(1);
    await Promise.resolve();
    expect(changes.seen).toEqual([]);
  });
});

describe('change feed', () => {
  it('delivers a store’s own changes once, after the commit, and other connections’ changes through the poller', async () => {
    const db = database();
    const a = await db.openSqlite();
    const b = await db.openSqlite();
    const seenByA = recorder();
    const seenByB = recorder();
    a.subscribe(seenByA.listener);
    b.subscribe(seenByB.listener);
    const reader = new Sqlite(db.path, { readonly: true });
    const committedStatus = reader.prepare<[string], string>('SELECT status FROM carrel_tasks WHERE id = ?').pluck();
    const statusSeenByListener: (string | undefined)[] = [];
    a.subscribe((change) => statusSeenByListener.push(committedStatus.get(change.taskId)));

    const first = (await a.insert(newTask(), noLimit())).task;
    await seenByB.next((c) => c.taskId === first.id && c.kind === 'created');
    const second = (await b.insert(newTask(), noLimit())).task;
    await seenByA.next((c) => c.taskId === second.id);
    reader.close();

    // A's poller read past A's own row on its way to B's, and skipped it.
    expect(seenByA.seen.map((c) => [c.taskId, c.kind])).toEqual([
      [first.id, 'created'],
      [second.id, 'created'],
    ]);
    expect(seenByA.seen[0]).toEqual({ taskId: first.id, owner: 'alice', parentId: null, status: 'working', kind: 'created' });
    // Another connection could already read the row when the listener ran: delivered after commit.
    expect(statusSeenByListener[0]).toBe('working');
  });

  it('replays no history: a new subscriber hears only what commits after it subscribed', async () => {
    const db = database();
    const writer = await db.openSqlite();
    await writer.insert(newTask(), noLimit());
    const listener = await db.openSqlite();
    const changes = recorder();
    listener.subscribe(changes.listener);
    const later = (await writer.insert(newTask(), noLimit())).task;
    await changes.next((c) => c.taskId === later.id);
    expect(changes.seen.map((c) => c.taskId)).toEqual([later.id]);
  });

  it('hears tasks inserted by another process', async () => {
    const db = database();
    const store = await db.openSqlite();
    const changes = recorder();
    store.subscribe(changes.listener);
    const result = await runNode(`
      import { SqliteTaskStore } from '@carrel/tasks/sqlite';
      const store = new SqliteTaskStore({ path: ${JSON.stringify(db.path)} });
      await store.migrate();
      await store.insert({ id: 'from-child', owner: 'bob', handler: 'job', input: { hello: 1 }, createdAt: Date.now(), ttlMs: null, expiresAt: null,
        pollIntervalMs: 1000, maxAttempts: 1, runAt: Date.now(), uniqueKey: null, uniqueUntil: null, parentId: null, meta: {} }, { maxLivePerOwner: null, now: Date.now() });
      await store.close();
    `);
    expect(result, result.stderr).toMatchObject({ exitCode: 0 });
    expect(await changes.next((c) => c.taskId === 'from-child')).toEqual({ taskId: 'from-child', owner: 'bob', parentId: null, status: 'working', kind: 'created' });
    expect(await store.get('from-child')).toMatchObject({ input: { hello: 1 } });
  });

  it('keeps a listening process alive until the change it waits for arrives from another process', async () => {
    const db = database();
    const store = await db.openSqlite();
    let inserted = false;
    const child = runNode(
      `
      import { SqliteTaskStore } from '@carrel/tasks/sqlite';
      const store = new SqliteTaskStore({ path: ${JSON.stringify(db.path)} });
      await store.migrate();
      store.subscribe((change) => {
        console.log('heard ' + change.taskId);
        void store.close();
      });
      console.log('ready');
    `,
      (stdout) => {
        if (inserted || !stdout.includes('ready')) return;
        inserted = true;
        void store.insert(newTask({ id: 'awaited' }), noLimit());
      },
    );
    const result = await child;
    expect(result, result.stderr).toMatchObject({ exitCode: 0 });
    expect(result.stdout).toBe('ready\nheard awaited\n');
  });

  it('prunes change rows older than the retention while writing', async () => {
    const db = database({ changeRetentionMs: 50 });
    const store = await db.openSqlite();
    for (let i = 0; i < 5; i++) await store.insert(newTask(), noLimit());
    const raw = new Sqlite(db.path, { readonly: true });
    const rows = raw.prepare('SELECT count(*) FROM carrel_task_changes').pluck();
    expect(rows.get()).toBe(5);
    await new Promise((r) => setTimeout(r, 120));
    await store.insert(newTask(), noLimit());
    expect(rows.get()).toBe(1);
    raw.close();
  });

  it('stops polling on close, even with listeners still subscribed', async () => {
    const db = database({ changePollMs: 1 });
    const store = await db.openSqlite();
    const other = await db.openSqlite();
    store.subscribe(() => {});
    await store.close();
    // A poll on the closed connection would throw from its timer and fail the run.
    await other.insert(newTask(), noLimit());
    await new Promise((r) => setTimeout(r, 20));
    await expect(store.get('x')).rejects.toThrow(/not open/);
  });
});

describe('claiming from several connections and processes', () => {
  it('two stores claiming in interleaved loops lease each of 200 tasks exactly once', async () => {
    const db = database();
    const a = await db.openSqlite();
    const b = await db.openSqlite();
    for (let i = 0; i < 200; i++) await a.insert(newTask(), noLimit());
    const claimedBy = new Map<string, string[]>();
    const claimLoop = async (store: SqliteTaskStore, worker: string) => {
      for (;;) {
        const batch = await store.claim({ worker, handlers: ['job'], limit: 3, leaseMs: 60_000, now: Date.now() });
        if (batch.length === 0) return;
        for (const task of batch) claimedBy.set(task.id, [...(claimedBy.get(task.id) ?? []), worker]);
        await new Promise((r) => setImmediate(r));
      }
    };
    await Promise.all([claimLoop(a, 'a'), claimLoop(b, 'b')]);
    expect(claimedBy.size).toBe(200);
    expect([...claimedBy.values()].filter((workers) => workers.length !== 1)).toEqual([]);
    const workers = new Set([...claimedBy.values()].flat());
    expect(workers).toEqual(new Set(['a', 'b']));
  });

  it('two processes claiming from one file at once never lease the same task', async () => {
    const db = database();
    const store = await db.openSqlite();
    for (let i = 0; i < 200; i++) await store.insert(newTask(), noLimit());
    const startAt = Date.now() + 2_000;
    const claimer = (worker: string) => `
      import { SqliteTaskStore } from '@carrel/tasks/sqlite';
      const store = new SqliteTaskStore({ path: ${JSON.stringify(db.path)} });
      await store.migrate();
      const ids = [];
      while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 1));
      for (;;) {
        const batch = await store.claim({ worker: '${worker}', handlers: ['job'], limit: 2, leaseMs: 60000, now: Date.now() });
        if (batch.length === 0) break;
        ids.push(...batch.map((t) => t.id));
      }
      await store.close();
      console.log(JSON.stringify(ids));
    `;
    const [one, two] = await Promise.all([runNode(claimer('p1')), runNode(claimer('p2'))]);
    expect(one, one.stderr).toMatchObject({ exitCode: 0 });
    expect(two, two.stderr).toMatchObject({ exitCode: 0 });
    const first = JSON.parse(one.stdout) as string[];
    const second = JSON.parse(two.stdout) as string[];
    expect(first.filter((id) => second.includes(id))).toEqual([]);
    expect(new Set([...first, ...second]).size).toBe(200);
    expect(first.length + second.length).toBe(200);
  });
});

describe('expected SQLite errors', () => {
  it('a write that cannot get the lock within busyTimeoutMs fails with SqliteBusyError', async () => {
    const db = database({ busyTimeoutMs: 50 });
    const store = await db.openSqlite();
    const holder = new Sqlite(db.path);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const insert = store.insert(newTask(), noLimit());
      await expect(insert).rejects.toBeInstanceOf(SqliteBusyError);
      await expect(insert).rejects.toThrow(/locked for more than 50 ms.*busyTimeoutMs/);
      expect(await store.get('anything')).toBeNull();
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect((await store.insert(newTask(), noLimit())).created).toBe(true);
  });

  it('reusing a task id fails with DuplicateTaskIdError and publishes nothing', async () => {
    const db = database();
    const store = await db.openSqlite();
    const task = newTask();
    await store.insert(task, noLimit());
    const changes = recorder();
    store.subscribe(changes.listener);
    await expect(store.insert(task, noLimit())).rejects.toBeInstanceOf(DuplicateTaskIdError);
    await Promise.resolve();
    expect(changes.seen).toEqual([]);
  });
});

describe('query plans', () => {
  it('no statement the store prepares scans the task table, and the feed reads by sequence only', async () => {
    const prepare = vi.spyOn(Sqlite.prototype, 'prepare');
    const db = database();
    await db.openSqlite();
    const sources = prepare.mock.calls.map(([source]) => source).filter((source) => !source.startsWith('EXPLAIN'));
    prepare.mockRestore();
    const raw = new Sqlite(db.path, { readonly: true });
    // EXPLAIN needs every parameter bound; NULL leaves the plan's shape as it is.
    const nulls = (source: string) => {
      const names = [...new Set([...source.matchAll(/:([a-z_]+)/g)].map((match) => match[1]!))];
      return names.length > 0 ? [Object.fromEntries(names.map((name) => [name, null]))] : Array.from(source.matchAll(/\?/g), () => null);
    };
    const plans = sources
      .filter((source) => /carrel_task/.test(source))
      .map((source) => ({
        source,
        plan: raw
          .prepare(`EXPLAIN QUERY PLAN ${source}`)
          .all(...nulls(source))
          .map((row) => (row as { detail: string }).detail),
      }));
    raw.close();
    expect(plans.length).toBeGreaterThan(20);
    const fullScans = plans.filter(({ plan }) => plan.some((step) => /^SCAN carrel_tasks\b/.test(step)));
    expect(fullScans).toEqual([]);
    // The only scan of the feed is the prune's, and it stops after a fixed number of the oldest rows.
    const feedScans = plans.filter(({ plan }) => plan.some((step) => /^SCAN carrel_task_changes\b/.test(step)));
    expect(feedScans.map(({ source }) => source)).toEqual([expect.stringMatching(/^DELETE FROM carrel_task_changes WHERE seq IN \(SELECT seq FROM \(SELECT seq, at FROM carrel_task_changes ORDER BY seq LIMIT \?\)/)]);
  });
});
