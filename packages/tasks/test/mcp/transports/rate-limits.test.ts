/**
 * The task-creation limit of each transport: none by default on stdio, per principal on HTTP with
 * tokens, one wide shared bucket on HTTP without; each transport's `rateLimit` option over the
 * server's, over the transport's default. Only tasks count: a synchronous call never does.
 */
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { MemoryTaskStore } from '@carrel/tasks';
import { createTaskServer, serveStdio } from '@carrel/tasks/mcp';
import { describe, expect, it } from 'vitest';
import { fixtureTools } from '../../../conformance/fixture-tools.js';
import { request2026, spawnStdioFixture, startHttp } from '../support/servers.js';

/** One 2026-07-28 `tools/call` of slow_compute: a task when `asTask`, else a synchronous call. */
const callSlow = (url: string, asTask: boolean, token?: string) =>
  request2026(
    url,
    'tools/call',
    { name: 'slow_compute', arguments: { seconds: 0 } },
    { ...(token && { token }), ...(!asTask && { capabilities: {} }) },
  );

/** A line-by-line client of a stdio server: `call` sends a request and resolves with its reply. */
function lineClient(output: NodeJS.ReadableStream, write: (line: string) => void) {
  const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  createInterface({ input: output }).on('line', (line) => {
    const reply = JSON.parse(line) as { id?: number };
    if (typeof reply.id === 'number') waiting.get(reply.id)?.(reply);
  });
  let id = 0;
  return (method: string, params: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.set(++id, resolve);
      write(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
}

const INITIALIZE = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'loop', version: '1' } };
const errorsOf = (replies: Array<{ body: { error?: unknown } }>) => replies.filter((r) => r.body.error).map((r) => r.body.error);

describe('stdio', () => {
  it('limits nothing by default: sixty synchronous calls and sixty tasks in a loop all run', async () => {
    const child = spawnStdioFixture();
    const call = lineClient(child.stdout, (line) => child.stdin.write(`${line}\n`));
    try {
      await call('initialize', INITIALIZE);
      const replies: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 60; i++) replies.push(await call('tools/call', { name: 'slow_compute', arguments: { seconds: 0 } }));
      for (let i = 0; i < 60; i++) replies.push(await call('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: {} }));
      expect(replies.filter((r) => r.error)).toEqual([]);
      expect(replies.slice(60).every((r) => (r.result as { task?: unknown }).task)).toBe(true);
    } finally {
      child.kill();
    }
  });

  it('applies its rateLimit option, counting tasks and never synchronous calls', async () => {
    const server = await createTaskServer({
      name: 't',
      version: '0',
      store: new MemoryTaskStore(),
      tools: fixtureTools,
      onError: () => {},
    });
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const handle = serveStdio(server, { stdin, stdout, rateLimit: { perMinute: 1, burst: 2 } });
    const call = lineClient(stdout, (line) => stdin.write(`${line}\n`));
    try {
      await call('initialize', INITIALIZE);
      const task = () => call('tools/call', { name: 'slow_compute', arguments: { seconds: 0 }, task: {} });
      const sync = () => call('tools/call', { name: 'slow_compute', arguments: { seconds: 0 } });
      expect([await task(), await task()].map((r) => r.error)).toEqual([undefined, undefined]);
      expect((await task()).error).toMatchObject({ code: -32600, data: { retryAfterMs: expect.any(Number) } });
      for (let i = 0; i < 5; i++) expect(await sync()).toHaveProperty('result.content', [{ type: 'text', text: 'Computed result in 0 s' }]);
    } finally {
      await handle.close();
      await server.close();
    }
  });
});

describe('HTTP without tokens', () => {
  it('lets 150 clients start 3 tasks each at once by default, all sharing the one anonymous owner', async () => {
    const fx = await startHttp();
    try {
      // Under 120 a minute with bursts of 30, the old shared default, 420 of these were refused (210 s of retries).
      const replies = await Promise.all(
        Array.from({ length: 150 }, async () => [await callSlow(fx.url, true), await callSlow(fx.url, true), await callSlow(fx.url, true)]),
      );
      expect(errorsOf(replies.flat())).toEqual([]);
      expect(replies.flat().every((r) => r.body.result?.resultType === 'task')).toBe(true);
    } finally {
      await fx.close();
    }
  });
});

describe('HTTP with tokens', () => {
  const tokens = { 'token-alice': { principal: 'alice' }, 'token-bob': { principal: 'bob' } };

  it('limits each principal by default (120 a minute, bursts of 30), counting tasks only', async () => {
    const fx = await startHttp({ http: { tokens } });
    try {
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 60 }, () => callSlow(fx.url, true, 'token-alice')));
      const elapsedMs = Date.now() - started;
      const created = replies.filter((r) => r.body.result?.resultType === 'task').length;
      // The burst, plus what 120 a minute refills while the requests were served; the rest refused.
      expect(created).toBeGreaterThanOrEqual(30);
      expect(created).toBeLessThanOrEqual(30 + Math.ceil((elapsedMs * 120) / 60_000));
      expect(errorsOf(replies)).toEqual(
        Array(60 - created).fill(expect.objectContaining({ code: -32600, data: { retryAfterMs: expect.any(Number) } })),
      );
      // Alice's synchronous calls are no tasks of hers, and Bob has a bucket of his own.
      expect(errorsOf(await Promise.all(Array.from({ length: 5 }, () => callSlow(fx.url, false, 'token-alice'))))).toEqual([]);
      expect((await callSlow(fx.url, true, 'token-bob')).body.result?.resultType).toBe('task');
    } finally {
      await fx.close();
    }
  });

  it("takes serveHttp's rateLimit over the server's, and the server's over its own default", async () => {
    const narrow = { perMinute: 1, burst: 1 };
    const fromTransport = await startHttp({ http: { tokens, rateLimit: null }, rateLimit: narrow });
    const fromServer = await startHttp({ http: { tokens }, rateLimit: narrow });
    try {
      const unlimited = await Promise.all(Array.from({ length: 40 }, () => callSlow(fromTransport.url, true, 'token-alice')));
      expect(errorsOf(unlimited)).toEqual([]);
      expect((await callSlow(fromServer.url, true, 'token-alice')).body.error).toBeUndefined();
      expect((await callSlow(fromServer.url, true, 'token-alice')).body.error).toMatchObject({ code: -32600 });
    } finally {
      await fromTransport.close();
      await fromServer.close();
    }
  });
});
