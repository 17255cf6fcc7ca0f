/**
 * stdio with real child processes: the local user owns the tasks, so a client that reconnects to a
 * restarted server (same SQLite file) still gets its result, after a clean stop or a kill; the
 * `input_required` side channel works on the connection's session; malformed frames are answered
 * and the server keeps serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CallToolResultSchema, CreateTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnStdioFixture, v1Stdio } from '../support/servers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'carrel-mcp-stdio-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startSlowTask(db: string, seconds: number) {
  const first = await v1Stdio(['--sqlite', db, '--lease-ms', '1000']);
  const { task } = await first.client.request(
    { method: 'tools/call', params: { name: 'slow_compute', arguments: { seconds, label: 'durable' }, task: {} } },
    CreateTaskResultSchema,
  );
  return { ...first, taskId: task.taskId };
}

/** The fixture on stdio spoken to line by line, as a client that writes its own frames. */
function rawStdio() {
  const child = spawnStdioFixture();
  const replies: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    replies.push(JSON.parse(line) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  return {
    child,
    replies,
    send: (message: unknown) => child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`),
    reply: async (id: string | number | null) => {
      for (;;) {
        const found = replies.find((r) => r.id === id);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

function exited(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      try {
        process.kill(pid, 0);
        setTimeout(check, 25);
      } catch {
        resolve();
      }
    };
    check();
  });
}

describe('stdio', () => {
  it('hands the result to a reconnecting client after the server is stopped and restarted mid-task', async () => {
    const db = join(dir, 'graceful.db');
    const { client, transport, taskId } = await startSlowTask(db, 2);
    const pid = transport.pid!;
    await client.close();
    await exited(pid);
    const second = await v1Stdio(['--sqlite', db, '--lease-ms', '1000']);
    try {
      const result = await second.client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema, { timeout: 20_000 });
      expect(result.content).toEqual([{ type: 'text', text: 'Computed durable in 2 s' }]);
    } finally {
      await second.client.close();
    }
  });

  it('resumes a task whose server was killed, once its lease expires', async () => {
    const db = join(dir, 'killed.db');
    const { transport, taskId } = await startSlowTask(db, 1);
    const pid = transport.pid!;
    process.kill(pid, 'SIGKILL');
    await exited(pid);
    const second = await v1Stdio(['--sqlite', db, '--lease-ms', '1000']);
    try {
      expect((await second.client.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema)).taskId).toBe(taskId);
      const result = await second.client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema, { timeout: 20_000 });
      expect(result.content).toEqual([{ type: 'text', text: 'Computed durable in 1 s' }]);
    } finally {
      await second.client.close();
    }
  });

  it('round-trips input_required over the stdio session', async () => {
    const { client } = await v1Stdio([], { elicit: () => ({ action: 'accept', content: { confirm: false } }) });
    try {
      let result: Record<string, unknown> | undefined;
      for await (const message of client.experimental.tasks.callToolStream(
        { name: 'confirm_delete', arguments: { filename: 'b.txt' } },
        CallToolResultSchema,
        { task: {} },
      )) {
        if (message.type === 'result') result = message.result;
      }
      expect(result?.content).toEqual([{ type: 'text', text: 'Kept b.txt' }]);
    } finally {
      await client.close();
    }
  });

  it('answers malformed frames, unknown methods and mistyped params, and keeps serving', async () => {
    // Malformed JSON gets -32700, a non-message and an oversized frame -32600, all with id null.
    const raw = rawStdio();
    try {
      raw.send('{"jsonrpc":"2.0","id":1,"method":');
      raw.send({
        jsonrpc: '2.0',
        id: 2,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      });
      expect(await raw.reply(2)).toHaveProperty('result.protocolVersion', '2025-11-25');
      raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      raw.send({ jsonrpc: '2.0', id: 3, method: 'no/such/method', params: {} });
      expect(await raw.reply(3)).toHaveProperty('error.code', -32601);
      raw.send({ jsonrpc: '2.0', id: 4, method: 'tasks/get', params: { taskId: 7 } });
      expect(await raw.reply(4)).toHaveProperty('error.code', -32602);
      raw.send('[1, 2]');
      raw.send({
        jsonrpc: '2.0',
        id: 6,
        method: 'tools/call',
        params: { name: 'greet', arguments: { name: 'x'.repeat(5 * 1024 * 1024) } },
      });
      raw.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'greet', arguments: { name: 'stdio' } } });
      expect(await raw.reply(5)).toHaveProperty('result.content', [{ type: 'text', text: 'Hello, stdio!' }]);
      const errors = raw.replies.filter((r) => r.id === null).map((r) => (r.error as { code: number }).code);
      expect(errors).toEqual([-32700, -32600, -32600]);
      expect(raw.replies.some((r) => r.id === 6)).toBe(false);
    } finally {
      raw.child.kill();
    }
  });

  it('answers requests the SDK would drop (method null or missing, id or params of the wrong type) with -32600 and their id', async () => {
    const raw = rawStdio();
    try {
      raw.send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      });
      await raw.reply(1);
      raw.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      raw.send('{"jsonrpc":"2.0","id":7,"method":null}');
      raw.send('{"jsonrpc":"2.0","id":8}');
      raw.send('{"jsonrpc":"2.0","id":9,"method":"tools/list","params":[]}');
      raw.send('{"jsonrpc":"2.0","id":"ten","method":10}');
      raw.send('{"jsonrpc":"2.0","id":true,"method":"ping"}');
      for (const [id, fault] of [
        [7, 'method must be a string'],
        [8, 'method is missing'],
        [9, 'params must be an object'],
        ['ten', 'method must be a string'],
      ] as const)
        expect(await raw.reply(id)).toMatchObject({ error: { code: -32600, message: expect.stringContaining(fault) } });
      raw.send({ jsonrpc: '2.0', id: 11, method: 'ping' });
      await raw.reply(11);
      // The request with a boolean id was answered with id null, before the ping that followed it.
      expect(raw.replies.filter((r) => r.id === null)).toEqual([
        { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: id must be a string or an integer' } },
      ]);
    } finally {
      raw.child.kill();
    }
  });

  it('speaks the 2026-07-28 extension on a 2026-07-28 stdio connection, input round trip included', async () => {
    const raw = rawStdio();
    const meta = {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
    };
    let id = 100;
    const call = async (method: string, params: Record<string, unknown>) => {
      raw.send({ jsonrpc: '2.0', id: ++id, method, params: { ...params, _meta: meta } });
      return raw.reply(id);
    };
    try {
      const discover = await call('server/discover', {});
      expect(discover).toHaveProperty('result.capabilities.extensions', { 'io.modelcontextprotocol/tasks': {} });
      const created = (await call('tools/call', { name: 'confirm_delete', arguments: { filename: 'c.txt' } })).result as Record<
        string,
        unknown
      >;
      expect(created.resultType).toBe('task');
      const taskId = String(created.taskId);
      // Polls as a 2026 client does (the fixture's pollIntervalMs is 200; 20 ms keeps the test quick).
      const pollUntil = async (status: string) => {
        for (let i = 0; i < 500; i++) {
          const task = (await call('tasks/get', { taskId })).result as Record<string, unknown>;
          if (task.status === status) return task;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error(`task ${taskId} never became ${status}`);
      };
      let task = await pollUntil('input_required');
      expect(Object.keys(task.inputRequests as object)).toEqual(['confirm']);
      expect(
        (await call('tasks/update', { taskId, inputResponses: { confirm: { action: 'accept', content: { confirm: true } } } })).result,
      ).toMatchObject({ resultType: 'complete' });
      task = await pollUntil('completed');
      expect(task.result).toMatchObject({ content: [{ type: 'text', text: 'Deleted c.txt' }] });
    } finally {
      raw.child.kill();
    }
  });
});
