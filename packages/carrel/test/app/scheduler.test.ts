/**
 * Connector schedules run by the server's scheduler, on real data dirs: a slot is claimed in the
 * database so that of several runtimes (in this process, or in real child processes) on the same
 * files exactly one starts its sync; slots missed while no server ran coalesce into one catch-up
 * sync, after which the normal cadence resumes; a slot that comes while the previous sync is still
 * live joins that task. The clock is the test's: it drives `tick(now)`, nothing sleeps.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toolHandlerName } from '@carrel/tasks/mcp';
import { openRuntime, type CarrelRuntime, type RuntimeOptions } from '../../src/app/runtime.js';
import { ConnectorScheduler } from '../../src/app/scheduler.js';
import { resolveSettings } from '../../src/app/settings.js';
import { spawnChild } from '../support/child.js';
import { tempDir } from '../support/temp-dir.js';

const HOUR = 3_600_000;
const runtimes: CarrelRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.close()));
});

/** A runtime that runs no tasks: the sync tasks a tick creates stay live, for the test to count. */
async function runtime(dataDir: string, root: string, options: RuntimeOptions = {}): Promise<CarrelRuntime> {
  const opened = await openRuntime(resolveSettings({ dataDir, embedder: 'offline', allow: [root] }, {}), { concurrency: 0, ...options });
  runtimes.push(opened);
  return opened;
}

/** A data dir with an hourly directory connector `docs`; returns the first slot. */
async function hourlyConnector(): Promise<{ dataDir: string; root: string; first: number }> {
  const dataDir = tempDir();
  const root = tempDir();
  writeFileSync(join(root, 'a.md'), '# A\n\nText.\n');
  const r = await runtime(dataDir, root);
  const view = await (
    await r.kb.get()
  ).addConnector({ name: 'docs', kind: 'directory', library: 'docs', options: { path: root }, schedule: '0 * * * *' });
  expect(view.schedule).toEqual({ cron: '0 * * * *', timezone: null });
  const first = Date.parse(view.nextRun!);
  expect(first % HOUR).toBe(0);
  expect(first).toBeGreaterThan(Date.now());
  return { dataDir, root, first };
}

async function syncTasks(r: CarrelRuntime): Promise<string[]> {
  const { tasks } = await r.engine.list({ owner: r.settings.owner });
  return tasks.filter((t) => t.handler === toolHandlerName('sync_connector')).map((t) => t.id);
}

describe('connector scheduler', { timeout: 60_000 }, () => {
  it('starts one sync per slot when two runtimes on the same data dir tick at once', async () => {
    const { dataDir, root, first } = await hourlyConnector();
    const a = runtimes[0]!;
    const b = await runtime(dataDir, root);

    expect(await a.scheduler.tick(first - 1)).toEqual([]);
    const [fromA, fromB] = await Promise.all([a.scheduler.tick(first), b.scheduler.tick(first)]);
    const claimed = [...fromA, ...fromB];
    expect(claimed).toEqual([{ connector: 'docs', slot: first, taskId: expect.any(String), started: true }]);
    expect(await syncTasks(a)).toEqual([claimed[0]!.taskId]);
    // Ticking the same slot again, from either, claims nothing.
    expect([...(await a.scheduler.tick(first + 1_000)), ...(await b.scheduler.tick(first + 1_000))]).toEqual([]);

    const shown = await (await b.kb.get()).showConnector('docs');
    expect(shown.nextRun).toBe(new Date(first + HOUR).toISOString());
    expect(shown.lastScheduledRun).toEqual({ slot: new Date(first).toISOString(), taskId: claimed[0]!.taskId });
  });

  it('runs one catch-up sync for the slots missed while down, then keeps the cadence; a slot joins a sync still live', async () => {
    const { dataDir, root, first } = await hourlyConnector();
    await runtimes.splice(0)[0]!.close();

    // Down over the slots at first, first+1h and first+2h: the restarted server ticks once, later.
    const r = await runtime(dataDir, root);
    const late = first + 2 * HOUR + 10 * 60_000;
    const catchUp = await r.scheduler.tick(late);
    expect(catchUp).toEqual([{ connector: 'docs', slot: first, taskId: expect.any(String), started: true }]);
    expect(await r.scheduler.tick(late + 60_000)).toEqual([]);
    expect((await (await r.kb.get()).showConnector('docs')).nextRun).toBe(new Date(first + 3 * HOUR).toISOString());

    // The next slot comes on time; the catch-up sync is still live (this runtime runs no tasks), so it joins it.
    const next = await r.scheduler.tick(first + 3 * HOUR);
    expect(next).toEqual([{ connector: 'docs', slot: first + 3 * HOUR, taskId: catchUp[0]!.taskId, started: false }]);
    expect(await syncTasks(r)).toEqual([catchUp[0]!.taskId]);
  });

  it('starts a new sync at the next slot once the previous one ended', async () => {
    const { dataDir, root, first } = await hourlyConnector();
    const r = runtimes[0]!;
    const [one] = await r.scheduler.tick(first);
    await r.engine.cancel(one!.taskId, r.settings.owner, 'test');
    const [two] = await r.scheduler.tick(first + HOUR);
    expect(two).toMatchObject({ started: true });
    expect(two!.taskId).not.toBe(one!.taskId);
    expect(await syncTasks(await runtime(dataDir, root))).toHaveLength(2);
  });

  it('claims nothing for a connector whose schedule was taken off', async () => {
    const { first } = await hourlyConnector();
    const r = runtimes[0]!;
    const view = await (await r.kb.get()).scheduleConnector('docs', null);
    expect(view).toMatchObject({ schedule: null, nextRun: null });
    expect(await r.scheduler.tick(first + HOUR)).toEqual([]);
  });

  it('reports a slot whose sync task cannot be created, without failing the tick', async () => {
    const { dataDir, root, first } = await hourlyConnector();
    const r = await runtime(dataDir, root, { maxLiveTasksPerOwner: 1 });
    const kb = await r.kb.get();
    const more = await kb.addConnector({
      name: 'more',
      kind: 'directory',
      library: 'more',
      options: { path: root },
      schedule: '0 * * * *',
    });
    const errors: unknown[] = [];
    const scheduler = new ConnectorScheduler({
      kb: r.kb,
      engine: r.engine,
      tools: r.tools,
      owner: r.settings.owner,
      onError: (e) => errors.push(e),
    });
    // Both due (`more`, added a moment later, may have the next hour's slot): `docs` comes first and
    // its sync takes the owner's one live task, so `more` cannot get one; its slot is spent all the same.
    const at = Math.max(first, Date.parse(more.nextRun!));
    expect(await scheduler.tick(at)).toEqual([{ connector: 'docs', slot: first, taskId: expect.any(String), started: true }]);
    expect(errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/live tasks/i) })]);
    expect((await kb.showConnector('more')).nextRun).toBe(new Date(at + HOUR).toISOString());
  });

  it('gives each slot to exactly one of several processes ticking at once', async () => {
    const { dataDir, root, first } = await hourlyConnector();
    const children = [0, 1, 2].map(() => spawnChild('schedule-child.ts', [dataDir, root, String(first)], { stdin: true }));
    await Promise.all(children.map((c) => c.waitFor(/^ready$/)));
    for (const c of children) c.process.stdin!.end('tick\n');
    const lines = await Promise.all(children.map((c) => c.waitFor(/^claimed /)));
    await Promise.all(children.map((c) => c.exited));
    const claimed = lines.flatMap((l) => JSON.parse(l.slice('claimed '.length)) as unknown[]);
    expect(claimed).toEqual([{ connector: 'docs', slot: first, taskId: expect.any(String), started: true }]);
    expect(await syncTasks(runtimes[0]!)).toHaveLength(1);
  });
});
