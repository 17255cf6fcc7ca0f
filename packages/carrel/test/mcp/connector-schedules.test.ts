/**
 * Connector schedules through `carrel mcp` and the official SDK client: `add_connector` takes a
 * schedule, `list_connectors` and `show_connector` show it with the next run, `schedule_connector`
 * changes it or takes it off, and a bad expression or time zone is a tool error naming the argument,
 * the connector unchanged. A server that starts after a slot passed runs one catch-up sync at once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { mcpStdio } from './support/carrel-process.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

type Result = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as Result;

describe('connector schedules over MCP', { timeout: 120_000 }, () => {
  it('adds a connector with a schedule, shows its next run, changes and takes it off', async () => {
    const root = tempDir();
    const { client } = await mcpStdio(tempDir(), { allow: [root] });
    clients.push(client);

    const bad = await call(client, 'add_connector', {
      name: 'docs',
      kind: 'directory',
      library: 'docs',
      options: { path: root },
      schedule: '* * *',
    });
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/^Invalid schedule: expected five cron fields/);
    const added = await call(client, 'add_connector', {
      name: 'docs',
      kind: 'directory',
      library: 'docs',
      options: { path: root },
      schedule: '0 * * * *',
    });
    expect(added.structuredContent).toMatchObject({ schedule: { cron: '0 * * * *', timezone: null }, lastScheduledRun: null });
    const nextRun = added.structuredContent!.nextRun as string;
    expect(Date.parse(nextRun) % 3_600_000).toBe(0);
    const listed = await call(client, 'list_connectors', {});
    expect(listed.content[0]!.text).toBe(
      `- docs (directory ${root}) → docs: 0 documents, never synced; schedule "0 * * * *" (UTC), next run ${nextRun}`,
    );

    const badZone = await call(client, 'schedule_connector', { connector: 'docs', schedule: '0 3 * * *', timezone: 'Mars/Olympus' });
    expect(badZone.isError).toBe(true);
    expect(badZone.content[0]!.text).toMatch(/^Invalid timezone: expected an IANA time zone/);
    expect((await call(client, 'show_connector', { connector: 'docs' })).structuredContent).toMatchObject({ nextRun });

    const changed = await call(client, 'schedule_connector', { connector: 'docs', schedule: '30 3 * * *', timezone: 'Europe/Paris' });
    expect(changed.content[0]!.text).toMatch(/schedule "30 3 \* \* \*" \(Europe\/Paris\), next run \S+T0[12]:30:00\.000Z$/);
    const off = await call(client, 'schedule_connector', { connector: 'docs', schedule: null });
    expect(off.content[0]!.text).toBe('docs syncs only when asked (no schedule).');
    expect((await call(client, 'show_connector', { connector: 'docs' })).structuredContent).toMatchObject({
      schedule: null,
      nextRun: null,
    });
  });

  it('runs the sync of a slot missed while no server ran as soon as the server starts', async () => {
    const root = tempDir();
    const dataDir = tempDir();
    writeFileSync(join(root, 'a.md'), '# A\n\nAlpha.\n');
    const first = await mcpStdio(dataDir, { allow: [root] });
    await call(first.client, 'add_connector', {
      name: 'docs',
      kind: 'directory',
      library: 'docs',
      options: { path: root },
      schedule: '0 3 * * *',
    });
    await first.client.close();

    // The server was down at the slot: move it into the past, as if a day went by.
    const missed = Date.parse('2026-01-01T03:00:00Z');
    const db = new Database(join(dataDir, 'carrel.db'));
    db.prepare('UPDATE connectors SET next_run_at = ?').run(missed);
    db.close();

    const { client } = await mcpStdio(dataDir, { allow: [root] });
    clients.push(client);
    await expect
      .poll(async () => (await call(client, 'show_connector', { connector: 'docs' })).structuredContent!.lastOutcome, { timeout: 60_000 })
      .toBe('synced: 1 created, 0 updated, 0 unchanged, 0 deleted, 0 failed');
    const shown = (await call(client, 'show_connector', { connector: 'docs' })).structuredContent!;
    expect(shown).toMatchObject({ documents: 1, lastScheduledRun: { slot: new Date(missed).toISOString(), taskId: expect.any(String) } });
    expect(Date.parse(shown.nextRun as string)).toBeGreaterThan(Date.now());
  });
});
