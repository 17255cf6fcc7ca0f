/**
 * The connector tools through `carrel mcp` and the official SDK client: add, list, show, sync and
 * remove; a secret masked in every answer, sealed into the database (its key a 0600 file of the
 * data dir), never in plain text in the database file or a task record, and removed with its
 * connector; bad options answered as tool errors naming the option; and a second
 * `sync_connector` of a connector already syncing answered with the running task.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { mcpStdio } from './support/carrel-process.js';

const clients: Client[] = [];
const servers: { server: Server; sockets: Socket[] }[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const { server, sockets } of servers.splice(0)) {
    sockets.forEach((s) => s.destroy());
    await new Promise((resolve) => server.close(resolve));
  }
});

type Structured = Record<string, unknown>;
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as {
    content: { type: string; text: string }[];
    structuredContent?: Structured;
    isError?: boolean;
  };

async function statusOf(client: Client, taskId: string): Promise<string> {
  const result = await call(client, 'get_task', { taskId });
  return (result.structuredContent!.task as Structured).status as string;
}

/** A TCP server that accepts connections and never answers: a sync against it stays live until cancelled. */
async function silentServer(): Promise<{ port: number; connected: Promise<void> }> {
  const sockets: Socket[] = [];
  let connected!: () => void;
  const first = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((socket) => {
    sockets.push(socket);
    connected();
  });
  servers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, connected: first };
}

const SECRET = 'ghp_0123456789secretvalueabcd';

describe('connector tools over MCP', { timeout: 120_000 }, () => {
  it('keeps a secret out of answers, the database and task records; a second sync joins the running one', async () => {
    const dataDir = tempDir();
    const { client } = await mcpStdio(dataDir);
    clients.push(client);
    const { port, connected } = await silentServer();

    const added = await call(client, 'add_connector', {
      name: 'private',
      kind: 'git',
      library: 'private',
      options: { repository: `https://127.0.0.1:${port}/repo.git`, branch: 'docs' },
      secret: SECRET,
    });
    expect(added.isError).toBeFalsy();
    expect(added.structuredContent).toMatchObject({ name: 'private', secret: '****abcd', documents: 0, lastSync: null });
    const listed = await call(client, 'list_connectors', {});
    expect(listed.content[0]!.text).toBe(`- private (git https://127.0.0.1:${port}/repo.git) → private: 0 documents, never synced`);
    const shown = await call(client, 'show_connector', { connector: 'private' });
    expect(shown.content[0]!.text).toContain('secret: ****abcd');

    const started = await call(client, 'sync_connector', { connector: 'private', async: true });
    const taskId = started.structuredContent!.taskId as string;
    await connected;
    const again = await call(client, 'sync_connector', { connector: 'private', async: true });
    expect(again.structuredContent!.taskId).toBe(taskId);
    await call(client, 'cancel_task', { taskId });
    await expect.poll(() => statusOf(client, taskId), { timeout: 30_000 }).toBe('cancelled');
    await expect
      .poll(async () => (await call(client, 'show_connector', { connector: 'private' })).structuredContent!.lastOutcome)
      .toBe('cancelled');

    for (const answer of [added, listed, shown, started, again]) expect(JSON.stringify(answer)).not.toContain(SECRET);
    // Sealed into the database with a key kept in the data dir, owner-only, not in the database file.
    expect(statSync(join(dataDir, 'secrets.key')).mode & 0o777).toBe(0o600);
    const db = new Database(join(dataDir, 'carrel.db'), { readonly: true });
    try {
      const tasks = db.prepare<[], { handler: string }>('SELECT * FROM carrel_tasks').all();
      // The tool's task, its workflow and the workflow's first step (cancelled while it fetched).
      expect(tasks.map((t) => t.handler).sort()).toEqual(['connector-sync', 'connector-sync/discover', 'mcp.tool:sync_connector']);
      expect(JSON.stringify(tasks)).not.toContain(SECRET);
      expect(JSON.stringify(db.prepare('SELECT * FROM carrel_task_changes').all())).not.toContain(SECRET);
      expect(JSON.stringify(db.prepare('SELECT * FROM connectors').all())).not.toContain(SECRET);
      expect(db.prepare('SELECT count(*) AS n FROM connector_secrets').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    for (const file of ['carrel.db', 'carrel.db-wal'])
      expect(readFileSync(join(dataDir, file)).includes(Buffer.from(SECRET)), file).toBe(false);

    const removed = await call(client, 'remove_connector', { connector: 'private' });
    expect(removed.content[0]!.text).toBe('Removed connector private; its documents are kept');
    const after = new Database(join(dataDir, 'carrel.db'), { readonly: true });
    try {
      expect(after.prepare('SELECT count(*) AS n FROM connector_secrets').get()).toEqual({ n: 0 });
    } finally {
      after.close();
    }
  });

  it('syncs a folder and names bad options', async () => {
    const docs = tempDir();
    writeFileSync(join(docs, 'a.md'), '# A\n\nFirst.\n');
    writeFileSync(join(docs, 'b.md'), '# B\n\nSecond.\n');
    const dataDir = tempDir();
    const { client } = await mcpStdio(dataDir, { allow: [docs] });
    clients.push(client);

    expect(
      (await call(client, 'add_connector', { name: 'docs', kind: 'directory', library: 'd', options: { path: docs } })).isError,
    ).toBeFalsy();
    const synced = await call(client, 'sync_connector', { connector: 'docs' });
    expect(synced.content[0]!.text).toBe('connector docs → d: 2 created; 2 chunks');
    writeFileSync(join(docs, 'a.md'), '# A\n\nFirst, changed.\n');
    const resynced = await call(client, 'sync_connector', { connector: 'docs' });
    expect(resynced.content[0]!.text).toBe('connector docs → d: 1 updated; 1 chunks');

    const bad = await call(client, 'add_connector', { name: 'evil', kind: 'git', library: 'e', options: { repository: 'ext::sh -c id' } });
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(
      /^Invalid options\.repository: expected an https:\/\/ or ssh:\/\/ clone URL.*ext:: transport is never allowed/,
    );
    const missing = await call(client, 'sync_connector', { connector: 'nope' });
    expect(missing.isError).toBe(true);
    expect(missing.content[0]!.text).toBe('Connector not found: nope; list_connectors lists them');
  });

  it('tries a sync again while its source is unavailable, and a cancel stops the retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const { client } = await mcpStdio(tempDir());
    clients.push(client);
    await call(client, 'add_connector', {
      name: 'down',
      kind: 'git',
      library: 'd',
      options: { repository: `https://127.0.0.1:${port}/r.git` },
    });
    const taskId = (await call(client, 'sync_connector', { connector: 'down', async: true })).structuredContent!.taskId as string;
    // The step that met the unavailable source is the one tried again: the sync's discovery.
    const discover = async () =>
      ((await call(client, 'list_tasks', {})).structuredContent!.tasks as Structured[]).find(
        (t) => t.handler === 'connector-sync/discover',
      );
    await expect
      .poll(async () => (await discover())?.statusMessage, { timeout: 30_000 })
      .toMatch(/^Attempt 1 of 5 failed: .*is unavailable for now: .*Failed to connect.*; retrying in /);
    await call(client, 'cancel_task', { taskId });
    await expect.poll(() => statusOf(client, taskId), { timeout: 30_000 }).toBe('cancelled');
    expect(await statusOf(client, (await discover())!.taskId as string)).toBe('cancelled');
  });
});
