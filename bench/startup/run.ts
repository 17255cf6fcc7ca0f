/**
 * Start-up benchmark for `carrel mcp`: spawns the installed command as a user runs it
 * (`node packages/carrel/bin/carrel.js mcp`, which runs the esbuild bundle in dist/bundle/; build
 * first with `npm run build`), writes an MCP `initialize` on stdin and times until the response
 * line arrives. Then, with the server idle, reads its resident set size from /proc. Also times
 * the unbundled compiled JavaScript (`dist/main.js`), a first start on a fresh data dir, and the
 * bare SDK answering `initialize` (the floor), interleaved run by run.
 *
 * Usage: node --import tsx bench/startup/run.ts [--runs 15] [--main path/to/main.js] [--source]
 * (`--main` replaces the unbundled subject; `--source` makes it the TypeScript through tsx, the way
 * the tests run it: slower, for comparison).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, main: { type: 'string' }, source: { type: 'boolean', default: false } },
});
// One data dir, created and migrated by a first unmeasured start: the everyday case. A first-ever
// start also creates both databases (measured separately as `carrel-first`).
const WARM_DIR = mkdtempSync(join(tmpdir(), 'carrel-startup-warm-'));
const runs = Number(values.runs);
const main = values.main ?? join(ROOT, values.source ? 'packages/carrel/src/main.ts' : 'packages/carrel/dist/main.js');
const bin = join(ROOT, 'packages/carrel/bin/carrel.js');
for (const file of [main, join(ROOT, 'packages/carrel/dist/bundle/carrel.js')])
  if (!existsSync(file)) throw new Error(`${file} does not exist: run npm run build first`);
const unbundled = values.source ? 'carrel-source' : 'carrel-unbundled';
const SUBJECTS = {
  // The command a user runs: bin/carrel.js → the bundle.
  carrel: () => [bin, '--data-dir', WARM_DIR, 'mcp'],
  'carrel-first': (dataDir: string) => [bin, '--data-dir', dataDir, 'mcp'],
  [unbundled]: () => [...(values.source ? ['--conditions=carrel-source', '--import', 'tsx'] : []), main, '--data-dir', WARM_DIR, 'mcp'],
  // Context for the figures on this machine: bare Node, and the SDK alone answering initialize.
  'sdk-floor': () => [fileURLToPath(new URL('./sdk-floor.mjs', import.meta.url))],
};

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'startup-bench', version: '1.0.0' } },
};

/** One start: ms until the initialize response, and RSS (MB) once idle. */
async function once(argv: (dataDir: string) => string[]): Promise<{ readyMs: number; cpuMs: number; idleRssMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carrel-startup-'));
  const started = process.hrtime.bigint();
  let cpuMs = 0;
  const child = spawn(process.execPath, argv(dataDir), { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.write(`${JSON.stringify(INITIALIZE)}\n`);
  const readyMs = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('"id":1')) {
        cpuMs = cpuTime(child.pid!);
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      }
    });
    child.once('exit', (code) => reject(new Error(`carrel mcp exited (${code}) before answering`)));
  });
  // Idle: the engine's first poll and maintenance ticks have run.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const idleRssMb = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  await exited;
  rmSync(dataDir, { recursive: true, force: true });
  return { readyMs, cpuMs, idleRssMb };
}

/**
 * CPU time (user + system, all threads) the process has used, from /proc/<pid>/stat. On a loaded
 * machine wall time mostly measures waiting for a core; CPU time to ready is the part the program owns.
 */
function cpuTime(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** ms for `node -e ''`: the machine's own start-up cost right now. */
function bareNode(): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) =>
    spawn(process.execPath, ['-e', '']).once('exit', () => resolve(Number(process.hrtime.bigint() - started) / 1e6)),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const samples = Object.fromEntries(
  Object.keys(SUBJECTS).map((name) => [name, [] as { readyMs: number; cpuMs: number; idleRssMb: number }[]]),
);
await once(SUBJECTS.carrel);
const bare: number[] = [];
// Interleaved, so load from other processes on the machine falls on all subjects alike.
for (let i = 0; i < runs; i++) {
  bare.push(await bareNode());
  for (const [name, argv] of Object.entries(SUBJECTS)) samples[name]!.push(await once(argv));
}
console.log(
  `carrel mcp, ${runs} runs, Node ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log(`bare node -e '': median ${median(bare).toFixed(0)} ms`);
for (const [name, list] of Object.entries(samples)) {
  const ready = list.map((s) => s.readyMs);
  const rss = list.map((s) => s.idleRssMb);
  const cpu = list.map((s) => s.cpuMs);
  console.log(
    `${name.padEnd(16)} ready (initialize answered): median ${median(ready).toFixed(0)} ms (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}); CPU to ready median ${median(cpu).toFixed(0)} ms; idle RSS median ${median(rss).toFixed(1)} MB (max ${Math.max(...rss).toFixed(1)})`,
  );
}
const ratio = (pick: (s: { readyMs: number; cpuMs: number }) => number) =>
  (median(samples.carrel!.map(pick)) / median(samples['sdk-floor']!.map(pick))).toFixed(2);
console.log(`carrel / sdk-floor: ready ${ratio((s) => s.readyMs)}×, CPU to ready ${ratio((s) => s.cpuMs)}×`);
rmSync(WARM_DIR, { recursive: true, force: true });
