/**
 * Spec 2025-11-25 tasks, exercised with the v1 SDK client (1.32.2) over the sessionful Streamable
 * HTTP leg on 127.0.0.1.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  ProgressNotificationSchema,
  TaskStatusNotificationSchema,
  type Notification,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askColour, askSecretTwice, probeTool } from './support/test-tools.js';
import { startHttp, v1Http, type HttpFixture } from './support/servers.js';

const RELATED = 'io.modelcontextprotocol/related-task';
const probe = probeTool('probe_2025');
const syncProbe = probeTool('probe_2025_sync');
let fx: HttpFixture;
let client: Client;

beforeAll(async () => {
  fx = await startHttp({
    tools: [probe.tool, syncProbe.tool, askColour, askSecretTwice],
    http: { tokens: { 'token-a': { principal: 'alice' } } },
    maxTtlMs: 600_000,
    listPageSize: 2,
    engine: { pollMs: 60_000 },
  });
  client = await v1Http(fx.url, { token: 'token-a', elicit: () => ({ action: 'accept', content: { confirm: true } }) });
});
afterAll(async () => {
  await client?.close();
  await fx?.close();
});

async function createTask(
  name: string,
  args: Record<string, unknown>,
  task: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) {
  return client.request({ method: 'tools/call', params: { name, arguments: args, task, ...extra } }, CreateTaskResultSchema);
}

describe('era 2025-11-25', () => {
  it('declares tasks with list (owner-bound) and advertises taskSupport per tool', async () => {
    expect(client.getServerCapabilities()?.tasks).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    const support = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport]));
    expect(support).toMatchObject({ greet: 'forbidden', slow_compute: 'optional', failing_job: 'required', get_task: 'forbidden' });
  });

  it('runs a task through callToolStream: created, polled, result with related-task meta', async () => {
    const kinds: string[] = [];
    let result: Record<string, unknown> | undefined;
    for await (const message of client.experimental.tasks.callToolStream(
      { name: 'slow_compute', arguments: { seconds: 1, label: 'pi' } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    )) {
      kinds.push(message.type);
      if (message.type === 'result') result = message.result;
    }
    expect(kinds[0]).toBe('taskCreated');
    expect(kinds.at(-1)).toBe('result');
    expect(result?.content).toEqual([{ type: 'text', text: 'Computed pi in 1 s' }]);
  });

  it('returns CreateTaskResult with the ttl clamped to the cap, and tasks/get the same task flat', async () => {
    const { task } = await createTask('slow_compute', { seconds: 0 }, { ttl: 10 * 24 * 3_600_000 });
    expect(task.ttl).toBe(600_000);
    expect(task.status).toBe('working');
    const got = await client.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema);
    expect(got).toMatchObject({ taskId: task.taskId, ttl: 600_000, createdAt: task.createdAt });
  });

  it('tasks/result blocks until terminal, woken by the engine, and returns exactly the stored result', async () => {
    const { task } = await createTask('slow_compute', { seconds: 1, label: 'e' });
    const started = Date.now();
    // The engine's fallback poll is 60 s here: only a push wake-up can answer in time.
    const result = await client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.content).toEqual([{ type: 'text', text: 'Computed e in 1 s' }]);
    expect(result._meta?.[RELATED]).toEqual({ taskId: task.taskId });
  });

  it('projects an isError result as failed, and tasks/result still returns the tool result', async () => {
    const { task } = await createTask('failing_job', {});
    const result = await client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema);
    expect(result.isError).toBe(true);
    const got = await client.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema);
    expect(got.status).toBe('failed');
    expect(got.statusMessage).toMatch(/failed/);
  });

  it('returns the stored JSON-RPC error from tasks/result for a failed task', async () => {
    const { task } = await createTask('protocol_error_job', {});
    await expect(client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema)).rejects.toMatchObject({
      code: -32000,
      message: expect.stringContaining('rejected the job'),
    });
  });

  it('answers -32601 for a required tool without a task and for a task on a forbidden tool', async () => {
    await expect(
      client.request({ method: 'tools/call', params: { name: 'failing_job', arguments: {} } }, CallToolResultSchema),
    ).rejects.toMatchObject({ code: -32601 });
    await expect(createTask('greet', { name: 'x' })).rejects.toMatchObject({ code: -32601 });
  });

  it('cancels running work: cancelled before the reply, and the handler observes the abort', async () => {
    const { task } = await createTask('probe_2025', {});
    expect(await probe.started).toBe(task.taskId);
    const cancelled = await client.request({ method: 'tasks/cancel', params: { taskId: task.taskId } }, CancelTaskResultSchema);
    expect(cancelled.status).toBe('cancelled');
    expect(String(await probe.aborted)).toMatch(/cancelled/);
    await expect(client.request({ method: 'tasks/cancel', params: { taskId: task.taskId } }, CancelTaskResultSchema)).rejects.toMatchObject(
      { code: -32602 },
    );
    await expect(
      client.request({ method: 'tasks/cancel', params: { taskId: 'no-such-task' } }, CancelTaskResultSchema),
    ).rejects.toMatchObject({ code: -32602 });
  });

  it('cancels the task behind a synchronous call when the client cancels the request', async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: 'probe_2025_sync', arguments: {} }, undefined, { signal: controller.signal });
    const taskId = await syncProbe.started;
    controller.abort('changed my mind');
    await expect(call).rejects.toThrow();
    expect(String(await syncProbe.aborted)).toMatch(/cancelled/);
    await expect
      .poll(async () => (await client.request({ method: 'tasks/get', params: { taskId: String(taskId) } }, GetTaskResultSchema)).status)
      .toBe('cancelled');
  });

  it('lists tasks in pages and rejects a bad cursor with -32602', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 3; i++) created.add((await createTask('slow_compute', { seconds: 0 })).task.taskId);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.request({ method: 'tasks/list', params: cursor === undefined ? {} : { cursor } }, ListTasksResultSchema);
      expect(page.tasks.length).toBeLessThanOrEqual(2);
      expect(page.tasks.every((t) => typeof t.taskId === 'string' && 'ttl' in t)).toBe(true);
      seen.push(...page.tasks.map((t) => t.taskId));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => created.has(id))).toHaveLength(3);
    // A cursor of the previous (createdAt, id) format is as invalid as a forged one.
    const previousFormat = `c1.${Buffer.from(JSON.stringify([Date.now(), seen[0]])).toString('base64url')}`;
    for (const cursor of ['forged', previousFormat]) {
      await expect(client.request({ method: 'tasks/list', params: { cursor } }, ListTasksResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
    }
  });

  it('round-trips input_required: the elicitation arrives through tasks/result with related-task meta', async () => {
    const seen: unknown[] = [];
    const asker = await v1Http(fx.url, {
      token: 'token-a',
      elicit: (request) => (seen.push(request.params._meta), { action: 'accept', content: { confirm: true } }),
    });
    try {
      let result: Record<string, unknown> | undefined;
      const statuses: string[] = [];
      for await (const message of asker.experimental.tasks.callToolStream(
        { name: 'confirm_delete', arguments: { filename: 'a.txt' } },
        CallToolResultSchema,
        { task: {} },
      )) {
        if (message.type === 'taskStatus') statuses.push(message.task.status);
        if (message.type === 'result') result = message.result;
      }
      expect(statuses).toContain('input_required');
      expect(result?.content).toEqual([{ type: 'text', text: 'Deleted a.txt' }]);
      expect(seen).toEqual([expect.objectContaining({ [RELATED]: expect.objectContaining({ taskId: expect.any(String) }) })]);
    } finally {
      await asker.close();
    }
  });

  it('relays a synchronous call’s input request to the client on the call itself', async () => {
    const asker = await v1Http(fx.url, { token: 'token-a', elicit: () => ({ action: 'accept', content: { colour: 'ochre' } }) });
    try {
      expect((await asker.callTool({ name: 'ask_colour', arguments: {} })).content).toEqual([{ type: 'text', text: 'You like ochre' }]);
    } finally {
      await asker.close();
    }
  });

  it('relays a sensitive request asked again under its key once the first answer was taken', async () => {
    const secrets = ['abc', 'defgh'];
    const asker = await v1Http(fx.url, { token: 'token-a', elicit: () => ({ action: 'accept', content: { secret: secrets.shift()! } }) });
    try {
      const result = await asker.callTool({ name: 'ask_secret_twice', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'Secrets of 3 and 5 characters' }]);
      expect(secrets).toEqual([]);
    } finally {
      await asker.close();
    }
  });

  it('sends notifications/tasks/status and progress on the original token for the task’s life', async () => {
    const notes: Notification[] = [];
    const watcher = await v1Http(fx.url, { token: 'token-a' });
    watcher.setNotificationHandler(TaskStatusNotificationSchema, (n) => void notes.push(n));
    watcher.setNotificationHandler(ProgressNotificationSchema, (n) => void notes.push(n));
    try {
      const { task } = await watcher.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 2 }, task: {}, _meta: { progressToken: 'tok-1' } } },
        CreateTaskResultSchema,
      );
      await watcher.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema);
      await expect.poll(() => notes.some((n) => n.method === 'notifications/tasks/status' && n.params?.status === 'completed')).toBe(true);
      const progress = notes.filter((n) => n.method === 'notifications/progress');
      expect(progress.length).toBeGreaterThanOrEqual(1);
      expect(progress.every((n) => n.params?.progressToken === 'tok-1')).toBe(true);
      expect(notes.find((n) => n.method === 'notifications/tasks/status')?.params).toMatchObject({ taskId: task.taskId });
    } finally {
      await watcher.close();
    }
  });
});
