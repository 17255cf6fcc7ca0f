/**
 * The PostgreSQL subjects of the engine benchmark alone: Carrel's PostgreSQL backend next to
 * pg-boss (batch 100 and 500) on one embedded server, interleaved round by round so machine
 * noise hits every subject alike. For tuning the backend without waiting on the other subjects:
 *
 *   node --conditions=carrel-source --import tsx bench/engine/pg-throughput.ts [--rounds 3] [--tasks 3000] [--samples 30] [--latency]
 *
 * Prints one markdown table of medians over rounds (throughput; with `--latency`, also the
 * latency scenarios of run.ts for Carrel).
 */
import { parseArgs } from 'node:util';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { median, percentile } from './stats.js';
import { CarrelSubject } from './subjects/carrel.js';
import { PgBossSubject } from './subjects/pg-boss.js';
import type { BenchSubject } from './subject.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, tasks: { type: 'string', default: '3000' }, samples: { type: 'string', default: '30' }, latency: { type: 'boolean', default: false } },
});
const ROUNDS = Number(values.rounds);
const TASKS = Number(values.tasks);
const SAMPLES = Number(values.samples);
const SCENARIOS = ['createToStart', 'completionToWake', 'cancelToAbort', 'crossProcessCancel'] as const;

const pg = await startPostgres();
const factories: Array<[string, (round: number) => Promise<BenchSubject>]> = [
  ['carrel postgres', (round) => CarrelSubject.open({ backend: 'postgres', connectionString: pg.url, schema: `bench_carrel_${round}` })],
  ['pg-boss 10, batch 100', (round) => PgBossSubject.open(pg.url, `bench_pgboss100_${round}`, 100)],
  ['pg-boss 10, batch 500', (round) => PgBossSubject.open(pg.url, `bench_pgboss500_${round}`, 500)],
];
const throughput = new Map<string, number[]>();
const latency = new Map<string, { p50: number[]; p99: number[] }>();
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, open] of factories) {
      const subject = await open(round);
      try {
        await subject.throughput(Math.min(200, TASKS));
        const tps = await subject.throughput(TASKS);
        throughput.set(name, [...(throughput.get(name) ?? []), tps]);
        console.error(`round ${round}: ${name} ${tps.toFixed(0)} tasks/s`);
        if (values.latency && name.startsWith('carrel')) {
          for (const scenario of SCENARIOS) {
            const result = await subject[scenario](SAMPLES);
            if ('unsupported' in result) continue;
            const cell = latency.get(scenario) ?? { p50: [], p99: [] };
            cell.p50.push(percentile(result.samples, 50));
            cell.p99.push(percentile(result.samples, 99));
            latency.set(scenario, cell);
          }
        }
      } finally {
        await subject.close();
      }
    }
  }
} catch (error) {
  await pg.stop();
  throw error;
}

const boss500 = median(throughput.get('pg-boss 10, batch 500')!);
console.log(`Rounds: ${ROUNDS}; ${TASKS} tasks per run; medians over rounds.\n`);
console.log('| subject | no-op tasks/s (median) | runs | × pg-boss batch 500 |\n|---|---:|---|---:|');
for (const [name, runs] of throughput) console.log(`| ${name} | ${median(runs).toFixed(0)} | ${runs.map((r) => r.toFixed(0)).join(', ')} | ${(median(runs) / boss500).toFixed(2)} |`);
if (latency.size > 0) {
  console.log('\n| carrel postgres scenario | p50 ms | p99 ms |\n|---|---:|---:|');
  for (const [scenario, cell] of latency) console.log(`| ${scenario} | ${median(cell.p50).toFixed(2)} | ${median(cell.p99).toFixed(2)} |`);
}
// Stopped only after the table is out: pg-boss's pool may still report the server shutting down.
await pg.stop();
