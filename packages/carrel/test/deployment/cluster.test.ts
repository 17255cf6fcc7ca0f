/**
 * Three `carrel serve` nodes on one PostgreSQL database, each with a data dir of its own, as real
 * processes driven by the MCP SDK client: a task created through one node is read, awaited
 * (`tasks/result`) and searched for through the others; a cancel sent to one node stops the work
 * running on another (its embedding request is dropped), and a second cancel through the third
 * is told the task had finished; the creation rate limit is the owner's across the cluster, not
 * per node. Which node runs a task is the lease holder (`host:pid:…`) in the task store's row.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresTaskStore } from '@carrel/tasks/postgres';
import { mcpHttp, startServe } from '../mcp/support/carrel-process.js';
import { freshDatabase } from '../support/postgres-database.js';
import { tempDir } from '../support/temp-dir.js';
import { HeldEmbeddings } from './support/held-embeddings.js';

const TOKEN = 'cluster-token-0123456789abcdef';
type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean; content: { text: string }[] };

describe('three nodes on one PostgreSQL database', { timeout: 180_000 }, () => {
  const stops: Array<() => Promise<void>> = [];
  let endpoint: HeldEmbeddings;
  let clients: Client[] = [];
  let pids: (number | undefined)[] = [];
  let tasks: PostgresTaskStore;

  beforeAll(async () => {
    endpoint = await HeldEmbeddings.start();
    const databaseUrl = await freshDatabase();
    const env = {
      CARREL_DATABASE_URL: databaseUrl,
      CARREL_OPENAI_BASE_URL: endpoint.url,
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
    pids = nodes.map((node) => node.child.pid);
    clients = await Promise.all(nodes.map((node) => mcpHttp(node.url, { token: TOKEN })));
    tasks = new PostgresTaskStore({ connectionString: databaseUrl });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await tasks?.close();
    for (const stop of stops) await stop();
    await endpoint?.close();
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

  it('cancels, through one node, work running on another; a cancel through the third is told it had finished', async () => {
    const started = await call(0, 'index_document', {
      library: 'held',
      title: 'Held',
      content: '# Held\n\nHOLD this text.\n',
      async: true,
    });
    const taskId = started.structuredContent!.taskId as string;
    await endpoint.held('HOLD');
    // The embedding request is made under the lease, so the row names the node running it.
    const runner = pids.indexOf(Number((await tasks.get(taskId))?.lease?.worker.split(':')[1]));
    expect(runner).not.toBe(-1);
    const [canceller, third] = [0, 1, 2].filter((node) => node !== runner) as [number, number];
    const dropped = endpoint.dropped('HOLD');
    const cancelled = await call(canceller, 'cancel_task', { taskId });
    expect(cancelled.isError, cancelled.content[0]?.text).not.toBe(true);
    await dropped;
    const again = await call(third, 'cancel_task', { taskId });
    expect(again.content[0]?.text).toBe(`Task ${taskId} had already finished (cancelled); nothing to cancel.`);
    const got = await call(runner, 'get_task', { taskId });
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
