/**
 * Schema-invalid requests are the client's mistake: -32602 naming the bad field, in both eras and
 * on both transports, for the methods the SDK validates itself (`initialize`, `logging/setLevel`,
 * `tools/list`, `tools/call`) and for every task method.
 */
import { createInterface } from 'node:readline';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request2026, spawnStdioFixture, startHttp, v1Http, type HttpFixture } from './support/servers.js';

let fx: HttpFixture;
let client: Client;
beforeAll(async () => {
  fx = await startHttp({ http: { tokens: { t: { principal: 'erin' } } } });
  client = await v1Http(fx.url, { token: 't' });
});
afterAll(async () => {
  await client?.close();
  await fx?.close();
});

/** A 2025-11-25 request on the client's session, with params exactly as given. */
const request2025 = (method: string, params: Record<string, unknown>) =>
  client.request({ method, params } as never, EmptyResultSchema).then(
    () => ({ code: 0, message: 'answered' }),
    (error: { code: number; message: string }) => ({ code: error.code, message: error.message }),
  );

describe('invalid params', () => {
  it('answers the methods the SDK validates itself with -32602 naming the field (2025-11-25)', async () => {
    expect(await request2025('logging/setLevel', { level: 'loud' })).toEqual({
      code: -32602,
      message: expect.stringMatching(/^MCP error -32602: Invalid params for logging\/setLevel: level: Invalid option/),
    });
    expect(await request2025('tools/list', { cursor: 5 })).toEqual({
      code: -32602,
      message: 'MCP error -32602: Invalid params for tools/list: cursor: Invalid input: expected string, received number',
    });
    expect(await request2025('tools/call', { name: 5 })).toEqual({
      code: -32602,
      message: 'MCP error -32602: Invalid params for tools/call: name: Invalid input: expected string, received number',
    });
    expect(await request2025('tools/call', { name: 'slow_compute', arguments: {}, task: { ttl: 'long' } })).toEqual({
      code: -32602,
      message: 'MCP error -32602: Invalid params for tools/call: task.ttl: Invalid input: expected number, received string',
    });
  });

  it('answers them with -32602 naming the field (2026-07-28)', async () => {
    const list = await request2026(fx.url, 'tools/list', { cursor: 5 }, { token: 't' });
    expect(list.body.error).toEqual({
      code: -32602,
      message: 'Invalid params for tools/list: cursor: Invalid input: expected string, received number',
    });
    const call = await request2026(fx.url, 'tools/call', { name: ['greet'] }, { token: 't' });
    expect(call.body.error).toEqual({
      code: -32602,
      message: 'Invalid params for tools/call: name: Invalid input: expected string, received array',
    });
  });

  it('answers every task method given a mistyped param with -32602 naming it, in both eras', async () => {
    for (const [method, params, field] of [
      ['tasks/get', { taskId: 7 }, 'taskId'],
      ['tasks/result', { taskId: [] }, 'taskId'],
      ['tasks/list', { cursor: 5 }, 'cursor'],
      ['tasks/cancel', {}, 'taskId'],
    ] as const)
      expect(await request2025(method, params)).toMatchObject({ code: -32602, message: expect.stringContaining(`${method}: ${field}:`) });
    for (const [method, params] of [
      ['tasks/get', { taskId: 7 }],
      ['tasks/update', { taskId: null, inputResponses: {} }],
      ['tasks/cancel', {}],
    ] as const) {
      const reply = await request2026(fx.url, method, params, { token: 't' });
      expect(reply.body.error).toMatchObject({ code: -32602, message: expect.stringContaining(`${method}: taskId:`) });
    }
    expect(await request2025('tasks/list', { cursor: 'not-a-cursor' })).toMatchObject({ code: -32602 });
    expect(await request2025('tools/call', { name: 'no_such_tool', arguments: {} })).toMatchObject({ code: -32602 });
  });

  it('answers an initialize with bad params over HTTP with -32602 and its id, not "Server not initialized"', async () => {
    const response = await fetch(fx.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer t' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'init-1',
        method: 'initialize',
        params: { protocolVersion: 2025, capabilities: {}, clientInfo: { name: 'x' } },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 'init-1',
      error: {
        code: -32602,
        message:
          'Invalid params for initialize: protocolVersion: Invalid input: expected string, received number; clientInfo.version: Invalid input: expected string, received undefined',
      },
    });
  });

  it('answers an initialize with bad params on stdio with -32602, then initializes', async () => {
    const child = spawnStdioFixture();
    const replies = new Map<number, Record<string, unknown>>();
    const waiters: Array<() => void> = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as { id: number };
      replies.set(reply.id, reply);
      waiters.splice(0).forEach((wake) => wake());
    });
    const reply = async (id: number) => {
      while (!replies.has(id)) await new Promise<void>((resolve) => waiters.push(resolve));
      return replies.get(id);
    };
    const initialize = (id: number, params: Record<string, unknown>) =>
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params })}\n`);
    try {
      initialize(1, { protocolVersion: '2025-11-25', capabilities: 'all', clientInfo: { name: 'raw', version: '1' } });
      expect(await reply(1)).toMatchObject({
        error: { code: -32602, message: 'Invalid params for initialize: capabilities: Invalid input: expected object, received string' },
      });
      initialize(2, { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
      expect(await reply(2)).toHaveProperty('result.protocolVersion', '2025-11-25');
    } finally {
      child.kill();
    }
  });
});
