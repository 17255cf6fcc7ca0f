/**
 * What only the SQLite store has to prove beyond the shared contract: its file surviving a
 * restart, unique keys as a database constraint, claims that never collide when several
 * connections or processes share a file, its error mapping, index-only hot paths, and a forgotten
 * input answer zeroed in the file rather than left in a page's free space.
 */
import { existsSync, readFileSync } from 'node:fs';
import Sqlite from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { DuplicateTaskIdError, TaskLimitError } from '@carrel/tasks';
import { SqliteBusyError, SqliteTaskStore } from '@carrel/tasks/sqlite';
import { newTask } from '../support/new-task.js';
import { noLimit, recorder, runNode, useSqliteDatabases } from '../support/sqlite-harness.js';

const database = useSqliteDatabases();

describe('durability', () => {
  it('keeps tasks, outcomes and held unique keys across close and reopen', async () => {
    const db = database();
    const first = await db.openSqlite();
    const kept = await first.insert(newTask({ uniqueKey: 'nightly' }), noLimit());
    const done = (await first.insert(newTask({ input: { big: 'x'.repeat(10_000) } }), noLimit())).task;
    await first.claim({ worker: 'w', handlers: ['job'], limit: 10, leaseMs: 60_000, now: Date.now() });
    await first.complete({
      id: done.id,
      worker: 'w',
      status: 'completed',
      outcome: { result: { ok: true } },
      statusMessage: null,
      now: Date.now(),
    });
    await first.close();

    const second = await db.openSqlite();
    expect(await second.get(done.id)).toMatchObject({
      status: 'completed',
      outcome: { result: { ok: true } },
      input: { big: 'x'.repeat(10_000) },
    });
    expect(await second.get(kept.task.id)).toMatchObject({ status: 'working', lease: { worker: 'w' }, attempt: 1 });
    const again = await second.insert(newTask({ uniqueKey: 'nightly' }), noLimit());
    expect(again).toMatchObject({ created: false, task: { id: kept.task.id } });
  });
});

describe('forgotten input', () => {
  it('leaves no byte of a sensitive answer in the file, even after it reached the main file', async () => {
    const secret = 'ghp_zeroedNotFreed0123456789';
    const db = database();
    const store = await db.openSqlite();
    const { task } = await store.insert(newTask(), noLimit());
    // Neighbours on the same page: the row is rewritten at another offset, not over itself.
    for (let i = 0; i < 15; i++) await store.insert(newTask({ input: { pad: 'p'.repeat(50) } }), noLimit());
    const now = Date.now();
    await store.claim({ worker: 'w', handlers: ['job'], limit: 100, leaseMs: 60_000, now });
    await store.requestInput({ id: task.id, worker: 'w', key: 'token', request: { message: 'Token?' }, now });
    await store.respond({ id: task.id, responses: { token: { action: 'accept', content: { note: 'n'.repeat(20), token: secret } } }, now });
    const raw = new Sqlite(db.path);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    expect(readFileSync(db.path).includes(Buffer.from(secret))).toBe(true);
    expect(await store.forgetInput({ id: task.id, key: 'token', now })).toBe(true);
    expect(await store.forgetInput({ id: task.id, key: 'token', now })).toBe(false);
    expect(await store.get(task.id)).toMatchObject({ inputRequests: {}, inputResponses: {} });
    await store.close();
    for (const file of [db.path, `${db.path}-wal`])
      if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(secret)), file).toBe(false);
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

  it('hold across processes: two processes creating one key at once get one task between them', async () => {
    const db = database();
    await db.openSqlite();
    const startAt = Date.now() + 2_000;
    const creator = `
      import { SqliteTaskStore } from '@carrel/tasks/sqlite';
      const store = new SqliteTaskStore({ path: ${JSON.stringify(db.path)} });
      await store.migrate();
      while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 1));
      const results = [];
      for (let i = 0; i < 50; i++) {
        const { task, created } = await store.insert({ id: process.pid + '-' + i, owner: 'alice', handler: 'job', input: null, createdAt: Date.now(), ttlMs: null,
          expiresAt: null, pollIntervalMs: 1000, maxAttempts: 1, runAt: Date.now(), uniqueKey: 'reindex', uniqueUntil: null, parentId: null, meta: {} },
          { maxLivePerOwner: null, now: Date.now() });
        results.push({ id: task.id, created });
      }
      await store.close();
      console.log(JSON.stringify(results));
    `;
    const outputs = await Promise.all([runNode(creator), runNode(creator)]);
    for (const output of outputs) expect(output, output.stderr).toMatchObject({ exitCode: 0 });
    const results = outputs.flatMap((output) => JSON.parse(output.stdout) as { id: string; created: boolean }[]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const raw = new Sqlite(db.path, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM carrel_tasks').pluck().get()).toBe(1);
    raw.close();
  });

  it('are released in the database when the task ends, while the record still shows its key', async () => {
    const db = database();
    const store = await db.openSqlite();
    const { task } = await store.insert(newTask({ uniqueKey: 'k' }), noLimit());
    await store.cancel({ id: task.id, owner: task.owner, statusMessage: 'stop', now: Date.now() });
    const raw = new Sqlite(db.path, { readonly: true });
    expect(raw.prepare('SELECT unique_key, unique_slot FROM carrel_tasks WHERE id = ?').get(task.id)).toEqual({
      unique_key: 'k',
      unique_slot: null,
    });
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

describe('input requests', () => {
  it('store a request under a key that names an Object.prototype member like any other key', async () => {
    const db = database();
    const store = await db.openSqlite();
    const { task } = await store.insert(newTask(), noLimit());
    await store.claim({ worker: 'w', handlers: ['job'], limit: 1, leaseMs: 60_000, now: Date.now() });
    for (const key of ['toString', '__proto__']) {
      expect(await store.requestInput({ id: task.id, worker: 'w', key, request: { key }, now: Date.now() })).toEqual({ answered: false });
    }
    const waiting = await store.get(task.id);
    expect(waiting?.status).toBe('input_required');
    expect(Object.keys(waiting?.inputRequests ?? {})).toEqual(['toString', '__proto__']);
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

/** Ticks every 5 ms and reports the longest gap between ticks: how long the event loop was blocked, plus the interval. */
function loopGaps() {
  let last = performance.now();
  let longest = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  return {
    stop: () => {
      clearInterval(ticker);
      return longest;
    },
  };
}

/**
 * A blocked loop shows a gap as long as the wait (a thread that sleeps in SQLite's busy handler
 * stalls for the whole hold here, or busyTimeoutMs); a free one, a few ticks even on a machine
 * with several times more runnable processes than cores (measured: 9 to 36 ms).
 */
const BLOCKED_MS = 250;

describe('waiting for a lock', () => {
  it('a write that meets another connection’s write transaction waits on timers and succeeds once it ends', async () => {
    const db = database();
    const store = await db.openSqlite();
    // The holder is on this thread too: if the store's wait blocked the thread, the holder could
    // never commit, and the write would fail after busyTimeoutMs (5 s) with the loop frozen.
    const holder = new Sqlite(db.path);
    holder.exec('BEGIN IMMEDIATE');
    const releasedAt = new Promise<number>((resolve) =>
      setTimeout(() => {
        holder.exec('COMMIT');
        resolve(performance.now());
      }, 400),
    );
    const gaps = loopGaps();
    try {
      const { task, created } = await store.insert(newTask(), noLimit());
      const insertedAt = performance.now();
      expect(created).toBe(true);
      expect(insertedAt).toBeGreaterThanOrEqual(await releasedAt);
      expect(await store.get(task.id)).toMatchObject({ id: task.id, status: 'working' });
    } finally {
      await releasedAt;
      holder.close();
    }
    expect(gaps.stop()).toBeLessThan(BLOCKED_MS);
  });

  it('opening, reading and the change-feed poll do not block while another connection holds the file exclusively', async () => {
    const db = database();
    await (await db.openSqlite()).close();
    const holder = new Sqlite(db.path);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN IMMEDIATE; COMMIT'); // takes the exclusive lock, and keeps it until closed
    setTimeout(() => holder.close(), 400);
    const gaps = loopGaps();
    const store = new SqliteTaskStore({ path: db.path });
    const changes = recorder();
    store.subscribe(changes.listener);
    await store.migrate();
    expect(await store.get('missing')).toBeNull();
    expect(gaps.stop()).toBeLessThan(BLOCKED_MS);
    expect(holder.open).toBe(false);
    // The poller started despite the lock: another connection's insert reaches this store.
    const other = await db.openSqlite();
    const { task } = await other.insert(newTask(), noLimit());
    await changes.next((change) => change.taskId === task.id && change.kind === 'created');
    await store.close();
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
    // One statement reads every stored task by design: the operator's queue counts (every owner's
    // tasks by handler and status), run at a scrape or dashboard refresh, never on a task's path.
    expect(fullScans.map(({ source }) => source)).toEqual([
      expect.stringMatching(/^SELECT handler, status, lease_worker IS NOT NULL AS leased, count\(\*\) AS count FROM carrel_tasks GROUP BY/),
    ]);
    // The only scan of the feed is the prune's, and it stops after a fixed number of the oldest rows.
    const feedScans = plans.filter(({ plan }) => plan.some((step) => /^SCAN carrel_task_changes\b/.test(step)));
    expect(feedScans.map(({ source }) => source)).toEqual([
      expect.stringMatching(
        /^DELETE FROM carrel_task_changes WHERE seq IN \(SELECT seq FROM \(SELECT seq, at FROM carrel_task_changes ORDER BY seq LIMIT \?\)/,
      ),
    ]);
  });
});
