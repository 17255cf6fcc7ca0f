/**
 * How work moves between three `carrel serve` nodes on one PostgreSQL database (real processes,
 * data dirs of their own, the MCP SDK client): tasks made through one node run on all of them; a
 * connector schedule runs once per slot whatever the number of nodes; a node killed with SIGKILL
 * in the middle of an ingest has it resumed by another once its lease runs out, and the library
 * ends as a crash-free ingest leaves it.
 *
 * Which node runs a task is the task store's lease holder (`host:pid:…`), read from the store's row
 * while the task runs: clients never see it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { PostgresTaskStore } from '@carrel/tasks/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRepository } from '../../src/store/postgres/index.js';
import type { KnowledgeRepository } from '../../src/store/repository.js';
import { mcpHttp, startServe, writeCorpus } from '../mcp/support/carrel-process.js';
import { freshDatabase } from '../support/postgres-database.js';
import { tempDir } from '../support/temp-dir.js';
import { HeldEmbeddings } from './support/held-embeddings.js';

const TOKEN = 'cluster-token-0123456789abcdef';
const LEASE_MS = 4_000;
type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean; content: { text: string }[] };
type TaskView = { taskId: string; status: string; progress?: { current: number; total?: number } | null };
type Node = Awaited<ReturnType<typeof startServe>>;

/** Waits, re-reading every 100 ms, until `read` gives a value `done` accepts; the test's timeout bounds it. */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await sleep(100);
  }
}

/** A one-page web site that counts the requests for its page. */
async function countingSite(): Promise<{ server: Server; url: string; pageRequests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/') return res.writeHead(404).end();
    requests++;
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<html><head><title>Site</title></head><body><h1>Site</h1><p>Ferns grow in shade.</p></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, pageRequests: () => requests };
}

describe('work across three nodes on one PostgreSQL database', { timeout: 300_000 }, () => {
  const roots = tempDir();
  let endpoint: HeldEmbeddings;
  let databaseUrl: string;
  let nodes: Node[] = [];
  let clients: Client[] = [];
  let tasks: PostgresTaskStore;
  let repository: KnowledgeRepository;

  beforeAll(async () => {
    endpoint = await HeldEmbeddings.start();
    databaseUrl = await freshDatabase();
    const env = {
      CARREL_DATABASE_URL: databaseUrl,
      CARREL_OPENAI_BASE_URL: endpoint.url,
      CARREL_OPENAI_API_KEY: 'test',
      CARREL_ALLOWED_ROOTS: roots,
      CARREL_ALLOW_PRIVATE_ADDRESSES: '1',
      CARREL_TASK_LEASE_MS: String(LEASE_MS),
      CARREL_SCHEDULE_TICK_MS: '250',
      // Small chunks, so that a folder of a few dozen files is staged in several batches.
      CARREL_EMBEDDER_WINDOW: '256',
    };
    nodes = await Promise.all(
      ['n1', 'n2', 'n3'].map((name) => startServe(tempDir(), ['--embedder', 'openai', '--token', TOKEN, '--node-name', name], env)),
    );
    clients = await Promise.all(nodes.map((node) => mcpHttp(node.url, { token: TOKEN })));
    tasks = new PostgresTaskStore({ connectionString: databaseUrl });
    repository = await PostgresRepository.open({ connectionString: databaseUrl, maxConnections: 2 });
  }, 180_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    for (const node of nodes) await node.stop();
    await tasks?.close();
    await repository?.close();
    await endpoint?.close();
  });

  const call = async (node: number, name: string, args: Record<string, unknown>) =>
    (await clients[node]!.callTool({ name, arguments: args })) as ToolResult;
  const taskOn = async (node: number, taskId: string) => (await call(node, 'get_task', { taskId })).structuredContent!.task as TaskView;
  const resultOn = (node: number, taskId: string) =>
    clients[node]!.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema);
  /** The node whose process holds the task's lease now, if any. */
  const runner = async (taskId: string): Promise<number | undefined> => {
    const pid = Number((await tasks.get(taskId))?.lease?.worker.split(':')[1]);
    const index = nodes.findIndex((node) => node.child.pid === pid);
    return index === -1 ? undefined : index;
  };

  it('runs tasks made through one node on every node', async () => {
    // Each node runs two tasks at once; six held ingests can only all be running on three nodes.
    const taskIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const started = await call(0, 'index_document', {
        library: 'spread',
        title: `Note ${i}`,
        content: `# Note ${i}\n\nHOLDSPREAD note ${i}.\n`,
        async: true,
      });
      taskIds.push(started.structuredContent!.taskId as string);
    }
    const runners = await until(
      () => Promise.all(taskIds.map(runner)),
      (found) => found.every((node) => node !== undefined),
    );
    expect(new Set(runners)).toEqual(new Set([0, 1, 2]));

    endpoint.release('HOLDSPREAD');
    for (const taskId of taskIds) expect((await resultOn(0, taskId)).isError).not.toBe(true);
  });

  it('runs a connector schedule once per slot across the nodes', async () => {
    const site = await countingSite();
    try {
      const added = await call(0, 'add_connector', {
        name: 'site',
        kind: 'web',
        library: 'site',
        options: { url: site.url, allowPrivateAddresses: true, delayMs: 0 },
        schedule: '* * * * *',
      });
      expect(added.isError, added.content[0]?.text).not.toBe(true);
      const firstSlot = Date.parse(added.structuredContent!.nextRun as string);
      const secondSlot = new Date(firstSlot + 60_000).toISOString();
      // Every node looks for due slots four times a second: by the time the second slot's sync has
      // run, each has long seen the first slot, and would have synced it again if it could claim it.
      const { lastScheduledRun } = await until(
        async () => (await call(1, 'show_connector', { connector: 'site' })).structuredContent!,
        // The slot is claimed a moment before its task is made and recorded.
        (shown) => {
          const run = shown.lastScheduledRun as { slot: string; taskId: string | null } | null;
          return run?.slot === secondSlot && run.taskId !== null;
        },
      );
      const { taskId } = lastScheduledRun as { taskId: string };
      expect((await resultOn(2, taskId)).isError).not.toBe(true);
      expect(site.pageRequests()).toBe(2);
    } finally {
      await call(0, 'remove_connector', { connector: 'site' });
      await new Promise((resolve) => site.server.close(resolve));
    }
  });

  it('resumes on another node the ingest of a node killed mid-run, and ends as a crash-free ingest', async () => {
    const folder = writeCorpus(join(roots, 'corpus'), 64);
    // Files are read in name order: this one comes last, once the others are staged.
    writeFileSync(join(folder, 'zz-last.md'), '# Last\n\nHOLDKILL the last file.\n');

    const started = await call(0, 'index_document', { library: 'crashed', path: folder, async: true });
    const taskId = started.structuredContent!.taskId as string;
    await endpoint.held('HOLDKILL');
    const staged = await until(
      () => taskOn(0, taskId),
      (task) => (task.progress?.current ?? 0) > 0,
    );
    expect(staged.status).toBe('working');
    const victim = (await runner(taskId))!;
    const survivors = [0, 1, 2].filter((node) => node !== victim);
    const dropped = endpoint.dropped('HOLDKILL');
    nodes[victim]!.child.kill('SIGKILL');
    await dropped;
    endpoint.release('HOLDKILL');
    for (const node of survivors) expect((await taskOn(node, taskId)).status).toBe('working');

    const result = await resultOn(survivors[0]!, taskId);
    expect(result.isError, JSON.stringify(result.content)).not.toBe(true);
    for (const node of survivors) expect((await taskOn(node, taskId)).status).toBe('completed');
    const resumed = result.structuredContent as { created: number; failed: number; resumed: number; chunks: number };
    expect(resumed).toMatchObject({ created: 65, failed: 0 });
    expect(resumed.resumed).toBeGreaterThan(0);

    const healthy = (await call(survivors[1]!, 'index_document', { library: 'healthy', path: folder })).structuredContent as {
      created: number;
      chunks: number;
    };
    expect(healthy).toMatchObject({ created: 65, chunks: resumed.chunks });
    expect(await libraryChunks('crashed')).toEqual(await libraryChunks('healthy'));
    expect(await repository.stagingRuns()).toEqual([]);
  });

  /** Every live document's source and chunk texts in a library, by source. */
  async function libraryChunks(name: string): Promise<Map<string, string[]>> {
    const library = (await repository.listLibraries()).find((record) => record.name === name)!;
    const documents = await repository.liveDocuments(library.id, 0, 1_000, false);
    const bySource = new Map<string, string[]>();
    for (const document of documents) {
      expect(bySource.has(document.source)).toBe(false);
      const chunks = await repository.versionChunks(document.id, document.liveVersion, 0, 10_000);
      expect(chunks).toHaveLength(document.chunkCount);
      bySource.set(
        document.source,
        chunks.map((chunk) => `${chunk.heading}\n${chunk.text}`),
      );
    }
    return bySource;
  }
});
