/**
 * Clients that know nothing of tasks: `async: true` on a slow tool, and the get_task, cancel_task
 * and list_tasks tools over the same records the task methods show.
 */
import { CallToolResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { defineTool } from '@carrel/tasks/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { probeTool } from './support/test-tools.js';
import { request2026, startHttp, v1Http, type HttpFixture } from './support/servers.js';

const probe = probeTool('probe_async');
const second = probeTool('probe_async_cancel');
const unique = probeTool('probe_async_unique');
unique.tool.uniqueKey = (args: { tag?: string }) => args.tag ?? '';
let fx: HttpFixture;
let client: Client;

beforeAll(async () => {
  fx = await startHttp({ tools: [probe.tool, second.tool, unique.tool], http: { tokens: { t: { principal: 'carol' } } } });
  client = await v1Http(fx.url, { token: 't' });
});
afterAll(async () => {
  await client?.close();
  await fx?.close();
});

const text = (result: unknown) => (result as { content: Array<{ text?: string }> }).content.map((c) => c.text ?? '').join('\n');

describe('async tools', () => {
  it('runs synchronously without async, exactly as before', async () => {
    const result = await client.callTool({ name: 'slow_compute', arguments: { seconds: 0, label: 'now' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Computed now in 0 s' }]);
  });

  it('answers an argument holding a NUL character, which no store keeps, as a tool error the model can read', async () => {
    for (const args of [
      { seconds: 0, label: 'n\u0000w' },
      { seconds: 0, label: 'n\u0000w', async: true },
    ]) {
      const result = await client.callTool({ name: 'slow_compute', arguments: args });
      expect(result).toMatchObject({ isError: true });
      expect(text(result)).toBe('Invalid arguments for tool slow_compute: label: contains a NUL character (U+0000)');
    }
    // The six characters of the escape are text like any other.
    expect(text(await client.callTool({ name: 'slow_compute', arguments: { seconds: 0, label: 'a \\u0000 b' } }))).toContain('a \\u0000 b');
  });

  it('returns a task id at once with async: true; get_task shows the status and then the result', async () => {
    const started = await client.callTool({ name: 'probe_async', arguments: { async: true } });
    const taskId = (started.structuredContent as { taskId: string }).taskId;
    expect(text(started)).toContain(taskId);
    expect(await probe.started).toBe(taskId);
    expect(text(await client.callTool({ name: 'get_task', arguments: { taskId } }))).toMatch(/is working/);
    // The same record, seen through the 2025 task methods and the 2026 extension by the same owner.
    expect((await client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema)).status).toBe('working');
    expect((await request2026(fx.url, 'tasks/get', { taskId }, { token: 't' })).body.result?.status).toBe('working');
    probe.release('probe finished');
    await client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    const done = await client.callTool({ name: 'get_task', arguments: { taskId } });
    expect(text(done)).toMatch(/is completed[\s\S]*probe finished/);
  });

  it('cancels with cancel_task (the handler observes the abort) and lists with list_tasks', async () => {
    const started = await client.callTool({ name: 'probe_async_cancel', arguments: { async: true } });
    const taskId = (started.structuredContent as { taskId: string }).taskId;
    await second.started;
    expect(text(await client.callTool({ name: 'cancel_task', arguments: { taskId } }))).toMatch(/cancelled/);
    expect(String(await second.aborted)).toMatch(/cancelled/);
    expect(text(await client.callTool({ name: 'cancel_task', arguments: { taskId } }))).toMatch(/already finished/);
    expect(text(await client.callTool({ name: 'list_tasks', arguments: {} }))).toContain(taskId);
  });

  it("joins a live task with the tool's uniqueKey instead of starting a second one", async () => {
    const call = async (tag: string) =>
      ((await client.callTool({ name: 'probe_async_unique', arguments: { tag, async: true } })).structuredContent as { taskId: string })
        .taskId;
    const first = await call('same');
    expect(await unique.started).toBe(first);
    expect(await call('same')).toBe(first);
    const other = await call('other');
    expect(other).not.toBe(first);
    unique.release('done');
    await client.request({ method: 'tasks/result', params: { taskId: first } }, CallToolResultSchema);
    // Once the task is over, the same key starts new work.
    expect(await call('same')).not.toBe(first);
  });

  it('reports an unknown task id as a tool error', async () => {
    const result = await client.callTool({ name: 'get_task', arguments: { taskId: 'missing' } });
    expect(result.isError).toBe(true);
  });
});

describe('tool names', () => {
  it('lets an author’s tool named like a built-in replace it, listed once', async () => {
    const own = defineTool({
      name: 'get_task',
      inputSchema: z.object({}),
      taskMode: 'never',
      run: () => ({ content: [{ type: 'text', text: 'mine' }] }),
    });
    const other = await startHttp({ tools: [own] });
    const plain = await v1Http(other.url);
    try {
      const names = (await plain.listTools()).tools.map((t) => t.name);
      expect(names.filter((n) => n === 'get_task')).toHaveLength(1);
      expect((await plain.callTool({ name: 'get_task', arguments: {} })).content).toEqual([{ type: 'text', text: 'mine' }]);
    } finally {
      await plain.close();
      await other.close();
    }
  });
});
