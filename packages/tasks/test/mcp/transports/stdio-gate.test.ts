/**
 * The opening gate: a stdio server answers its client's opening exchange while the rest of it (its
 * engine, its store) is still opening, and serves everything else, in order, once it is open.
 */
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { MemoryTaskStore, TaskEngine } from '@carrel/tasks';
import { McpTaskServer, serveStdio, toolTaskHandlers } from '@carrel/tasks/mcp';
import { describe, expect, it } from 'vitest';
import { fixtureTools } from '../../../conformance/fixture-tools.js';
import { openingGate } from '../../../src/mcp/transports/stdio-gate.js';

const message = (method: string, id?: number) => `${JSON.stringify({ jsonrpc: '2.0', ...(id !== undefined && { id }), method })}\n`;
const turn = () => new Promise((resolve) => setImmediate(resolve));

function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A gate with its passed-on text and its own answers. */
function gateOf(opening: Parameters<typeof openingGate>[0]) {
  const output = new PassThrough();
  const answers: string[] = [];
  output.on('data', (chunk: Buffer) => answers.push(chunk.toString()));
  const gate = openingGate(opening, output);
  const passed: string[] = [];
  gate.on('data', (chunk: Buffer) => passed.push(chunk.toString()));
  return { gate, passed: () => passed.join(''), answers: () => answers.join('') };
}

describe('openingGate', () => {
  it('passes the opening exchange at once and holds every other message, in order, until open', async () => {
    const open = deferred();
    const { gate, passed } = gateOf(open.promise);
    const text = message('initialize', 1) + message('notifications/initialized') + message('tools/list', 2) + message('ping', 3);
    gate.write(text.slice(0, 20));
    gate.write(text.slice(20));
    await turn();
    expect(passed()).toBe(message('initialize', 1) + message('notifications/initialized'));
    open.resolve();
    await turn();
    expect(passed()).toBe(text);
    gate.write(message('tools/call', 4));
    await turn();
    expect(passed()).toBe(text + message('tools/call', 4));
  });

  it('calls an opening function once, on the turn after the first message is passed on', async () => {
    let calls = 0;
    const open = deferred();
    const { gate, passed } = gateOf(() => (calls++, open.promise));
    await turn();
    expect(calls).toBe(0);
    gate.write(message('initialize', 1));
    expect(calls).toBe(0);
    await turn();
    expect(calls).toBe(1);
    gate.write(message('tools/list', 2));
    await turn();
    expect(calls).toBe(1);
    expect(passed()).toBe(message('initialize', 1));
    open.resolve();
    await turn();
    expect(passed()).toBe(message('initialize', 1) + message('tools/list', 2));
  });

  it('answers waiting and later requests -32603 when opening fails, dropping notifications', async () => {
    const open = deferred();
    const { gate, passed, answers } = gateOf(open.promise);
    gate.write(message('initialize', 1) + message('tools/list', 2) + message('notifications/cancelled'));
    await turn();
    open.reject(new Error('database is locked'));
    await turn();
    gate.write(message('tools/call', 3));
    await turn();
    expect(passed()).toBe(message('initialize', 1));
    expect(
      answers()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'Server failed to start: database is locked' } },
      { jsonrpc: '2.0', id: 3, error: { code: -32603, message: 'Server failed to start: database is locked' } },
    ]);
  });

  it('serves what was waiting before ending when the client closes its end first', async () => {
    const open = deferred();
    const { gate, passed } = gateOf(open.promise);
    const ended = new Promise((resolve) => gate.once('end', resolve));
    gate.end(message('initialize', 1) + message('tools/list', 2));
    await turn();
    expect(passed()).toBe(message('initialize', 1));
    open.resolve();
    await ended;
    expect(passed()).toBe(message('initialize', 1) + message('tools/list', 2));
  });
});

describe('serveStdio with an opening', () => {
  it('answers initialize while the engine has not started, and tools/list once it has', async () => {
    const engine = new TaskEngine({ store: new MemoryTaskStore(), handlers: toolTaskHandlers(fixtureTools) });
    const server = new McpTaskServer({ name: 'gated', version: '1.0.0', engine, tools: fixtureTools });
    const open = deferred();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const replies = new Map<number, { result?: Record<string, unknown> }>();
    createInterface({ input: stdout }).on('line', (line) => {
      const reply = JSON.parse(line) as { id: number; result?: Record<string, unknown> };
      replies.set(reply.id, reply);
    });
    const until = async (id: number) => {
      for (let i = 0; i < 200 && !replies.has(id); i++) await new Promise((resolve) => setTimeout(resolve, 5));
      return replies.get(id);
    };
    const handle = serveStdio(server, { stdin, stdout, opening: open.promise.then(() => engine.start()) });
    try {
      stdin.write(
        `${JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'gate-test', version: '1' } },
        })}\n`,
      );
      expect((await until(1))?.result).toMatchObject({ serverInfo: { name: 'gated' } });
      stdin.write(message('notifications/initialized') + message('tools/list', 2));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(replies.has(2)).toBe(false);
      open.resolve();
      expect(((await until(2))?.result?.tools as unknown[]).length).toBeGreaterThan(0);
    } finally {
      await handle.close();
      await server.close();
    }
  });
});
