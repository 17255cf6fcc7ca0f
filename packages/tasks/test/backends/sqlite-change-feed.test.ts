/**
 * The SQLite change feed: a store's own changes straight after commit, other connections' and
 * processes' through the poller, no history replayed, old rows pruned, and a listening process
 * kept alive while it waits.
 */
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { newTask } from '../support/new-task.js';
import { noLimit, recorder, runNode, useSqliteDatabases } from '../support/sqlite-harness.js';

const database = useSqliteDatabases();

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
    expect(await changes.next((c) => c.taskId === 'from-child')).toEqual({
      taskId: 'from-child',
      owner: 'bob',
      parentId: null,
      status: 'working',
      kind: 'created',
    });
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
