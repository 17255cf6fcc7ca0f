/**
 * Streamable HTTP: owners bound to bearer-token principals, scopes, the unauthenticated posture,
 * DNS-rebinding protection, the per-owner rate limit, and malformed or oversized requests answered
 * with the right error while the server keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTool } from '@carrel/tasks/mcp';
import type { HttpOptions } from '@carrel/tasks/mcp/http';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { request2026, poll2026, readJsonRpc, startHttp, v1Http, type HttpFixture } from '../support/servers.js';

const adminOnly = defineTool({
  name: 'admin_only',
  inputSchema: z.object({}),
  taskMode: 'never',
  requiredScopes: ['admin'],
  run: () => ({ content: [{ type: 'text', text: 'ok' }] }),
});
const tokens = { 'token-alice': { principal: 'alice', scopes: ['admin'] }, 'token-bob': { principal: 'bob' } };

describe('HTTP with bearer tokens', () => {
  let fx: HttpFixture;
  beforeAll(async () => {
    fx = await startHttp({ tools: [adminOnly], http: { tokens, maxRequestBodySize: 64 * 1024 } });
  });
  afterAll(async () => fx?.close());

  it('rejects requests without a known token with 401 and a Bearer challenge', async () => {
    const response = await fetch(fx.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer nope' },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });

  it('isolates owners: another principal cannot get, list, cancel or read the task, in either era', async () => {
    const alice = await v1Http(fx.url, { token: 'token-alice' });
    const bob = await v1Http(fx.url, { token: 'token-bob' });
    try {
      const { task } = await alice.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 1 }, task: {} } },
        CreateTaskResultSchema,
      );
      await expect(bob.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
      await expect(bob.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
      await expect(bob.request({ method: 'tasks/cancel', params: { taskId: task.taskId } }, GetTaskResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
      const bobs = await bob.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
      expect(bobs.tasks.map((t) => t.taskId)).not.toContain(task.taskId);
      expect((await bob.callTool({ name: 'get_task', arguments: { taskId: task.taskId } })).isError).toBe(true);
      expect((await request2026(fx.url, 'tasks/get', { taskId: task.taskId }, { token: 'token-bob' })).body.error?.code).toBe(-32602);
      expect((await request2026(fx.url, 'tasks/get', { taskId: task.taskId }, { token: 'token-alice' })).body.result?.taskId).toBe(
        task.taskId,
      );
      const alices = await alice.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
      expect(alices.tasks.map((t) => t.taskId)).toContain(task.taskId);
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('does not let another principal use a session', async () => {
    const alice = await v1Http(fx.url, { token: 'token-alice' });
    try {
      const sessionId = (alice.transport as { sessionId?: string } | undefined)?.sessionId;
      expect(sessionId).toBeTruthy();
      const response = await fetch(fx.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: 'Bearer token-bob',
          'mcp-session-id': String(sessionId),
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
      });
      expect(response.status).toBe(404);
    } finally {
      await alice.close();
    }
  });

  it('refuses a tool whose scopes the token lacks with the 403 insufficient_scope challenge', async () => {
    expect(
      (await request2026(fx.url, 'tools/call', { name: 'admin_only', arguments: {} }, { token: 'token-alice' })).body.result?.content,
    ).toEqual([{ type: 'text', text: 'ok' }]);
    const refused = await request2026(fx.url, 'tools/call', { name: 'admin_only', arguments: {} }, { token: 'token-bob' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", error_description="'admin_only' requires the scope(s) admin; use a token that grants them", scope="admin"`,
    );
  });

  it('answers malformed, unknown, mistyped and oversized requests with JSON-RPC errors and keeps serving', async () => {
    const client = await v1Http(fx.url, { token: 'token-alice' });
    try {
      const post = (body: string) =>
        fetch(fx.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            authorization: 'Bearer token-alice',
          },
          body,
        });
      const malformed = await post('{"jsonrpc": "2.0", "id": 1, "method": ');
      expect(malformed.status).toBe(400);
      expect((await readJsonRpc(malformed)).error?.code).toBe(-32700);
      const oversized = await post(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'greet', arguments: { name: 'x'.repeat(100 * 1024) } },
        }),
      );
      expect(oversized.status).toBe(413);
      await expect(client.request({ method: 'no/such/method', params: {} }, CallToolResultSchema)).rejects.toMatchObject({ code: -32601 });
      await expect(client.request({ method: 'tasks/get', params: { taskId: 42 } }, GetTaskResultSchema)).rejects.toMatchObject({
        code: -32602,
      });
      expect((await request2026(fx.url, 'no/such/method', {}, { token: 'token-alice' })).body.error?.code).toBe(-32601);
      expect((await request2026(fx.url, 'tasks/get', { taskId: 42 }, { token: 'token-alice' })).body.error?.code).toBe(-32602);
      expect(
        (await request2026(fx.url, 'tools/call', { name: 'greet', arguments: 'not an object' }, { token: 'token-alice' })).body.error?.code,
      ).toBe(-32602);
      const wrongType = await fetch(fx.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: 'Bearer token-alice' },
        body: '{}',
      });
      expect(wrongType.status).toBe(415);
      const greeting = await client.callTool({ name: 'greet', arguments: { name: 'still here' } });
      expect(greeting.content).toEqual([{ type: 'text', text: 'Hello, still here!' }]);
    } finally {
      await client.close();
    }
  });

  it('answers methods the endpoint does not serve (TRACE included) with 405 and an Allow header', async () => {
    const { port } = new URL(fx.url);
    const raw = (method: string) =>
      new Promise<{ status: number; allow: string | undefined }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/mcp', method, headers: { authorization: 'Bearer token-alice' } }, (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, allow: res.headers.allow });
        });
        req.on('error', reject);
        req.end();
      });
    for (const method of ['TRACE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'])
      expect({ method, ...(await raw(method)) }).toEqual({ method, status: 405, allow: 'GET, POST, DELETE' });
    expect((await raw('GET')).status).toBe(400); // served: a 2025-11-25 session's stream, which needs its session id
  });

  it('rejects a foreign Host or Origin (DNS rebinding) with 403', async () => {
    const { port } = new URL(fx.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: { host: `evil.example:${port}`, 'content-type': 'application/json', authorization: 'Bearer token-alice' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
    const origin = await fetch(fx.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example', authorization: 'Bearer token-alice' },
      body: '{}',
    });
    expect(origin.status).toBe(403);
  });
});

describe('HTTP without authentication', () => {
  let fx: HttpFixture;
  beforeAll(async () => {
    fx = await startHttp({ rateLimit: { perMinute: 2, burst: 2 } });
  });
  afterAll(async () => fx?.close());

  it('binds nothing: no tasks/list, no list_tasks, a shorter ttl cap, and the task id as the only capability', async () => {
    const client = await v1Http(fx.url);
    try {
      expect(client.getServerCapabilities()?.tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
      await expect(client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema)).rejects.toMatchObject({ code: -32601 });
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('list_tasks');
      const { task } = await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 0 }, task: { ttl: 86_400_000 } } },
        CreateTaskResultSchema,
      );
      expect(task.ttl).toBe(3_600_000);
      expect(task.taskId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    } finally {
      await client.close();
    }
  });

  it('limits task creation per owner and says when to retry', async () => {
    const create = () => request2026(fx.url, 'tools/call', { name: 'slow_compute', arguments: { seconds: 0 } });
    // The burst is 2 creations (tasks created by other tests on this endpoint count too).
    let limited = await create();
    for (let i = 0; i < 2 && !limited.body.error; i++) limited = await create();
    expect(limited.body.error).toMatchObject({ code: -32600, data: { retryAfterMs: expect.any(Number) } });
    expect((await request2026(fx.url, 'tools/call', { name: 'greet', arguments: { name: 'cheap' } })).body.result?.content).toEqual([
      { type: 'text', text: 'Hello, cheap!' },
    ]);
  });
});

describe('HTTP without authentication, and scopes', () => {
  it('refuses a scoped tool with a JSON-RPC error (there is no token to challenge), unless the operator grants its scopes to all', async () => {
    const closed = await startHttp({ tools: [adminOnly], taskScopes: { write: ['admin'] } });
    const open = await startHttp({ tools: [adminOnly], taskScopes: { write: ['admin'] }, http: { unauthenticatedScopes: ['admin'] } });
    try {
      const refused = await request2026(closed.url, 'tools/call', { name: 'admin_only', arguments: {} });
      expect(refused.status).toBe(200);
      expect(refused.body.error).toMatchObject({ code: -32600, data: { requiredScopes: ['admin'] } });
      // Task methods are checked the same way: tasks/cancel needs the write scopes.
      expect((await request2026(closed.url, 'tasks/cancel', { taskId: 'x' })).body.error).toMatchObject({
        code: -32600,
        data: { requiredScopes: ['admin'] },
      });
      expect((await request2026(open.url, 'tools/call', { name: 'admin_only', arguments: {} })).body.result?.content).toEqual([
        { type: 'text', text: 'ok' },
      ]);
      expect((await request2026(open.url, 'tasks/cancel', { taskId: 'x' })).body.error?.code).toBe(-32602);
    } finally {
      await closed.close();
      await open.close();
    }
  });
});

describe('HTTP restart', () => {
  it('gives a client its task result from a server restarted mid-task on the same SQLite file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carrel-mcp-http-'));
    const path = join(dir, 'tasks.db');
    const http = { tokens: { 'token-dave': { principal: 'dave' } } };
    try {
      const before = await startHttp({ store: new SqliteTaskStore({ path }), http });
      const created = await request2026(
        before.url,
        'tools/call',
        { name: 'slow_compute', arguments: { seconds: 1, label: 'restart' } },
        { token: 'token-dave' },
      );
      const taskId = String(created.body.result?.taskId);
      await before.close();
      await before.store.close();
      const after = await startHttp({ store: new SqliteTaskStore({ path }), http });
      try {
        const done = await poll2026(after.url, taskId, (t) => t.status === 'completed', { token: 'token-dave' });
        expect(done.result).toMatchObject({ content: [{ type: 'text', text: 'Computed restart in 1 s' }] });
      } finally {
        await after.close();
        await after.store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTTP 2025 sessions', () => {
  const listTools = (url: string, sessionId: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    }).then((r) => r.status);

  /** Bob holds two sessions; Alice opens twenty. Bob's must survive whichever cap binds Alice. */
  async function floodWithTwoTokens(http: HttpOptions): Promise<{ bob: number[]; alice: number[] }> {
    const fx = await startHttp({ http: { tokens, ...http } });
    const headers = (token: string) => ({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${token}`,
    });
    const open = async (token: string) => {
      const response = await fetch(fx.url, {
        method: 'POST',
        headers: headers(token),
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'flood', version: '1' } },
        }),
      });
      await response.text();
      return String(response.headers.get('mcp-session-id'));
    };
    const ping = async (token: string, sessionId: string) => {
      const response = await fetch(fx.url, {
        method: 'POST',
        headers: { ...headers(token), 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
      await response.text();
      return response.status;
    };
    try {
      const bobs = [await open('token-bob'), await open('token-bob')];
      const alices: string[] = [];
      for (let i = 0; i < 20; i++) alices.push(await open('token-alice'));
      return {
        bob: await Promise.all(bobs.map((id) => ping('token-bob', id))),
        alice: await Promise.all(alices.map((id) => ping('token-alice', id))),
      };
    } finally {
      await fx.close();
    }
  }

  it("caps sessions per principal: one token's flood closes its own oldest, never another token's", async () => {
    const statuses = await floodWithTwoTokens({ maxSessions: 100, maxSessionsPerPrincipal: 3 });
    expect(statuses).toEqual({ bob: [200, 200], alice: [...Array(17).fill(404), 200, 200, 200] });
  });

  it('past the global cap, closes the oldest session of the principal holding the most, not the oldest overall', async () => {
    const statuses = await floodWithTwoTokens({ maxSessions: 5, maxSessionsPerPrincipal: 100 });
    expect(statuses).toEqual({ bob: [200, 200], alice: [...Array(17).fill(404), 200, 200, 200] });
  });

  it("begins session ids with the node's prefix, for a load balancer to route by, and refuses a prefix it could not route", async () => {
    const fx = await startHttp({ http: { sessionIdPrefix: 'node-2' } });
    const client = await v1Http(fx.url);
    try {
      const sessionId = String((client.transport as { sessionId?: string }).sessionId);
      expect(sessionId).toMatch(/^node-2\.[0-9a-f-]{36}$/);
      expect(await listTools(fx.url, sessionId)).toBe(200);
    } finally {
      await client.close().catch(() => {});
      await fx.close();
    }
    for (const prefix of ['', 'a.b', 'x'.repeat(33), 'n 1'])
      await expect(startHttp({ http: { sessionIdPrefix: prefix } })).rejects.toThrow(/sessionIdPrefix/);
  });

  it('closes the least recently used session beyond maxSessions, and idle sessions', async () => {
    const fx = await startHttp({ http: { maxSessions: 1, sessionIdleMs: 300 } });
    const first = await v1Http(fx.url);
    const firstId = String((first.transport as { sessionId?: string }).sessionId);
    expect(await listTools(fx.url, firstId)).toBe(200);
    const second = await v1Http(fx.url);
    const secondId = String((second.transport as { sessionId?: string }).sessionId);
    try {
      expect(await listTools(fx.url, firstId)).toBe(404);
      // Idleness is the behaviour under test, so here the test waits out the clock (any request would refresh the session).
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await listTools(fx.url, secondId)).toBe(404);
    } finally {
      await first.close().catch(() => {});
      await second.close().catch(() => {});
      await fx.close();
    }
  });
});

describe('a token grant with an owner', () => {
  it('creates and lists tasks as that owner, the one another transport (stdio) of the same user has', async () => {
    const fx = await startHttp({ http: { tokens: { 'token-local': { principal: 'me', owner: 'local:me' } } } });
    const client = await v1Http(fx.url, { token: 'token-local' });
    try {
      const { task } = await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 0 }, task: {} } },
        CreateTaskResultSchema,
      );
      expect((await fx.server.engine.get(task.taskId, 'local:me')).owner).toBe('local:me');
      const { task: own } = await fx.server.engine.create({
        handler: 'mcp.tool:slow_compute',
        input: { arguments: { seconds: 0 }, answers: {} },
        owner: 'local:me',
      });
      const listed = await client.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema);
      expect(listed.tasks.map((t) => t.taskId).sort()).toEqual([task.taskId, own.id].sort());
    } finally {
      await client.close();
      await fx.close();
    }
  });
});

describe('task retention', () => {
  it('gives tasks that ask for no ttl the configured default, and clamps the rest to the cap', async () => {
    const fx = await startHttp({ http: { tokens }, defaultTtlMs: 120_000, maxTtlMs: 600_000 });
    const client = await v1Http(fx.url, { token: 'token-alice' });
    try {
      const unasked = await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 0 }, task: {} } },
        CreateTaskResultSchema,
      );
      expect(unasked.task.ttl).toBe(120_000);
      const greedy = await client.request(
        { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds: 0 }, task: { ttl: 86_400_000 } } },
        CreateTaskResultSchema,
      );
      expect(greedy.task.ttl).toBe(600_000);
    } finally {
      await client.close();
      await fx.close();
    }
  });
});
