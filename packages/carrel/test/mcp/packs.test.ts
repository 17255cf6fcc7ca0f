/**
 * The pack tools through `carrel mcp` and the official SDK client: install_pack as a plain call and
 * as a 2025-11-25 task with progress, a cancel mid-install that leaves nothing (not even the pack's
 * record), list_packs and remove_pack, bad packs and refused URLs answered as tool errors that name
 * the problem, and the key that makes a second install of the same pack join the running one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ProgressNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { installPackTool } from '../../src/app/tools/install-pack.js';
import type { KnowledgeBaseHandle } from '../../src/app/knowledge-base-handle.js';
import { makePack, packDocuments, writePack } from '../support/packs.js';
import { tempDir } from '../support/temp-dir.js';
import { mcpStdio } from './support/carrel-process.js';

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

async function connect(allow: string[]): Promise<Client> {
  const { client } = await mcpStdio(tempDir(), { allow });
  clients.push(client);
  return client;
}

type Answer = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };
const call = async (client: Client, name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as Answer;

describe('pack tools over MCP', { timeout: 120_000 }, () => {
  it('installs, lists and removes a pack; a second install changes nothing', async () => {
    const dir = tempDir();
    const { path, sha256 } = writePack(dir, 'guide.json.gz', makePack('guide', '1.0.0', packDocuments(4)));
    const client = await connect([dir]);
    const installed = await call(client, 'install_pack', { library: 'docs', path, sha256 });
    expect(installed.isError).toBeFalsy();
    expect(installed.content[0]!.text).toBe('pack guide@1.0.0 in docs: 4 created; 4 chunks');
    expect((await call(client, 'install_pack', { library: 'docs', path })).content[0]!.text).toBe(
      'pack guide@1.0.0 in docs: 4 unchanged; 0 chunks',
    );
    const listed = await call(client, 'list_packs', {});
    expect(listed.content[0]!.text).toBe(`- guide@1.0.0 in docs: 4 documents (sha256 ${sha256})`);
    expect(listed.structuredContent!.packs).toEqual([expect.objectContaining({ name: 'guide', library: 'docs', documents: 4 })]);
    const removed = await call(client, 'remove_pack', { name: 'guide', library: 'docs' });
    expect(removed.content[0]!.text).toBe('Removed pack guide from docs: 4 documents');
    expect((await call(client, 'list_packs', {})).content[0]!.text).toBe('No packs installed: install_pack installs one.');
    const again = await call(client, 'remove_pack', { name: 'guide', library: 'docs' });
    expect(again).toMatchObject({ isError: true, content: [{ text: 'Pack in library docs not found: guide' }] });
  });

  it('answers a bad pack, a bad checksum and a private address as tool errors, storing nothing', async () => {
    const dir = tempDir();
    const client = await connect([dir]);
    const bad = writePack(dir, 'bad.json', { ...makePack('guide', '1', []), documents: [{ source: 'a', content: 'x' }] });
    const malformed = await call(client, 'install_pack', { library: 'docs', path: bad.path });
    expect(malformed.isError).toBe(true);
    expect(malformed.content[0]!.text).toBe(
      `Cannot install the pack ${bad.path}: documents.0.title: Invalid input: expected string, received undefined; nothing was installed`,
    );
    const good = writePack(dir, 'good.json', makePack('guide', '1', packDocuments(2)));
    const mismatch = await call(client, 'install_pack', { library: 'docs', path: good.path, sha256: 'a'.repeat(64) });
    expect(mismatch.content[0]!.text).toMatch(/: its sha256 is [0-9a-f]{64}, not the expected a{64}; nothing was installed$/);
    const server = http.createServer((_req, res) => res.end('{}')).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const blocked = await call(client, 'install_pack', {
        library: 'docs',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/p.json`,
      });
      expect(blocked.structuredContent).toMatchObject({ error: { kind: 'address_blocked' } });
    } finally {
      server.close();
    }
    const neither = await call(client, 'install_pack', { library: 'docs' });
    expect(neither.content[0]!.text).toMatch(/give exactly one of path, url or registry/);
    expect((await call(client, 'list_libraries', {})).structuredContent!.libraries).toEqual([]);
  });

  it('runs as a task with progress, and a cancel mid-install leaves neither documents nor the pack', async () => {
    const dir = tempDir();
    const { path } = writePack(dir, 'big.json.gz', makePack('big', '1', packDocuments(4000)));
    const client = await connect([dir]);
    let taskId = '';
    let cancelled: Promise<unknown> | undefined;
    const progress: string[] = [];
    client.setNotificationHandler(ProgressNotificationSchema, (n) => {
      progress.push(`${n.params.progress}/${n.params.total}`);
      cancelled ??= client.request({ method: 'tasks/cancel', params: { taskId } }, GetTaskResultSchema);
    });
    ({
      task: { taskId },
    } = await client.request(
      {
        method: 'tools/call',
        params: { name: 'install_pack', arguments: { library: 'big', path }, task: {}, _meta: { progressToken: 'p' } },
      },
      CreateTaskResultSchema,
    ));
    let final;
    for (;;) {
      final = await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
      if (['completed', 'failed', 'cancelled'].includes(final.status)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(final.status).toBe('cancelled');
    expect(progress[0]).toMatch(/^\d+\/4000$/);
    expect((await call(client, 'list_packs', {})).structuredContent!.packs).toEqual([]);
    expect((await call(client, 'list_libraries', {})).structuredContent!.libraries).toEqual([]);

    const small = writePack(dir, 'small.json', makePack('small', '1', packDocuments(3)));
    const { task } = await client.request(
      { method: 'tools/call', params: { name: 'install_pack', arguments: { library: 'small', path: small.path }, task: {} } },
      CreateTaskResultSchema,
    );
    const result = await client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema);
    expect(result.structuredContent).toMatchObject({ created: 3, pack: { name: 'small', version: '1' } });
  });

  it('keys a task by library and pack source, so a second install of the same pack joins the running one', () => {
    const tool = installPackTool({} as KnowledgeBaseHandle);
    const key = (args: Record<string, unknown>) => tool.uniqueKey!(args as Parameters<NonNullable<typeof tool.uniqueKey>>[0]);
    const base = { library: 'docs', url: 'https://example.com/p.json' };
    expect(key({ ...base, tags: ['x'] })).toBe(key(base));
    expect(key({ ...base, library: 'other' })).not.toBe(key(base));
    expect(key({ ...base, url: 'https://example.com/q.json' })).not.toBe(key(base));
    expect(key({ library: 'docs', registry: 'https://example.com/index.json', name: 'p' })).not.toBe(
      key({ library: 'docs', registry: 'https://example.com/index.json', name: 'q' }),
    );
  });
});
