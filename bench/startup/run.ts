/**
 * Start-up benchmark for `carrel mcp`: spawns the built CLI (`node packages/carrel/dist/main.js
 * mcp`, the JavaScript a user runs; build first with `npm run build -w packages/tasks && npm run
 * build -w packages/carrel`), writes an MCP `initialize` on stdin and times until the response
 * line arrives. Then, with the server idle, reads its resident set size from /proc. A fresh data
 * dir per run, so each start also creates and migrates the task store.
 *
 * Usage: node --import tsx bench/startup/run.ts [--runs 15] [--main path/to/main.js] [--source]
 * (`--source` runs the TypeScript through tsx instead, the way the tests do; slower, for comparison).
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
if (!existsSync(main))
  throw new Error(`${main} does not exist: run npm run build -w packages/tasks && npm run build -w packages/carrel first`);
const SUBJECTS = {
  carrel: () => [...(values.source ? ['--conditions=carrel-source', '--import', 'tsx'] : []), main, '--data-dir', WARM_DIR, 'mcp'],
  'carrel-first': (dataDir: string) => [
    ...(values.source ? ['--conditions=carrel-source', '--import', 'tsx'] : []),
    main,
    '--data-dir',
    dataDir,
    'mcp',
  ],
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
const samples: Record<keyof typeof SUBJECTS, { readyMs: number; cpuMs: number; idleRssMb: number }[]> = {
  carrel: [],
  'carrel-first': [],
  'sdk-floor': [],
};
await once(SUBJECTS.carrel);
const bare: number[] = [];
// Interleaved, so load from other processes on the machine falls on all subjects alike.
for (let i = 0; i < runs; i++) {
  bare.push(await bareNode());
  for (const name of Object.keys(SUBJECTS) as (keyof typeof SUBJECTS)[]) samples[name].push(await once(SUBJECTS[name]));
}
console.log(
  `carrel mcp (${values.source ? 'TypeScript via tsx' : 'built JS'}), ${runs} runs, Node ${process.version}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);
console.log(`bare node -e '': median ${median(bare).toFixed(0)} ms`);
for (const [name, list] of Object.entries(samples)) {
  const ready = list.map((s) => s.readyMs);
  const rss = list.map((s) => s.idleRssMb);
  const cpu = list.map((s) => s.cpuMs);
  console.log(
    `${name.padEnd(12)} ready (initialize answered): median ${median(ready).toFixed(0)} ms (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}); CPU to ready median ${median(cpu).toFixed(0)} ms; idle RSS median ${median(rss).toFixed(1)} MB (max ${Math.max(...rss).toFixed(1)})`,
  );
}
rmSync(WARM_DIR, { recursive: true, force: true });
