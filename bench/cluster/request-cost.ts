/**
 * What one MCP request costs a node's main thread, the floor under a cancel's latency on node A:
 * one `carrel serve` (SQLite, offline embedder, a bearer token) run with `--cpu-prof`, driven by
 * the MCP SDK client over HTTP with `ping` (no task store) and `get_task` (one read) back to back;
 * then its CPU profile, from the first request on, summed by where the time went. Usage:
 *
 *   node --conditions=carrel-source --import tsx bench/cluster/request-cost.ts [--requests 500]
 *
 * The profile counts time on the main thread only, including the warm-up, the one small ingest
 * that makes a task to read, and the profiler's own sampling cost, so it is an upper bound; a
 * loaded machine shows as more wall time per request than CPU time (the process waiting for a
 * core).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { carrelArgv, mcpHttp, REPO_ROOT } from '../../packages/carrel/test/mcp/support/carrel-process.js';
import { median, percentile } from '../engine/stats.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '500' } } });
const REQUESTS = Number(values.requests);
const TOKEN = 'bench-token-0123456789abcdef';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const work = mkdtempSync(join(tmpdir(), 'carrel-request-cost-'));
const profiles = join(work, 'profiles');
const child = spawn(
  process.execPath,
  [
    '--cpu-prof',
    '--cpu-prof-dir',
    profiles,
    ...carrelArgv(join(work, 'data'), ['--json', 'serve', '--port', '0', '--token', TOKEN, '--rate-limit', '0']),
  ],
  { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"url":\s*"([^"]+)"/.exec(text);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`carrel serve exited (${code})`)));
  });
  const client = await mcpHttp(url, { token: TOKEN });
  // A task to read: a one-note ingest (its own requests and run are in the profile too, a small share).
  const created = await client.callTool({
    name: 'index_document',
    arguments: { library: 'p', title: 'Note', content: '# Note\n\nA note.\n', async: true },
  });
  const taskId = (created.structuredContent as { taskId: string }).taskId;
  const requests: [string, () => Promise<unknown>][] = [
    ['ping', () => client.ping()],
    ['get_task', () => client.callTool({ name: 'get_task', arguments: { taskId } })],
  ];
  console.log(
    `load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}`,
  );
  for (const [, request] of requests) for (let i = 0; i < 50; i++) await request(); // warm-up (JIT)
  for (const [name, request] of requests) {
    const ms: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const sent = performance.now();
      await request();
      ms.push(performance.now() - sent);
    }
    console.log(`${name}: round trip p50 ${median(ms).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms (n = ${REQUESTS})`);
  }
  await client.close();
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
}

// The main thread's profile is the one whose samples include the HTTP auth of a request.
for (const file of readdirSync(profiles)) {
  const profile = JSON.parse(readFileSync(join(profiles, file), 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const childId of node.children ?? []) parentOf.set(childId, node.id);
  const inStack = (id: number | undefined, part: string): boolean =>
    id !== undefined && (byId.get(id)!.callFrame.url.includes(part) || inStack(parentOf.get(id), part));
  const first = profile.samples.findIndex((id) => inStack(id, 'http-auth'));
  if (first === -1) continue;
  const byPlace = new Map<string, number>();
  let busy = 0;
  for (let i = first; i < profile.samples.length; i++) {
    const { functionName, url } = byId.get(profile.samples[i]!)!.callFrame;
    if (functionName === '(idle)') continue;
    const us = profile.timeDeltas[i] ?? 0;
    busy += us;
    const place = url.includes('node_modules/')
      ? url
          .split('node_modules/')[1]!
          .split('/')
          .slice(0, url.includes('node_modules/@') ? 2 : 1)
          .join('/')
      : url.startsWith('node:')
        ? url
        : url.includes('/packages/')
          ? `packages/${url.split('/packages/')[1]!.split('/').slice(0, 3).join('/')}`
          : functionName;
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
  }
  const perRequest = (us: number) => `${(us / 1000 / (2 * (REQUESTS + 50))).toFixed(2)} ms`;
  console.log(`\nmain thread, from the first request on: ${perRequest(busy)} of CPU per request (both kinds together), by place:`);
  for (const [place, us] of [...byPlace].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${perRequest(us)}  ${place}`);
}
rmSync(work, { recursive: true, force: true });
