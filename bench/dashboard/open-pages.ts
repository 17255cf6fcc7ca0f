/**
 * Does an open dashboard slow the tasks down? Runs `--tasks` real index_document tasks (small
 * notes, offline embedder, SQLite) on a `carrel serve`-like server with 0 and then `--pages`
 * dashboard event streams open (one owner, each stream read as fast as it comes), alternating for
 * `--rounds` rounds after a warm-up, and prints throughput and what the streams were sent.
 *
 * Usage: node --conditions=carrel-source --import tsx bench/dashboard/open-pages.ts --rounds 4 --tasks 300 --pages 10
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openRuntime } from '../../packages/carrel/src/app/runtime.js';
import { CARREL_SCOPES } from '../../packages/carrel/src/app/scopes.js';
import { resolveSettings } from '../../packages/carrel/src/app/settings.js';
import { createDashboard } from '../../packages/carrel/src/dashboard/dashboard.js';
import { mcpFace } from '../../packages/carrel/src/mcp/index.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    tasks: { type: 'string', default: '300' },
    pages: { type: 'string', default: '10' },
  },
});
const TASKS = Number(values.tasks);
const TOKEN = 'bench-token-0123456789abcdef';

/** Tasks per second with `pages` streams open, and the bytes they were sent. */
async function run(pages: number): Promise<{ perSecond: number; bytes: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carrel-bench-pages-'));
  const runtime = await openRuntime(resolveSettings({ dataDir, embedder: 'offline' }, {}));
  const dashboard = createDashboard(runtime);
  const endpoint = await mcpFace.serveHttp(runtime, {
    host: '127.0.0.1',
    port: 0,
    routes: [dashboard.route],
    tokens: { [TOKEN]: { principal: 'bench', owner: 'bench', scopes: CARREL_SCOPES } },
  });
  const origin = new URL(endpoint.url).origin;
  const login = await fetch(`${origin}/dashboard/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ token: TOKEN }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const stop = new AbortController();
  let bytes = 0;
  for (let i = 0; i < pages; i++) {
    const response = await fetch(`${origin}/dashboard/api/events`, { headers: { cookie }, signal: stop.signal });
    void (async () => {
      for await (const chunk of response.body!) bytes += (chunk as Uint8Array).length;
    })().catch(() => undefined);
  }
  const started = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const input = { arguments: { library: 'notes', title: `Note ${i}`, content: `# Note ${i}\n\nText ${i}.\n` }, answers: {} };
    ids.push((await runtime.engine.create({ handler: 'mcp.tool:index_document', input, owner: 'bench' })).task.id);
  }
  for (const id of ids) await runtime.engine.waitForTerminal(id, 'bench');
  const perSecond = TASKS / ((performance.now() - started) / 1000);
  stop.abort();
  dashboard.close();
  await endpoint.close();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { perSecond, bytes };
}

await run(0); // warm-up: module loading, SQLite page cache
for (let round = 1; round <= Number(values.rounds); round++)
  for (const pages of [0, Number(values.pages)]) {
    const { perSecond, bytes } = await run(pages);
    console.log(
      `round ${round}  pages ${String(pages).padStart(2)}  ${perSecond.toFixed(1).padStart(6)} tasks/s  ${(bytes / 1024).toFixed(0).padStart(5)} KiB streamed  load ${loadavg()[0]!.toFixed(1)}`,
    );
  }
process.exit(0);
