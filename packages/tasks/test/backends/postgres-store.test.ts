/**
 * What only the PostgreSQL backend has to prove, beyond the shared contract: migrations under
 * concurrency, SKIP LOCKED claims across connections, the unique-slot constraint under racing
 * creators, the NOTIFY change feed across instances, including after its connection dies, and
 * group commit (concurrent inserts and completes sharing statements, each with its own answer).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DuplicateTaskIdError,
  InvalidArgumentError,
  SchemaNotMigratedError,
  SchemaTooNewError,
  TaskTerminalError,
  type TaskChange,
} from '@carrel/tasks';
import { PostgresTaskStore } from '@carrel/tasks/postgres';
import pg from 'pg';
import { newTask } from '../support/new-task.js';
import { dropSchema, freshSchemaName, postgresUrl } from '../support/postgres-harness.js';

const url = postgresUrl();
let schema = '';
const opened: PostgresTaskStore[] = [];
const pools: pg.Pool[] = [];

function open(options: { pool?: pg.Pool } = {}): PostgresTaskStore {
  schema ||= freshSchemaName();
  const store = new PostgresTaskStore({ ...(options.pool ? { pool: options.pool } : { connectionString: url }), schema });
  opened.push(store);
  return store;
}

async function sql<R extends object = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(pools.splice(0).map((p) => p.end()));
  if (schema) await dropSchema(url, schema);
  schema = '';
});

/** Resolves with the first change `store` delivers that matches, or rejects after `timeoutMs`. */
function nextChange(store: PostgresTaskStore, match: (c: TaskChange) => boolean, timeoutMs = 5_000): Promise<TaskChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching change within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = store.subscribe((change) => {
      if (!match(change)) return;
      clearTimeout(timer);
      off();
      resolve(change);
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

describe('PostgresTaskStore migrations', () => {
  it('applies each migration once when many stores migrate the same schema at once, and again is a no-op', async () => {
    const stores = Array.from({ length: 6 }, () => open());
    await Promise.all(stores.map((s) => s.migrate()));
    const before = await sql<{ version: number; applied_at: Date }>(
      `SELECT version, applied_at FROM ${pg.escapeIdentifier(schema)}.migrations ORDER BY version`,
    );
    expect(before.map((r) => r.version)).toEqual([1, 2, 3, 4, 5]);

    await open().migrate();
    const after = await sql<{ version: number; applied_at: Date }>(
      `SELECT version, applied_at FROM ${pg.escapeIdentifier(schema)}.migrations ORDER BY version`,
    );
    expect(after).toEqual(before);
    const { task } = await stores[0]!.insert(newTask(), { maxLivePerOwner: null, now: Date.now() });
    expect(await stores[5]!.get(task.id)).toEqual(task);
  });

  it('gives tasks stored before version 5 no start, finish, node or retried task', async () => {
    const quoted = pg.escapeIdentifier((schema ||= freshSchemaName()));
    await sql(
      `CREATE SCHEMA ${quoted}; CREATE TABLE ${quoted}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const [version, file] of [
      [1, '0001_init'],
      [2, '0002_batched_changes'],
      [3, '0003_list_by_seq'],
      [4, '0004_rate_buckets'],
    ] as const) {
      const text = readFileSync(new URL(`../../src/backends/postgres/migrations/${file}.sql`, import.meta.url), 'utf8');
      await sql(
        `${text.replaceAll('{{schema}}', quoted)}; INSERT INTO ${quoted}.migrations (version, name) VALUES (${version}, '${file.slice(5)}')`,
      );
    }
    await sql(
      `INSERT INTO ${quoted}.tasks (id, owner, handler, input, status, created_at, updated_at, poll_interval_ms, max_attempts, run_at, outcome)
       VALUES ('old', 'alice', 'job', 'null', 'completed', 10, 20, 1000, 1, 10, '{"result": 1}')`,
    );
    const store = open();
    await store.migrate();
    expect(await store.get('old')).toMatchObject({ status: 'completed', startedAt: null, finishedAt: null, node: null, retryOf: null });
  });

  it('keeps the one-task notice of version 1, so nodes not yet upgraded keep working on a migrated schema', async () => {
    await open().migrate();
    const [row] = await sql<{ notice: string }>(
      `SELECT ${pg.escapeIdentifier(schema)}.notify_change('elsewhere', 'o', ARRAY['created'], 't1', 'alice', NULL, 'working') AS notice`,
    );
    expect(JSON.parse(row!.notice)).toEqual({
      origin: 'o',
      taskId: 't1',
      owner: 'alice',
      parentId: null,
      status: 'working',
      kinds: ['created'],
    });
  });

  it('refuses a schema migrated by a newer version', async () => {
    const store = open();
    await store.migrate();
    await sql(`INSERT INTO ${pg.escapeIdentifier(schema)}.migrations (version, name) VALUES (9999, 'from_the_future')`);
    await expect(open().migrate()).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(open().migrate()).rejects.toThrow(/version 9999, but this @carrel\/tasks supports up to \d+: upgrade/);
  });

  it('names the fix when the schema was never migrated', async () => {
    const store = open();
    await expect(store.get('anything')).rejects.toBeInstanceOf(SchemaNotMigratedError);
    await expect(store.get('anything')).rejects.toThrow(/call store\.migrate\(\)/);
  });

  it('refuses a schema name it could not use as a NOTIFY channel', () => {
    expect(() => new PostgresTaskStore({ connectionString: url, schema: 'bad-name"; DROP' })).toThrow(/Invalid PostgreSQL schema name/);
    expect(() => new PostgresTaskStore({ connectionString: url, schema: 'x'.repeat(49) })).toThrow(/at most 48/);
  });
});

describe('PostgresTaskStore connections', () => {
  it('reads epoch-ms bigints as numbers without changing pg’s global int8 parser', async () => {
    const store = open();
    await store.migrate();
    const { task } = await store.insert(newTask({ ttlMs: 3_600_000, expiresAt: Date.now() + 3_600_000 }), {
      maxLivePerOwner: null,
      now: Date.now(),
    });
    const read = await store.get(task.id);
    expect(typeof read?.createdAt).toBe('number');
    expect(read?.expiresAt).toBe(task.expiresAt);
    expect(pg.types.getTypeParser(20, 'text')('12')).toBe('12');
  });

  it('rejects values PostgreSQL cannot store (NUL characters) as an invalid argument, storing nothing', async () => {
    const store = open();
    await store.migrate();
    const task = newTask({ input: { text: 'a\u0000b' } });
    await expect(store.insert(task, { maxLivePerOwner: null, now: Date.now() })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(store.insert(newTask({ owner: 'al\u0000ice' }), { maxLivePerOwner: 10, now: Date.now() })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(await store.get(task.id)).toBeNull();
  });

  it('leaves an application’s pool open on close', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pools.push(pool);
    const store = open({ pool });
    await store.migrate();
    await store.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('PostgresTaskStore schemas', () => {
  it('keeps stores on different schemas of one shared pool apart', async () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    pools.push(pool);
    const other = freshSchemaName();
    const a = open({ pool });
    const b = new PostgresTaskStore({ pool, schema: other });
    opened.push(b);
    try {
      await a.migrate();
      await b.migrate();
      const now = Date.now();
      const { task } = await a.insert(newTask(), { maxLivePerOwner: 10, now });
      await b.insert(newTask(), { maxLivePerOwner: 10, now });
      expect(await b.get(task.id)).toBeNull();
      expect(await a.list({ owner: 'alice', limit: 10 })).toHaveLength(1);
      expect(await b.claim({ worker: 'w', handlers: ['job'], limit: 10, leaseMs: 1000, now: Date.now() })).toHaveLength(1);
    } finally {
      await dropSchema(url, other);
    }
  });
});

describe('PostgresTaskStore claims', () => {
  it('never hands one task to two claimers: two stores, 500 tasks, many concurrent claims', async () => {
    const [a, b] = [open(), open()];
    await a.migrate();
    const now = Date.now();
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, () => a.insert(newTask({ createdAt: now, runAt: now }), { maxLivePerOwner: null, now })),
      );
    }
    const claimed = new Map<string, string>();
    const duplicates: string[] = [];
    const claimer = async (store: PostgresTaskStore, worker: string) => {
      for (;;) {
        const batch = await store.claim({ worker, handlers: ['job'], limit: 7, leaseMs: 60_000, now: Date.now() });
        if (batch.length === 0) return;
        for (const task of batch) {
          if (claimed.has(task.id)) duplicates.push(task.id);
          claimed.set(task.id, worker);
          expect(task.attempt).toBe(1);
          expect(task.lease?.worker).toBe(worker);
        }
      }
    };
    await Promise.all([a, b].flatMap((store, s) => Array.from({ length: 4 }, (_, i) => claimer(store, `w${s}.${i}`))));
    expect(duplicates).toEqual([]);
    expect(claimed.size).toBe(500);
    expect(new Set(claimed.values()).size).toBeGreaterThan(1);
  });
});

/** How many transactions wrote the current versions of these tasks' rows: 1 per statement here. */
async function writingTransactions(ids: readonly string[]): Promise<number> {
  const [row] = await sql<{ n: string }>(
    `SELECT count(DISTINCT xmin::text) AS n FROM ${pg.escapeIdentifier(schema)}.tasks WHERE id = ANY($1)`,
    [ids],
  );
  return Number(row?.n);
}

describe('PostgresTaskStore group commit', () => {
  it('inserts concurrent tasks in few statements, in call order, and announces each exactly once', async () => {
    const [a, b] = [open(), open()];
    const seenByA: TaskChange[] = [];
    const seenByB: TaskChange[] = [];
    a.subscribe((c) => seenByA.push(c));
    b.subscribe((c) => seenByB.push(c));
    await Promise.all([a.migrate(), b.migrate()]);
    const now = Date.now();
    // Owners at the engine's 256-character limit: the group's notices must still fit under 8000 bytes.
    const tasks = Array.from({ length: 200 }, (_, i) =>
      newTask({ owner: `${'o'.repeat(250)}-${String(i % 3).padStart(5, '0')}`, createdAt: now, runAt: now }),
    );
    const lastSeen = nextChange(b, (c) => c.taskId === tasks.at(-1)!.id);
    const results = await Promise.all(tasks.map((task) => a.insert(task, { maxLivePerOwner: null, now })));

    expect(results.map((r) => [r.created, r.task.id, r.task.owner, r.task.status])).toEqual(
      tasks.map((t) => [true, t.id, t.owner, 'working']),
    );
    expect(results[7]!.task).toEqual(await a.get(tasks[7]!.id));
    expect(await writingTransactions(tasks.map((t) => t.id))).toBeLessThanOrEqual(3);
    // Same run_at and created_at: claim order falls back to insertion order, which is call order.
    const claimed = await a.claim({ worker: 'w', handlers: ['job'], limit: 200, leaseMs: 60_000, now });
    expect(claimed.map((t) => t.id)).toEqual(tasks.map((t) => t.id));

    await lastSeen;
    const created = (seen: TaskChange[]) => seen.filter((c) => c.kind === 'created').map((c) => [c.taskId, c.owner]);
    expect(created(seenByB).sort()).toEqual(tasks.map((t) => [t.id, t.owner]).sort());
    expect(created(seenByA).sort()).toEqual(tasks.map((t) => [t.id, t.owner]).sort());
  });

  it('calls made in one turn share one statement, on an idle store and when the answers of one set off the next', async () => {
    const store = open();
    await store.migrate();
    const now = Date.now();
    const first = Array.from({ length: 10 }, () => newTask({ createdAt: now, runAt: now }));
    const second = Array.from({ length: 10 }, () => newTask({ createdAt: now, runAt: now }));
    // Like creators that each create their next task once the last is stored.
    await Promise.all(
      first.map(async (task, i) => {
        await store.insert(task, { maxLivePerOwner: null, now });
        await store.insert(second[i]!, { maxLivePerOwner: null, now });
      }),
    );
    expect(await writingTransactions(first.map((t) => t.id))).toBe(1);
    expect(await writingTransactions(second.map((t) => t.id))).toBe(1);

    // Like the handlers of one claim, which all end in the same turn.
    const claimed = await store.claim({ worker: 'w', handlers: ['job'], limit: 20, leaseMs: 60_000, now });
    await Promise.all(
      claimed.map((t) =>
        store.complete({ id: t.id, worker: 'w', status: 'completed', outcome: { result: null }, statusMessage: null, now }),
      ),
    );
    expect(await writingTransactions(claimed.map((t) => t.id))).toBe(1);
  });

  it('a duplicate id in a group fails alone; the other inserts of the group are created', async () => {
    const store = open();
    await store.migrate();
    const now = Date.now();
    const existing = newTask();
    await store.insert(existing, { maxLivePerOwner: null, now });
    const tasks = Array.from({ length: 30 }, () => newTask());
    tasks[12] = { ...newTask(), id: existing.id };
    const results = await Promise.allSettled(tasks.map((task) => store.insert(task, { maxLivePerOwner: null, now })));
    expect(results.map((r) => r.status)).toEqual(tasks.map((_, i) => (i === 12 ? 'rejected' : 'fulfilled')));
    expect((results[12] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateTaskIdError);
    expect((await store.get(existing.id))?.input).toEqual(existing.input);
    expect(await store.list({ owner: 'alice', limit: 100 })).toHaveLength(30);
  });

  it('200 concurrent completes where half were cancelled first: exactly the others complete', async () => {
    const [a, b] = [open(), open()];
    const seenByB: TaskChange[] = [];
    b.subscribe((c) => seenByB.push(c));
    await Promise.all([a.migrate(), b.migrate()]);
    const now = Date.now();
    await Promise.all(Array.from({ length: 200 }, () => a.insert(newTask({ createdAt: now, runAt: now }), { maxLivePerOwner: null, now })));
    const claimed = await a.claim({ worker: 'w', handlers: ['job'], limit: 200, leaseMs: 60_000, now });
    expect(claimed).toHaveLength(200);
    const cancelled = new Set(claimed.filter((_, i) => i % 2 === 0).map((t) => t.id));
    for (const id of cancelled) await b.cancel({ id, owner: 'alice', statusMessage: 'stop', now });

    const lastSeen = nextChange(b, (c) => c.taskId === claimed.at(-1)!.id && c.status === 'completed');
    const results = await Promise.all(
      claimed.map((t) =>
        a.complete({ id: t.id, worker: 'w', status: 'completed', outcome: { result: { id: t.id } }, statusMessage: null, now: now + 1 }),
      ),
    );

    results.forEach((result, i) => {
      const id = claimed[i]!.id;
      if (cancelled.has(id)) expect(result).toBeNull();
      else expect(result).toMatchObject({ id, status: 'completed', outcome: { result: { id } }, lease: null, updatedAt: now + 1 });
    });
    const stored = await Promise.all(claimed.map((t) => a.get(t.id)));
    expect(stored.map((t) => t?.status)).toEqual(claimed.map((t) => (cancelled.has(t.id) ? 'cancelled' : 'completed')));
    const winners = claimed.filter((t) => !cancelled.has(t.id)).map((t) => t.id);
    expect(await writingTransactions(winners)).toBeLessThanOrEqual(3);
    await lastSeen;
    expect(
      seenByB
        .filter((c) => c.status === 'completed')
        .map((c) => c.taskId)
        .sort(),
    ).toEqual([...winners].sort());
  });

  it('a group that mixes winners and losers: each complete is judged by its own guard', async () => {
    const store = open();
    await store.migrate();
    const now = Date.now();
    const tasks = Array.from({ length: 6 }, () => newTask({ createdAt: now, runAt: now }));
    await Promise.all(tasks.map((task) => store.insert(task, { maxLivePerOwner: null, now })));
    const [mine, theirs, done, waiting, failing, unleased] = tasks.map((t) => t.id) as [string, string, string, string, string, string];
    const byWorker = async (worker: string, limit: number) =>
      (await store.claim({ worker, handlers: ['job'], limit, leaseMs: 60_000, now })).map((t) => t.id);
    expect(await byWorker('w', 1)).toEqual([mine]);
    expect(await byWorker('other', 1)).toEqual([theirs]);
    expect(await byWorker('w', 3)).toEqual([done, waiting, failing]);
    const outcome = { result: 'ok' };
    await store.complete({ id: done, worker: 'w', status: 'completed', outcome, statusMessage: null, now });
    await store.requestInput({ id: waiting, worker: 'w', key: 'k', request: 'q', now });

    // Made in one turn: one statement, except the second call for `mine`, which waits for the first.
    const [f, a, b, c, d, e, again] = await Promise.all([
      store.complete({ id: unleased, worker: 'w', status: 'completed', outcome, statusMessage: null, now }),
      store.complete({ id: mine, worker: 'w', status: 'completed', outcome, statusMessage: null, now }),
      store.complete({ id: theirs, worker: 'w', status: 'completed', outcome, statusMessage: null, now }),
      store.complete({
        id: done,
        worker: 'w',
        status: 'failed',
        outcome: { error: { code: 1, message: 'late' } },
        statusMessage: 'late',
        now,
      }),
      store.complete({ id: waiting, worker: 'w', status: 'completed', outcome, statusMessage: null, now }),
      store.complete({
        id: failing,
        worker: 'w',
        status: 'failed',
        outcome: { error: { code: 2, message: 'boom' } },
        statusMessage: 'boom',
        now,
      }),
      // The same task twice at once: the second call must see the first one's write.
      store.complete({
        id: mine,
        worker: 'w',
        status: 'failed',
        outcome: { error: { code: 3, message: 'twice' } },
        statusMessage: null,
        now,
      }),
    ]);
    expect([a?.status, b, c, d?.status, e?.status, f, again]).toEqual(['completed', null, null, 'completed', 'failed', null, null]);
    expect(e?.outcome).toEqual({ error: { code: 2, message: 'boom' } });
    expect((await store.get(theirs))?.lease?.worker).toBe('other');
    expect((await store.get(done))?.status).toBe('completed');
    expect((await store.get(unleased))?.status).toBe('working');
    expect(await writingTransactions([mine, waiting, failing])).toBe(1);
  });
});

describe('PostgresTaskStore cancel', () => {
  it('moves the tree and sends its notice in one statement, then looks once more for late children; only a refused cancel reads again', async () => {
    const [a, b] = [open(), open()];
    // Subscribed before migrating, so that b's LISTEN connection is up (and quiet) before counting.
    b.subscribe(() => undefined);
    await Promise.all([a.migrate(), b.migrate()]);
    const now = Date.now();
    const { task: parent } = await a.insert(newTask(), { maxLivePerOwner: null, now });
    const { task: child } = await a.insert(newTask({ parentId: parent.id }), { maxLivePerOwner: null, now });
    const heard = nextChange(b, (c) => c.taskId === child.id && c.status === 'cancelled');
    // Every statement, on a pooled connection or in a transaction, goes through a client's query.
    const statements = vi.spyOn(pg.Client.prototype, 'query');
    try {
      const cancelled = await a.cancel({ id: parent.id, owner: 'alice', statusMessage: 'stop', now });
      expect(statements).toHaveBeenCalledTimes(2);
      expect(cancelled).toMatchObject({ changed: true, task: { id: parent.id, status: 'cancelled', statusMessage: 'stop' } });
      statements.mockClear();
      expect(await a.cancel({ id: parent.id, owner: 'alice', statusMessage: 'again', now })).toMatchObject({
        changed: false,
        task: { status: 'cancelled', statusMessage: 'stop' },
      });
      expect(statements).toHaveBeenCalledTimes(2);
    } finally {
      statements.mockRestore();
    }
    await heard;
    expect((await a.get(child.id))?.status).toBe('cancelled');
  });
});

/**
 * Holds every `event` (INSERT or UPDATE) on the test schema's tasks inside its transaction, after
 * the statement has locked what it locks, until `release` is called: a BEFORE trigger waits for an
 * advisory lock that this test holds on a connection of its own.
 */
async function holdTasks(event: 'INSERT' | 'UPDATE'): Promise<{ release(): Promise<void> }> {
  const key = 4242;
  await sql(
    `CREATE FUNCTION "${schema}".hold() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(${key}); RETURN NEW; END $$`,
  );
  await sql(`CREATE TRIGGER hold BEFORE ${event} ON "${schema}".tasks FOR EACH ROW EXECUTE FUNCTION "${schema}".hold()`);
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query(`SELECT pg_advisory_xact_lock(${key})`);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await holder.query('COMMIT');
      await holder.end();
    },
  };
}

/** Resolves once a statement on this test's schema waits for a lock of the kind `advisory`, or any other (a row's). */
async function blocked(on: 'advisory' | 'row'): Promise<void> {
  for (const started = Date.now(); Date.now() - started < 5_000; await new Promise((r) => setTimeout(r, 10))) {
    const [row] = await sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND (wait_event = 'advisory') = $1 AND position($2 IN query) > 0`,
      [on === 'advisory', `"${schema}"`],
    );
    if (row!.n > 0) return;
  }
  throw new Error(`no statement waited for a${on === 'advisory' ? 'n advisory' : ' row'} lock within 5 s`);
}

describe('PostgresTaskStore cancel racing a child’s insert', () => {
  it('a child whose insert share-locked the parent before the cancel is cancelled by that cancel', async () => {
    const store = open();
    await store.migrate();
    const now = Date.now();
    const { task: parent } = await store.insert(newTask(), { maxLivePerOwner: null, now });
    const hold = await holdTasks('INSERT');
    try {
      const child = newTask({ parentId: parent.id });
      const inserting = store.insert(child, { maxLivePerOwner: null, now });
      await blocked('advisory');
      const cancelling = store.cancel({ id: parent.id, owner: 'alice', statusMessage: 'stop', now });
      // The cancel's UPDATE waits for the insert, whose commit comes after the cancel's snapshot.
      await blocked('row');
      await hold.release();
      expect((await inserting).created).toBe(true);
      expect((await cancelling).changed).toBe(true);
      expect((await store.get(child.id))?.status).toBe('cancelled');
    } finally {
      await hold.release();
    }
  });

  it('a child inserted while the cancel holds the parent is refused once the cancel commits', async () => {
    const store = open();
    await store.migrate();
    const now = Date.now();
    const { task: parent } = await store.insert(newTask(), { maxLivePerOwner: null, now });
    const hold = await holdTasks('UPDATE');
    try {
      const cancelling = store.cancel({ id: parent.id, owner: 'alice', statusMessage: 'stop', now });
      await blocked('advisory');
      const child = newTask({ parentId: parent.id });
      // Settled into a value at once: its refusal may come before the test awaits it.
      const inserting = store.insert(child, { maxLivePerOwner: null, now }).then(
        () => 'inserted',
        (error: unknown) => error,
      );
      await blocked('row');
      await hold.release();
      expect((await cancelling).changed).toBe(true);
      expect(await inserting).toEqual(new TaskTerminalError(parent.id, 'cancelled'));
      expect(await store.get(child.id)).toBeNull();
    } finally {
      await hold.release();
    }
  });
});

describe('PostgresTaskStore uniqueness', () => {
  it('20 concurrent creators with one key on two stores get one task', async () => {
    const [a, b] = [open(), open()];
    await a.migrate();
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).insert(newTask({ uniqueKey: 'nightly-report', createdAt: now, runAt: now }), { maxLivePerOwner: 100, now }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.task.id)).size).toBe(1);
    const [{ count }] = (await sql<{ count: string }>(`SELECT count(*) FROM ${pg.escapeIdentifier(schema)}.tasks`)) as [{ count: string }];
    expect(Number(count)).toBe(1);
  });

  it('concurrent creators under a per-owner cap never exceed it', async () => {
    const [a, b] = [open(), open()];
    await a.migrate();
    const now = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).insert(newTask(), { maxLivePerOwner: 5, now })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.name)).toEqual(
      Array(7).fill('TaskLimitError'),
    );
  });
});

describe('PostgresTaskStore change feed', () => {
  it('delivers another instance’s changes by NOTIFY, and this instance’s own changes exactly once', async () => {
    const [a, b] = [open(), open()];
    const seenByA: TaskChange[] = [];
    const seenByB: TaskChange[] = [];
    a.subscribe((c) => seenByA.push(c));
    b.subscribe((c) => seenByB.push(c));
    await Promise.all([a.migrate(), b.migrate()]);

    const latencies: number[] = [];
    for (let i = 0; i < 100; i++) {
      const task = newTask();
      const arrived = nextChange(b, (c) => c.taskId === task.id && c.kind === 'created');
      const started = performance.now();
      await a.insert(task, { maxLivePerOwner: null, now: Date.now() });
      await arrived;
      latencies.push(performance.now() - started);
    }
    latencies.sort((x, y) => x - y);
    // Generous bounds for a shared, noisy machine: push is milliseconds, the fallback poll is seconds.
    expect(percentile(latencies, 50)).toBeLessThan(100);

    const task = newTask();
    const reachedB = nextChange(b, (c) => c.taskId === task.id);
    await a.insert(task, { maxLivePerOwner: null, now: Date.now() });
    await reachedB;
    // Notices arrive in commit order: once B's later write reaches A, A's own echo would have too.
    const barrier = newTask();
    const barrierSeen = nextChange(a, (c) => c.taskId === barrier.id);
    await b.insert(barrier, { maxLivePerOwner: null, now: Date.now() });
    await barrierSeen;
    expect(seenByA.filter((c) => c.taskId === task.id)).toEqual([
      { taskId: task.id, owner: 'alice', parentId: null, status: 'working', kind: 'created' },
    ]);
    expect(seenByB.filter((c) => c.taskId === task.id)).toEqual([
      { taskId: task.id, owner: 'alice', parentId: null, status: 'working', kind: 'created' },
    ]);
  });

  it('announces every kind of change a write makes, to other instances', async () => {
    const [a, b] = [open(), open()];
    const seen: TaskChange[] = [];
    b.subscribe((c) => seen.push(c));
    await Promise.all([a.migrate(), b.migrate()]);
    const now = Date.now();
    const { task } = await a.insert(newTask({ createdAt: now, runAt: now }), { maxLivePerOwner: null, now });
    await a.claim({ worker: 'w', handlers: ['job'], limit: 1, leaseMs: 10_000, now });
    await a.progress({ id: task.id, worker: 'w', progress: { current: 1 }, statusMessage: null, now });
    await a.requestInput({ id: task.id, worker: 'w', key: 'k', request: { q: 1 }, now });
    await a.respond({ id: task.id, responses: { k: 'yes' }, now });
    await a.retry({ id: task.id, worker: 'w', runAt: now, error: { code: 1, message: 'x' }, statusMessage: 'again', now });
    const last = nextChange(b, (c) => c.kind === 'status' && c.status === 'cancelled');
    await a.cancel({ id: task.id, owner: 'alice', statusMessage: 'stop', now });
    await last;
    expect(seen.map((c) => `${c.kind}:${c.status}`)).toEqual([
      'created:working',
      'progress:working',
      'status:input_required',
      'input:input_required',
      'input:working',
      'status:working',
      'runnable:working',
      'status:cancelled',
    ]);
  });

  it('announces a statement’s many changes in few notices: a cancel cascading to 100 children', async () => {
    const [a, b] = [open(), open()];
    const seen: TaskChange[] = [];
    b.subscribe((c) => seen.push(c));
    await Promise.all([a.migrate(), b.migrate()]);
    const now = Date.now();
    const { task: parent } = await a.insert(newTask(), { maxLivePerOwner: null, now });
    const children = await Promise.all(
      Array.from({ length: 100 }, () => a.insert(newTask({ parentId: parent.id }), { maxLivePerOwner: null, now })),
    );
    const raw = new pg.Client({ connectionString: url });
    await raw.connect();
    const payloads: string[] = [];
    raw.on('notification', (n) => payloads.push(n.payload ?? ''));
    await raw.query(`LISTEN ${pg.escapeIdentifier(`${schema}.task_changes`)}`);
    try {
      const last = nextChange(b, (c) => c.taskId === children.at(-1)!.task.id && c.status === 'cancelled');
      await a.cancel({ id: parent.id, owner: 'alice', statusMessage: 'stop', now });
      await last;
      const cancelled = seen.filter((c) => c.status === 'cancelled');
      expect(cancelled[0]).toEqual({ taskId: parent.id, owner: 'alice', parentId: null, status: 'cancelled', kind: 'status' });
      expect(cancelled.map((c) => c.taskId).sort()).toEqual([parent.id, ...children.map((c) => c.task.id)].sort());
      // About 100 bytes a change: two or three notices, each under PostgreSQL's 8000-byte limit.
      expect(payloads.length).toBeLessThanOrEqual(3);
      for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    } finally {
      await raw.end();
    }
  });

  it('reconnects its LISTEN connection after the server kills it, and delivery resumes', async () => {
    const [a, b] = [open(), open()];
    b.subscribe(() => undefined);
    await Promise.all([a.migrate(), b.migrate()]);
    const listenQuery = `LISTEN ${pg.escapeIdentifier(`${schema}.task_changes`)}`;
    const listeners = () => sql<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [listenQuery]);
    const [killed] = await listeners();
    expect(killed).toBeDefined();
    await sql('SELECT pg_terminate_backend($1)', [killed!.pid]);

    // Notices sent while the connection is down are lost (the engine's poll covers that gap),
    // so keep writing until one gets through on the new connection.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const task = newTask();
      const arrived = nextChange(b, (c) => c.taskId === task.id, 250);
      await a.insert(task, { maxLivePerOwner: null, now: Date.now() });
      if (
        await arrived.then(
          () => true,
          () => false,
        )
      )
        break;
      if (Date.now() > deadline) throw new Error('change delivery did not resume after the LISTEN connection was killed');
    }
    const now = await listeners();
    expect(now).toHaveLength(1);
    expect(now[0]!.pid).not.toBe(killed!.pid);
  });
});
