/**
 * What open dashboards cost task throughput (issue 10): one `carrel serve` (SQLite, offline
 * embedder, no token: the loopback dashboard), driven by MCP SDK clients calling `index_document`
 * (a one-note ingest, run as a task) `--concurrency` at a time, `--tasks` per round, while 0 or
 * `--streams` dashboards hold the page's event stream (`/dashboard/api/events`) open and read every
 * event, as the page does. The two sides alternate which goes first each round, on the same server;
 * reported are each side's tasks/s per round, medians, and their ratio, and the server process's
 * CPU time per task (from /proc): on a machine of few cores the readers' own work competes with
 * the server for them, where a browser's would not, so the CPU time is the server's cost alone.
 *
 *   node --conditions=carrel-source --import tsx bench/dashboard/streams.ts [--rounds 5] [--tasks 120] [--concurrency 8] [--streams 10]
 *
 * @module
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { mcpHttp, startServe } from '../../packages/carrel/test/mcp/support/carrel-process.js';
import { median } from '../engine/stats.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '120' },
    concurrency: { type: 'string', default: '8' },
    streams: { type: 'string', default: '10' },
  },
});
const ROUNDS = Number(values.rounds);
const TASKS = Number(values.tasks);
const CONCURRENCY = Number(values.concurrency);
const STREAMS = Number(values.streams);

/** An open event stream, as the page holds it: the session cookie, then every byte read until closed. */
interface Stream {
  events: number;
  close(): void;
}

async function openStream(origin: string): Promise<Stream> {
  const session = await fetch(`${origin}/dashboard/api/session`);
  if (!session.ok) throw new Error(`GET /dashboard/api/session: ${session.status} ${await session.text()}`);
  const cookie = session.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const abort = new AbortController();
  const response = await fetch(`${origin}/dashboard/api/events`, {
    headers: { cookie, accept: 'text/event-stream' },
    signal: abort.signal,
  });
  if (!response.ok || !response.body) throw new Error(`GET /dashboard/api/events: ${response.status}`);
  const stream: Stream = { events: 0, close: () => abort.abort() };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        stream.events += (decoder.decode(value, { stream: true }).match(/^event: /gm) ?? []).length;
      }
    } catch {
      // Aborted by close().
    }
  })();
  return stream;
}

/** CPU time (user + system, ms) the process `pid` has used, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime are fields 14 and 15 of the line, in clock ticks (100 a second on Linux).
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** `TASKS` one-note ingests, `CONCURRENCY` at a time, each client on its own library; tasks/s. */
async function workload(clients: Client[], round: number, side: string): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      while (next < TASKS) {
        const n = next++;
        const result = await client.callTool({
          name: 'index_document',
          arguments: { library: `r${round}-${side}-${c}`, title: `Note ${n}`, content: `# Note ${n}\n\nA note about item ${n}.\n` },
        });
        if (result.isError) throw new Error(`index_document failed: ${JSON.stringify(result.content)}`);
      }
    }),
  );
  return TASKS / ((performance.now() - start) / 1000);
}

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-streams-'));
const server = await startServe(join(work, 'data'), ['--rate-limit', '0']);
try {
  const origin = new URL(server.url).origin;
  const clients = await Promise.all(Array.from({ length: CONCURRENCY }, () => mcpHttp(server.url)));
  await workload(clients, -1, 'warm-up');
  const rates: Record<'none' | 'open', number[]> = { none: [], open: [] };
  const cpuPerTask: Record<'none' | 'open', number[]> = { none: [], open: [] };
  const pid = server.child.pid!;
  const events: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? (['none', 'open'] as const) : (['open', 'none'] as const)) {
      const streams = side === 'open' ? await Promise.all(Array.from({ length: STREAMS }, () => openStream(origin))) : [];
      const cpuBefore = cpuMs(pid);
      rates[side].push(await workload(clients, round, side));
      // Let the last events arrive before the streams close.
      await new Promise((resolve) => setTimeout(resolve, 200));
      cpuPerTask[side].push((cpuMs(pid) - cpuBefore) / TASKS);
      if (side === 'open') events.push(median(streams.map((s) => s.events)));
      for (const s of streams) s.close();
    }
  }
  for (const client of clients) await client.close();
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
  console.log(
    `${ROUNDS} rounds × ${TASKS} tasks, ${CONCURRENCY} at a time; load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log('| dashboards open | tasks/s per round | median tasks/s | server CPU ms per task, median |\n|---|---|---:|---:|');
  for (const [side, label] of [
    ['none', '0'],
    ['open', String(STREAMS)],
  ] as const)
    console.log(`| ${label} | ${fmt(rates[side])} | ${median(rates[side]).toFixed(1)} | ${median(cpuPerTask[side]).toFixed(2)} |`);
  console.log(
    `ratios (${STREAMS} open / none): tasks/s ${(median(rates.open) / median(rates.none)).toFixed(3)}, server CPU per task ${(median(cpuPerTask.open) / median(cpuPerTask.none)).toFixed(3)}; events each stream read per round: median ${median(events)}`,
  );
} finally {
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
