/**
 * `sync_connector` as a workflow, through `carrel mcp` and the official SDK client: the sync's
 * steps are child tasks the client can list (the workflow under the tool's task, discover and the
 * fetch batches under the workflow), the sync's progress counts files across them, and a cancel of the
 * tool's task cancels every step and leaves the library and the connector's cursor as they were.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { writeDocs } from '../support/corpus.js';
import { tempDir } from '../support/temp-dir.js';
import { mcpStdio } from '../mcp/support/carrel-process.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

type Structured = Record<string, unknown>;
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as { content: { type: string; text: string }[]; structuredContent?: Structured };

const tasks = async (client: Client) => (await call(client, 'list_tasks', {})).structuredContent!.tasks as Structured[];
const task = async (client: Client, taskId: string) =>
  (await call(client, 'get_task', { taskId })).structuredContent as { task: Structured; result?: Structured };

/** 600 files: a discovery and three fetch batches of 250. */
async function folderConnector(): Promise<{ client: Client; dataDir: string }> {
  const docs = writeDocs(tempDir(), 600, 400);
  const dataDir = tempDir();
  const { client } = await mcpStdio(dataDir, { allow: [docs] });
  clients.push(client);
  await call(client, 'add_connector', { name: 'docs', kind: 'directory', library: 'docs', options: { path: docs } });
  return { client, dataDir };
}

describe('sync_connector as a workflow over MCP', { timeout: 180_000 }, () => {
  it("shows the workflow and its steps as child tasks, and the sync's progress in files", async () => {
    const { client } = await folderConnector();
    const taskId = (await call(client, 'sync_connector', { connector: 'docs', async: true })).structuredContent!.taskId as string;
    await expect.poll(async () => (await task(client, taskId)).task.status, { timeout: 120_000 }).toBe('completed');
    expect((await task(client, taskId)).result).toMatchObject({ created: 600, failed: 0, sync: { connector: 'docs', complete: true } });

    const listed = await tasks(client);
    const workflow = listed.find((t) => t.handler === 'connector-sync')!;
    // Progress in items, as one job reported it: every file listed is the total, on the workflow and
    // on the tool's task (the last batch's count may land after the completion, which wins).
    expect(workflow).toMatchObject({ parentTaskId: taskId, status: 'completed', progress: { total: 600 } });
    const own = (await task(client, taskId)).task.progress as { current: number; total: number };
    expect(own.total).toBe(600);
    expect(own.current).toBeGreaterThanOrEqual(250);
    expect(own.current).toBeLessThanOrEqual(600);
    const steps = listed.filter((t) => t.parentTaskId === workflow.taskId);
    expect(steps.map((t) => [t.handler, t.status]).sort()).toEqual([
      ['connector-sync/discover', 'completed'],
      ['connector-sync/fetch', 'completed'],
      ['connector-sync/fetch', 'completed'],
      ['connector-sync/fetch', 'completed'],
    ]);
    // Each batch reported its own items: 250, 250 and the last 100.
    const batches = steps.filter((t) => t.handler === 'connector-sync/fetch').map((t) => t.progress as { current: number; total: number });
    expect(batches.map((p) => [p.current, p.total]).sort()).toEqual([
      [100, 100],
      [250, 250],
      [250, 250],
    ]);
    expect((await task(client, steps[0]!.taskId as string)).task).toMatchObject({ parentTaskId: workflow.taskId });
  });

  it('cancels every step with the tool task, and leaves the library and the cursor as they were', async () => {
    const { client, dataDir } = await folderConnector();
    const taskId = (await call(client, 'sync_connector', { connector: 'docs', async: true })).structuredContent!.taskId as string;
    await expect
      .poll(async () => (await tasks(client)).some((t) => t.handler === 'connector-sync/fetch' && t.status === 'working'), {
        timeout: 120_000,
      })
      .toBe(true);
    await call(client, 'cancel_task', { taskId });
    await expect.poll(async () => (await task(client, taskId)).task.status, { timeout: 30_000 }).toBe('cancelled');
    const children = (await tasks(client)).filter((t) => t.taskId !== taskId);
    // Every step is over: discover completed before the cancel, the rest cancelled, none left running.
    await expect
      .poll(async () => (await tasks(client)).filter((t) => t.status === 'working' || t.status === 'input_required'), {
        timeout: 30_000,
      })
      .toEqual([]);
    expect(children.find((t) => t.handler === 'connector-sync')).toBeDefined();
    for (const t of await tasks(client)) if (t.handler === 'connector-sync/fetch') expect(['cancelled', 'completed']).toContain(t.status);
    expect((await tasks(client)).find((t) => t.handler === 'connector-sync')!.status).toBe('cancelled');

    const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM documents WHERE live_version > 0').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT cursor, last_outcome AS outcome FROM connectors').get()).toEqual({ cursor: null, outcome: 'cancelled' });
      expect(db.prepare('SELECT count(*) AS n FROM connector_items').get()).toEqual({ n: 0 });
      await expect.poll(() => db.prepare('SELECT count(*) AS n FROM sync_plan_items').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});
