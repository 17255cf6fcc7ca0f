/**
 * Three `carrel serve` nodes on one PostgreSQL database, each with a data dir of its own, as real
 * processes driven by the MCP SDK client: a task created through one node is read, awaited
 * (`tasks/result`) and searched for through the others; a cancel sent to one node stops the work
 * wherever it runs (its embedding request is dropped); the creation rate limit is the owner's
 * across the cluster, not per node.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpHttp, startServe } from '../mcp/support/carrel-process.js';
import { freshDatabase } from '../support/postgres-database.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = 'cluster-token-0123456789abcdef';
type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean; content: { text: string }[] };

/**
 * An OpenAI-compatible embeddings endpoint: 4-dimension vectors for every text, except that a
 * request holding a text with HOLD is never answered; `held` resolves when one arrives and
 * `dropped` when its client gives up on it (a cancelled ingest aborts its request).
 */
function embeddings(): { server: Server; held: Promise<void>; dropped: Promise<void> } {
  let heldNow: () => void = () => undefined;
  let droppedNow: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (heldNow = resolve));
  const dropped = new Promise<void>((resolve) => (droppedNow = resolve));
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const input = (JSON.parse(body) as { input: string | string[] }).input;
      const texts = Array.isArray(input) ? input : [input];
      if (texts.some((text) => text.includes('HOLD'))) {
        res.on('close', () => droppedNow());
        return heldNow();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: texts.map((_, index) => ({ index, embedding: [1, index % 3, 0.5, 0.25] })) }));
    });
  });
  return { server, held, dropped };
}

describe('three nodes on one PostgreSQL database', { timeout: 180_000 }, () => {
  const stops: Array<() => Promise<void>> = [];
  const endpoint = embeddings();
  let clients: Client[] = [];

  beforeAll(async () => {
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    const env = {
      CARREL_DATABASE_URL: await freshDatabase(),
      CARREL_OPENAI_BASE_URL: `http://127.0.0.1:${(endpoint.server.address() as AddressInfo).port}/v1`,
      CARREL_OPENAI_API_KEY: 'test',
    };
    const nodes = await Promise.all(
      ['n1', 'n2', 'n3'].map((name) =>
        startServe(
          tempDir(),
          ['--embedder', 'openai', '--token', TOKEN, '--node-name', name, '--rate-limit', '6', '--rate-burst', '8'],
          env,
        ),
      ),
    );
    stops.push(...nodes.map((node) => node.stop));
    clients = await Promise.all(nodes.map((node) => mcpHttp(node.url, { token: TOKEN })));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    for (const stop of stops) await stop();
    await new Promise((resolve) => endpoint.server.close(resolve));
  });

  const call = async (node: number, name: string, args: Record<string, unknown>) =>
    (await clients[node]!.callTool({ name, arguments: args })) as ToolResult;

  it('serves a task made on one node from the others: get, tasks/result, and search of what it indexed', async () => {
    const started = await call(0, 'index_document', {
      library: 'animals',
      title: 'Zebras',
      content: '# Zebras\n\nZebras have black and white stripes.\n',
      async: true,
    });
    const taskId = started.structuredContent!.taskId as string;
    const seen = await Promise.all([1, 2].map((node) => call(node, 'get_task', { taskId })));
    for (const got of seen) expect((got.structuredContent!.task as { taskId: string }).taskId).toBe(taskId);

    const result = await clients[2]!.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
    expect(result.isError).not.toBe(true);
    for (const node of [0, 1, 2]) {
      const hits = await call(node, 'search', { query: 'stripes', library: 'animals' });
      expect(hits.isError, hits.content[0]?.text).not.toBe(true);
      expect(JSON.stringify(hits.structuredContent)).toContain('Zebras');
    }
  });

  it('cancels, through one node, work running on whichever node took it', async () => {
    const started = await call(0, 'index_document', {
      library: 'held',
      title: 'Held',
      content: '# Held\n\nHOLD this text.\n',
      async: true,
    });
    const taskId = started.structuredContent!.taskId as string;
    await endpoint.held;
    const cancelled = await call(1, 'cancel_task', { taskId });
    expect(cancelled.isError, cancelled.content[0]?.text).not.toBe(true);
    await endpoint.dropped;
    const got = await call(2, 'get_task', { taskId });
    expect((got.structuredContent!.task as { status: string }).status).toBe('cancelled');
  });

  it('holds the owner’s creation rate for the cluster, not per node', async () => {
    // 8 at once, then 6 a minute, per owner. Per node, each of the three would accept 8 (7 for the
    // node that made this file's two earlier tasks); shared, all of them together accept at most
    // the 6 left (and what trickles back meanwhile, one each 10 s).
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 12; i++) {
      try {
        const started = await call(i % 3, 'index_document', {
          library: 'rate',
          title: `Note ${i}`,
          content: `# Note ${i}\n\nText.\n`,
          async: true,
        });
        if (started.isError) throw new Error(started.content[0]?.text);
        accepted++;
      } catch (error) {
        expect(String(error)).toMatch(/Too many tasks created/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(12);
  });
});
