/**
 * `carrel serve` as a real child process on 127.0.0.1 next to CLI processes on the same data dir:
 * what the CLI adds the server finds, what the server indexes the CLI finds, and a task started
 * over HTTP with `async: true` is followed with get_task. The 2026-07-28 era is spoken over raw
 * HTTP: a task-capable tool becomes a task the client polls.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir.js';
import { GUIDE, mcpHttp, runCli, startServe, writeCorpus } from './support/carrel-process.js';
import { request2026 } from './support/rev2026.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type ToolResult = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

describe('carrel serve over HTTP, next to the CLI on one data dir', () => {
  it('serves what the CLI adds, and the CLI finds what the server indexes', async () => {
    const data = tempDir();
    const docs = tempDir();
    writeFileSync(join(docs, 'guide.md'), GUIDE);
    const serve = await startServe(data);
    cleanups.push(serve.stop);
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = await mcpHttp(serve.url);
    cleanups.push(() => client.close());

    expect((await runCli(data, ['add', docs, '--library', 'guide'])).code).toBe(0);
    const found = (await client.callTool({ name: 'search', arguments: { query: 'install the package' } })) as ToolResult;
    expect(found.structuredContent!.results).toEqual([
      expect.objectContaining({ library: 'guide', heading: 'Guide > Install' }),
      expect.anything(),
    ]);

    const indexed = (await client.callTool({
      name: 'index_document',
      arguments: { library: 'notes', title: 'Zebras', content: '# Zebras\n\nZebras have stripes.\n' },
    })) as ToolResult;
    expect(indexed.isError).toBeFalsy();
    const cli = await runCli(data, ['--json', 'search', 'zebras', 'stripes', '--library', 'notes']);
    expect(JSON.parse(cli.stdout).results).toEqual([expect.objectContaining({ title: 'Zebras', library: 'notes' })]);
  });

  it('requires the bearer token given with --token, lists tasks for its holder, and refuses a port in use', async () => {
    const data = tempDir();
    const serve = await startServe(data, ['--token', 'open-sesame-0123456789']);
    cleanups.push(serve.stop);
    const anonymous = await fetch(serve.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const client = await mcpHttp(serve.url, { token: 'open-sesame-0123456789' });
    cleanups.push(() => client.close());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('list_tasks');

    const port = new URL(serve.url).port;
    const clash = await runCli(data, ['serve', '--port', port]);
    expect(clash).toMatchObject({ code: 2, stderr: `carrel: Port ${port} on 127.0.0.1 is in use: pick another with --port\n` });
  });

  it('runs index_document in the background with async: true and reports it through get_task', async () => {
    const data = tempDir();
    const serve = await startServe(data);
    cleanups.push(serve.stop);
    const client = await mcpHttp(serve.url);
    cleanups.push(() => client.close());
    const started = (await client.callTool({
      name: 'index_document',
      arguments: { library: 'notes', title: 'Zebras', content: '# Zebras\n\nZebras have stripes.\n', async: true },
    })) as ToolResult;
    const taskId = started.structuredContent!.taskId as string;
    let task: Record<string, unknown>;
    do
      task = ((await client.callTool({ name: 'get_task', arguments: { taskId } })) as ToolResult).structuredContent!.task as Record<
        string,
        unknown
      >;
    while (task.status === 'working');
    expect(task.status).toBe('completed');
  });

  it('makes index_document a 2026-07-28 task for a client that declares the extension, and answers bad arguments as a tool error', async () => {
    const data = tempDir();
    const docs = writeCorpus(join(tempDir(), 'docs'), 20, 4);
    const serve = await startServe(data, ['--allow', docs]);
    cleanups.push(serve.stop);
    const created = await request2026(serve.url, 'tools/call', { name: 'index_document', arguments: { library: 'corpus', path: docs } });
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
    const taskId = created.result!.taskId as string;
    let got: Record<string, unknown>;
    do got = (await request2026(serve.url, 'tasks/get', { taskId })).result!;
    while (got.status === 'working');
    expect(got).toMatchObject({ status: 'completed', result: { structuredContent: { created: 20 } } });

    const bad = await request2026(serve.url, 'tools/call', { name: 'rate_chunk', arguments: { documentId: 1, chunkId: 1, rating: 7 } });
    expect(bad.result).toMatchObject({ isError: true });
  });
});
