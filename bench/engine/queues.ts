/**
 * Carrel's PostgreSQL backend against graphile-worker and pg-boss at equal concurrency: no-op
 * tasks, create → run → terminal for every task, 32 creators in flight, one process holding
 * both the creators and the worker, all on one PostgreSQL server. Every round runs every
 * subject at every concurrency, in an order that rotates between rounds; the table reports
 * medians over rounds, with the Node process's and the database's CPU time per 1,000 tasks.
 * Usage:
 *
 *   node --conditions=carrel-source --import tsx bench/engine/queues.ts [--rounds 3] [--tasks 3000] [--concurrency 16,64] [--only carrel,graphile]
 *
 * Concurrency is the number of handlers running at once: Carrel's `concurrency`,
 * graphile-worker's `concurrentJobs`, and for pg-boss 4 workers × a batch of concurrency ÷ 4.
 * pg-boss fetches once per polling interval (0.5 s at least) whether or not there is more
 * work, so its rate is fixed by concurrency ÷ 0.5 s; it runs 20 intervals' worth of tasks
 * rather than `--tasks`, to keep a round short.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { postgresCpuClock, processCpuMs } from './cpu.js';
import { median } from './stats.js';
import { CarrelSubject } from './subjects/carrel.js';
import { GraphileWorkerSubject } from './subjects/graphile-worker.js';
import { PgBossSubject } from './subjects/pg-boss.js';
import type { BenchSubject } from './subject.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '16,64' },
    only: { type: 'string' },
  },
});
const ROUNDS = Number(values.rounds);
const TASKS = Number(values.tasks);
const CONCURRENCIES = values.concurrency.split(',').map(Number);

interface Kind {
  name: string;
  open(url: string, schema: string, concurrency: number): Promise<BenchSubject>;
  tasks(concurrency: number): number;
}

const KINDS: Kind[] = [
  {
    name: 'carrel postgres',
    open: (url, schema, c) => CarrelSubject.open({ backend: 'postgres', connectionString: url, schema }, c),
    tasks: () => TASKS,
  },
  { name: 'graphile-worker 0.17', open: (url, schema, c) => GraphileWorkerSubject.open(url, schema, c), tasks: () => TASKS },
  {
    name: 'graphile-worker 0.17, addJobs × 100',
    open: (url, schema, c) => GraphileWorkerSubject.open(url, schema, c, { bulk: true }),
    tasks: () => TASKS,
  },
  {
    name: 'pg-boss 10, 4 workers',
    open: (url, schema, c) => PgBossSubject.open(url, schema, c / 4),
    tasks: (c) => Math.min(TASKS, 20 * c),
  },
];

const only = values.only?.split(',').map((word) => word.trim());
const kinds = KINDS.filter(({ name }) => !only || only.some((word) => name.includes(word)));

interface Sample {
  tps: number;
  nodeCpuPer1k: number;
  dbCpuPer1k: number;
}
const samples = new Map<string, Sample[]>();
const key = (kind: string, concurrency: number) => `${kind}|${concurrency}`;

const loadBefore = loadavg()[0]!;
const pgServer = await startPostgres();
const probe = new pg.Pool({ connectionString: pgServer.url, max: 1 });
// The server's shutdown ends the idle connection; without a listener that would crash the run before the table is printed.
probe.on('error', () => undefined);
const dbCpu = await postgresCpuClock(probe);
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const concurrency of CONCURRENCIES) {
      // Rotating the order, so no subject always meets the machine just after the same neighbour.
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
      for (const kind of order) {
        const schema = `bench_${kind.name.replace(/\W+/g, '_')}_${concurrency}_${round}`.toLowerCase();
        const subject = await kind.open(pgServer.url, schema, concurrency);
        try {
          const n = kind.tasks(concurrency);
          await subject.throughput(Math.max(1, Math.round(n / 10))); // warm-up: JIT, connections, prepared statements
          const [node0, db0] = [processCpuMs(), dbCpu()];
          const tps = await subject.throughput(n);
          const [node1, db1] = [processCpuMs(), dbCpu()];
          const list = samples.get(key(kind.name, concurrency)) ?? [];
          list.push({ tps, nodeCpuPer1k: ((node1 - node0) * 1000) / n, dbCpuPer1k: ((db1 - db0) * 1000) / n });
          samples.set(key(kind.name, concurrency), list);
          console.error(`round ${round}, concurrency ${concurrency}: ${kind.name} ${tps.toFixed(0)} tasks/s`);
        } finally {
          await subject.close();
        }
      }
    }
  }
} finally {
  await probe.end();
  await pgServer.stop();
}
const loadAfter = loadavg()[0]!;

console.log(
  `Rounds: ${ROUNDS}; ${TASKS} tasks per run (pg-boss: 20 × concurrency); 32 creators in flight; medians over rounds; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}.\n`,
);
console.log('| concurrency | subject | no-op tasks/s | × graphile-worker | Node CPU ms / 1,000 tasks | PostgreSQL CPU ms / 1,000 tasks |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const concurrency of CONCURRENCIES) {
  const anchor = samples.get(key('graphile-worker 0.17', concurrency));
  const anchorTps = anchor ? median(anchor.map((s) => s.tps)) : Number.NaN;
  for (const kind of kinds) {
    const list = samples.get(key(kind.name, concurrency));
    if (!list) continue;
    const tps = median(list.map((s) => s.tps));
    const cpu = (pick: (s: Sample) => number) => median(list.map(pick)).toFixed(0);
    console.log(
      `| ${concurrency} | ${kind.name} | ${tps.toFixed(0)} | ${(tps / anchorTps).toFixed(2)} | ${cpu((s) => s.nodeCpuPer1k)} | ${cpu((s) => s.dbCpuPer1k)} |`,
    );
  }
}
