/**
 * The 2026-07-28 tasks extension over Streamable HTTP: the v2 SDK client (2.4.0) for what it can
 * speak (discovery, synchronous calls), raw HTTP requests for the task flows the v2 client rejects
 * (`resultType: "task"`).
 */
import { Client } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askColour, probeTool } from './support/test-tools.js';
import { EXT, request2026, poll2026, startHttp, type HttpFixture } from './support/servers.js';

const probe = probeTool('probe_2026');
let fx: HttpFixture;

beforeAll(async () => {
  fx = await startHttp({ tools: [probe.tool, askColour] });
});
afterAll(async () => {
  await fx?.close();
});

describe('era 2026-07-28 with the v2 client', () => {
  it('discovers the extension (and no core tasks capability) and calls tools synchronously without it', async () => {
    const client = new Client({ name: 'v2-test-client', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(fx.url)));
    try {
      const capabilities = client.getServerCapabilities() as Record<string, unknown>;
      expect(capabilities.extensions).toEqual({ [EXT]: {} });
      expect(capabilities.tasks).toBeUndefined();
      const { tools } = await client.listTools();
      expect(tools.find((t) => t.name === 'slow_compute')).not.toHaveProperty('execution');
      expect(tools.find((t) => t.name === 'slow_compute')?.inputSchema.properties).toHaveProperty('async');
      const result = await client.callTool({ name: 'slow_compute', arguments: { seconds: 1, label: 'sync' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Computed sync in 1 s' }]);
    } finally {
      await client.close();
    }
  });

  it('asks a synchronous call’s input with input_required and resumes the same task on the retry', async () => {
    const client = new Client(
      { name: 'v2-test-client', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    const asked: unknown[] = [];
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push(request.params);
      return { action: 'accept', content: { colour: 'teal' } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(fx.url)));
    try {
      const result = await client.callTool({ name: 'ask_colour', arguments: {} });
      expect(result.content).toEqual([{ type: 'text', text: 'You like teal' }]);
      expect(asked).toHaveLength(1);
    } finally {
      await client.close();
    }
  });
});

describe('era 2026-07-28 on the wire', () => {
  it('creates a task on its own decision: flat result with ttlMs and pollIntervalMs, durable before the reply', async () => {
    const created = await request2026(fx.url, 'tools/call', { name: 'slow_compute', arguments: { seconds: 1 } });
    const task = created.body.result!;
    expect(task).toMatchObject({ resultType: 'task', status: 'working', ttlMs: expect.any(Number), pollIntervalMs: expect.any(Number) });
    expect(task).not.toHaveProperty('task');
    const immediate = await request2026(fx.url, 'tasks/get', { taskId: task.taskId });
    expect(immediate.body.result).toMatchObject({ taskId: task.taskId, resultType: 'complete' });
    const done = await poll2026(fx.url, String(task.taskId), (t) => t.status === 'completed');
    expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'Computed result in 1 s' }] });
  });

  it('keeps an isError result completed with the result inline, and a JSON-RPC failure failed with the error inline', async () => {
    const failing = (await request2026(fx.url, 'tools/call', { name: 'failing_job', arguments: {} })).body.result!;
    const protocol = (await request2026(fx.url, 'tools/call', { name: 'protocol_error_job', arguments: {} })).body.result!;
    const a = await poll2026(fx.url, String(failing.taskId), (t) => t.status !== 'working');
    const b = await poll2026(fx.url, String(protocol.taskId), (t) => t.status !== 'working');
    expect(a).toMatchObject({ status: 'completed', result: { isError: true } });
    expect(b).toMatchObject({ status: 'failed', error: { code: -32000 } });
    expect(b).not.toHaveProperty('result');
  });

  it('shows inputRequests in tasks/get; tasks/update applies partial answers at once and ignores unknown keys', async () => {
    const task = (await request2026(fx.url, 'tools/call', { name: 'multi_input', arguments: {} })).body.result!;
    const waiting = await poll2026(fx.url, String(task.taskId), (t) => Object.keys((t.inputRequests as object) ?? {}).length === 2);
    expect(waiting.status).toBe('input_required');
    expect((waiting.inputRequests as Record<string, { method: string }>).first?.method).toBe('elicitation/create');
    const ack = await request2026(fx.url, 'tasks/update', {
      taskId: task.taskId,
      inputResponses: { first: { action: 'accept', content: { value: 'one' } }, bogus: { action: 'accept' } },
    });
    expect(ack.body.result).toEqual({ resultType: 'complete', _meta: expect.anything() });
    const partial = (await request2026(fx.url, 'tasks/get', { taskId: task.taskId })).body.result!;
    expect(Object.keys(partial.inputRequests as object)).toEqual(['second']);
    await request2026(fx.url, 'tasks/update', {
      taskId: task.taskId,
      inputResponses: { second: { action: 'accept', content: { value: 'two' } } },
    });
    const done = await poll2026(fx.url, String(task.taskId), (t) => t.status === 'completed');
    expect(JSON.stringify(done.result)).toContain('one');
  });

  it('gathers before-start input with input_required, then creates the task (MRTR composition)', async () => {
    const capabilities = { elicitation: { form: {} }, extensions: { [EXT]: {} } };
    const first = (await request2026(fx.url, 'tools/call', { name: 'test_tool_with_task', arguments: {} }, { capabilities })).body.result!;
    expect(first.resultType).toBe('input_required');
    expect(first).not.toHaveProperty('taskId');
    const retry = (
      await request2026(
        fx.url,
        'tools/call',
        { name: 'test_tool_with_task', arguments: {}, inputResponses: { user_name: { action: 'accept', content: { name: 'Alice' } } } },
        { capabilities },
      )
    ).body.result!;
    expect(retry.resultType).toBe('task');
    const done = await poll2026(fx.url, String(retry.taskId), (t) => t.status === 'completed');
    expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'Hello, Alice!' }] });
  });

  it('acknowledges tasks/cancel with an empty result, aborts the running handler, and acks again once terminal', async () => {
    const task = (await request2026(fx.url, 'tools/call', { name: 'probe_2026', arguments: {} })).body.result!;
    expect(await probe.started).toBe(task.taskId);
    const ack = await request2026(fx.url, 'tasks/cancel', { taskId: task.taskId });
    expect(ack.body.result).not.toHaveProperty('taskId');
    expect(ack.body.result?.resultType).toBe('complete');
    expect(String(await probe.aborted)).toMatch(/cancelled/);
    expect((await request2026(fx.url, 'tasks/get', { taskId: task.taskId })).body.result?.status).toBe('cancelled');
    expect((await request2026(fx.url, 'tasks/cancel', { taskId: task.taskId })).body.result?.resultType).toBe('complete');
  });

  it('answers -32601 for tasks/result and tasks/list, -32602 for an unknown task, -32021 without the extension', async () => {
    expect((await request2026(fx.url, 'tasks/result', { taskId: 'x' })).body.error?.code).toBe(-32601);
    expect((await request2026(fx.url, 'tasks/list', {})).body.error?.code).toBe(-32601);
    expect((await request2026(fx.url, 'tasks/get', { taskId: 'no-such-task' })).body.error?.code).toBe(-32602);
    const gated = await request2026(fx.url, 'tasks/get', { taskId: 'no-such-task' }, { capabilities: {} });
    expect(gated.status).toBe(400);
    expect(gated.body.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [EXT]: {} } } } });
    expect((await request2026(fx.url, 'tools/call', { name: 'failing_job', arguments: {} }, { capabilities: {} })).body.error?.code).toBe(
      -32021,
    );
  });

  it('answers -32021 to a synchronous call needing input the client cannot give, and ends its task', async () => {
    const reply = await request2026(fx.url, 'tools/call', { name: 'ask_colour', arguments: {} }, { capabilities: {} });
    expect(reply.body.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { elicitation: {} } } });
    const { tasks } = await fx.server.engine.list({ owner: 'anonymous' });
    expect(tasks.filter((t) => t.meta.tool === 'ask_colour').map((t) => t.status)).toContain('cancelled');
  });

  it('rejects a tasks/get whose Mcp-Name header names another task (-32020)', async () => {
    const response = await fetch(fx.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tasks/get',
        'mcp-name': 'other',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tasks/get',
        params: {
          taskId: 'mine',
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientCapabilities': { extensions: { [EXT]: {} } },
          },
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32020);
  });
});
