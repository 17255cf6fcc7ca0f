/**
 * The scaling curve: no-op tasks/s with 1, 2 and 3 Carrel worker nodes (separate processes,
 * `node-process.ts`) on one PostgreSQL schema, each node at the same concurrency. The creators
 * (`--creators`, 32 in flight by default) run in this process, which runs no handlers and
 * counts a task done when its terminal change arrives through the change feed. Every round runs
 * every node count, in an order that rotates between rounds; medians over rounds. Usage:
 *
 *   node --conditions=carrel-source --import tsx bench/engine/nodes.ts [--rounds 3] [--tasks 3000] [--nodes 1,2,3] [--concurrency 16] [--creators 32] [--work-ms 0] [--cpu-prof-dir DIR] [--statements]
 *
 * `--nodes 0` adds the ceiling of this setup: the rate at which the creators alone create tasks,
 * with no node running them.
 *
 * `--work-ms` makes each task wait that long without using the CPU (as a handler waiting on I/O
 * does), so that the nodes' handler slots rather than the machine's cores bound the run.
 * `--cpu-prof-dir` writes a V8 CPU profile of every node process there (for tuning the engine).
 * `--statements` loads pg_stat_statements into the server (a restart) and prints, after each
 * run, the statements it executed per 1,000 tasks: calls, rows per call, execution time.
 *
 * Next to tasks/s it reports where the CPU went, per 1,000 tasks: each node (median over
 * nodes), the creators' process, and the PostgreSQL server; and how many cores the whole run
 * kept busy (all that CPU time ÷ wall time). On a machine with few cores the curve flattens
 * when that figure reaches the cores there are, whatever the engine does.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { isTerminal, TaskEngine } from '@carrel/tasks';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { postgresCpuClock, processCpuMs } from './cpu.js';
import { enableStatementStats, sampleActivity, statementsPer1k } from './statements.js';
import type { NodeMessage, NodeReport, NodeRequest } from './node-process.js';
import { clock, median } from './stats.js';
import { openBenchStore, type BenchLocator } from './stores.js';
import { boundedAll } from './subject.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '3000' },
    nodes: { type: 'string', default: '1,2,3' },
    concurrency: { type: 'string', default: '16' },
    creators: { type: 'string', default: '32' },
    'work-ms': { type: 'string', default: '0' },
    'cpu-prof-dir': { type: 'string' },
    statements: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const TASKS = Number(values.tasks);
const NODE_COUNTS = values.nodes.split(',').map(Number);
const CONCURRENCY = Number(values.concurrency);
const WORK_MS = Number(values['work-ms']);
const CREATORS = Number(values.creators);
const OWNER = 'bench';
/** A terminal change lost on the way (NOTIFY is not durable) must not hang the run: the count is also read from the table this often. */
const RECOUNT_MS = 250;
const nodeScript = fileURLToPath(new URL('./node-process.ts', import.meta.url));

/** One worker node process, spoken to over IPC. */
class NodeProcess {
  readonly #child: ChildProcess;
  readonly #replies: Array<(message: NodeMessage) => void> = [];
  readonly ready: Promise<void>;

  constructor(locator: BenchLocator) {
    this.#child = fork(nodeScript, [JSON.stringify(locator), String(CONCURRENCY), String(WORK_MS)], {
      execArgv: [
        '--conditions=carrel-source',
        '--import',
        'tsx',
        ...(values['cpu-prof-dir'] ? ['--cpu-prof', `--cpu-prof-dir=${values['cpu-prof-dir']}`] : []),
      ],
    });
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('exit', (code) => reject(new Error(`node process exited with ${code}`)));
      this.#child.on('message', (message: NodeMessage) => (message === 'ready' ? resolve() : this.#replies.shift()?.(message)));
    });
  }

  report(): Promise<NodeReport> {
    return new Promise((resolve) => {
      this.#replies.push((message) => resolve(message as NodeReport));
      this.#child.send('report' satisfies NodeRequest);
    });
  }

  stop(): Promise<void> {
    this.#child.removeAllListeners('exit');
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.send('stop' satisfies NodeRequest);
    return exited;
  }
}

interface Sample {
  tps: number;
  /** Per node: tasks it ran, and its CPU ms per 1,000 tasks of the whole run. */
  nodes: Array<{ ran: number; cpuPer1k: number }>;
  /** All nodes' claims per 1,000 tasks, and the share of them that found nothing. */
  claimsPer1k: number;
  emptyClaimShare: number;
  creatorsCpuPer1k: number;
  dbCpuPer1k: number;
  coresBusy: number;
}

const loadBefore = loadavg()[0]!;
const pgServer = await startPostgres();
if (values.statements) await enableStatementStats(pgServer);
const probe = new pg.Pool({ connectionString: pgServer.url, max: 1 });
// The server's shutdown ends the idle connection; without a listener that would crash the run before the table is printed.
probe.on('error', () => undefined);
const dbCpu = await postgresCpuClock(probe);
const samples = new Map<number, Sample[]>(NODE_COUNTS.map((n) => [n, []]));

/**
 * Creates `n` no-op tasks from this process and waits until every one is terminal (with no
 * node running, only until every one is created); returns the wall time in ms.
 */
async function runTasks(client: TaskEngine, schema: string, n: number, untilTerminal: boolean): Promise<number> {
  const started = clock();
  const create = () => boundedAll(n, CREATORS, () => client.create({ handler: 'noop', input: null, owner: OWNER }));
  if (!untilTerminal) {
    await create();
    return clock() - started;
  }
  let remaining = n;
  let allCreated = false;
  let recount: NodeJS.Timeout | undefined;
  const allDone = new Promise<void>((resolve) => {
    const done = () => (off(), clearInterval(recount), resolve());
    const off = client.store.subscribe((change) => {
      if (change.kind === 'status' && isTerminal(change.status) && --remaining === 0) done();
    });
    recount = setInterval(() => {
      void probe
        .query<{ live: string }>(`SELECT count(*) AS live FROM ${pg.escapeIdentifier(schema)}.tasks WHERE status = 'working'`)
        .then(({ rows }) => allCreated && Number(rows[0]!.live) === 0 && done());
    }, RECOUNT_MS);
  });
  await create();
  allCreated = true;
  await allDone;
  return clock() - started;
}

try {
  for (let round = 1; round <= ROUNDS; round++) {
    const order = NODE_COUNTS.map((_, i) => NODE_COUNTS[(i + round) % NODE_COUNTS.length]!);
    for (const count of order) {
      const schema = `bench_nodes_${count}_${round}`;
      const locator: BenchLocator = { backend: 'postgres', connectionString: pgServer.url, schema };
      // The creators' engine runs nothing (concurrency 0); it migrates the schema before the nodes start.
      const client = new TaskEngine({
        store: await openBenchStore(locator),
        concurrency: 0,
        maxLiveTasksPerOwner: null,
        handlers: { noop: async () => null },
        onError: (error) => console.error(error),
      });
      await client.start();
      const nodes = Array.from({ length: count }, () => new NodeProcess(locator));
      try {
        await Promise.all(nodes.map((node) => node.ready));
        await runTasks(client, schema, Math.round(TASKS / 10), count > 0); // warm-up: JIT, connections, prepared statements
        const before = await Promise.all(nodes.map((node) => node.report()));
        if (values.statements) await probe.query('SELECT pg_stat_statements_reset()');
        const [creators0, db0] = [processCpuMs(), dbCpu()];
        const activity = values.statements ? sampleActivity(probe, 5) : null;
        const wallMs = await runTasks(client, schema, TASKS, count > 0);
        const activitySeen = await activity?.();
        const [creators1, db1] = [processCpuMs(), dbCpu()];
        const after = await Promise.all(nodes.map((node) => node.report()));
        const perNode = after.map((a, i) => ({
          ran: a.ran - before[i]!.ran,
          cpuMs: a.cpuMs - before[i]!.cpuMs,
          claims: a.claims - before[i]!.claims,
          emptyClaims: a.emptyClaims - before[i]!.emptyClaims,
        }));
        const claims = perNode.reduce((sum, node) => sum + node.claims, 0);
        const emptyClaims = perNode.reduce((sum, node) => sum + node.emptyClaims, 0);
        const totalCpuMs = perNode.reduce((sum, node) => sum + node.cpuMs, 0) + (creators1 - creators0) + (db1 - db0);
        const per1k = (ms: number) => (ms * 1000) / TASKS;
        samples.get(count)!.push({
          tps: TASKS / (wallMs / 1000),
          nodes: perNode.map((node) => ({ ran: node.ran, cpuPer1k: per1k(node.cpuMs) })),
          claimsPer1k: per1k(claims),
          emptyClaimShare: claims === 0 ? 0 : emptyClaims / claims,
          creatorsCpuPer1k: per1k(creators1 - creators0),
          dbCpuPer1k: per1k(db1 - db0),
          coresBusy: totalCpuMs / wallMs,
        });
        console.error(
          `round ${round}: ${count} node(s) ${(TASKS / (wallMs / 1000)).toFixed(0)} tasks/s; ran ${perNode.map((node) => node.ran).join(' / ')}`,
        );
        if (values.statements) console.error(`${await statementsPer1k(probe, TASKS)}\n${activitySeen}`);
      } finally {
        await Promise.all(nodes.map((node) => node.stop()));
        await client.stop();
        await client.store.close();
      }
    }
  }
} finally {
  await probe.end();
  await pgServer.stop();
}
const loadAfter = loadavg()[0]!;

const one = median(samples.get(1)?.map((s) => s.tps) ?? []);
console.log(
  `Rounds: ${ROUNDS}; ${TASKS} tasks per run; ${CREATORS} creators in one process; concurrency ${CONCURRENCY} per node; ${WORK_MS ? `each task waits ${WORK_MS} ms` : 'no-op tasks'}; ${cpus().length} cores; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}; medians over rounds.\n`,
);
console.log(
  '| nodes | tasks/s | × 1 node | tasks run per node | claims / 1,000 tasks (empty) | CPU ms / 1,000 tasks per node | creators CPU ms / 1,000 tasks | PostgreSQL CPU ms / 1,000 tasks | cores busy |',
);
console.log('|---:|---:|---:|---|---:|---:|---:|---:|---:|');
for (const count of NODE_COUNTS) {
  const list = samples.get(count)!;
  const tps = median(list.map((s) => s.tps));
  const of = (pick: (s: Sample) => number, digits = 0) => median(list.map(pick)).toFixed(digits);
  // Per-node figures: the median node of each round, then the median over rounds.
  const ran = list
    .at(-1)!
    .nodes.map((node) => node.ran)
    .join(' / ');
  const nodes = count === 0 ? '0 (creators alone: tasks created/s)' : String(count);
  const claims = `${of((s) => s.claimsPer1k)} (${of((s) => s.emptyClaimShare * 100)} %)`;
  console.log(
    `| ${nodes} | ${tps.toFixed(0)} | ${(tps / one).toFixed(2)} | ${count === 0 ? '–' : `${ran} (last round)`} | ${count === 0 ? '–' : claims} | ${count === 0 ? '–' : of((s) => median(s.nodes.map((node) => node.cpuPer1k)))} | ${of((s) => s.creatorsCpuPer1k)} | ${of((s) => s.dbCpuPer1k)} | ${of((s) => s.coresBusy, 2)} |`,
  );
}
