/**
 * Workflow overhead: what running work as a workflow (each step and each batch its own durable
 * child task) costs next to the same no-op work in one task, on each backend. The workflow is a
 * sync's shape: discover → fan-out over the items in batches → apply. Both sides run in every
 * round, interleaved; the table reports medians over rounds. Usage:
 *
 *   node --conditions=carrel-source --import tsx bench/engine/workflow.ts [--rounds 5] [--items 1000] [--batch 50] [--parallelism 4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defineWorkflow, TaskEngine } from '@carrel/tasks';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { median } from './stats.js';
import { openBenchStore, type BenchLocator } from './stores.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    items: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '50' },
    parallelism: { type: 'string', default: '4' },
  },
});
const ROUNDS = Number(values.rounds);
const ITEMS = Number(values.items);
const BATCH = Number(values.batch);
const PARALLELISM = Number(values.parallelism);
const CHILDREN = 2 + Math.ceil(ITEMS / BATCH);

const list = (input: { items: number }) => Array.from({ length: input.items }, (_, i) => i);

const sync = defineWorkflow<{ items: number }>({
  steps: {
    discover: { run: ({ input }) => list(input) },
    fetch: {
      after: ['discover'],
      forEach: ({ results }) => results.discover as number[],
      batchSize: BATCH,
      parallelism: PARALLELISM,
      runBatch: ({ items }) => items.length,
    },
    apply: { after: ['fetch'], run: ({ results }) => (results.fetch as number[]).reduce((a, b) => a + b, 0) },
  },
});

/** The same work in one task: list, go through the batches, sum. */
const inOneTask = (input: { items: number }) => {
  const items = list(input);
  let done = 0;
  for (let i = 0; i < items.length; i += BATCH) done += items.slice(i, i + BATCH).length;
  return done;
};

async function timeOne(locator: BenchLocator, handler: 'sync' | 'one'): Promise<number> {
  const engine = new TaskEngine({
    store: await openBenchStore(locator),
    handlers: { one: inOneTask },
    workflows: { sync },
    concurrency: PARALLELISM + 2,
    onError: (error) => console.error(error),
  });
  await engine.start();
  const started = performance.now();
  const { task } = await engine.create({ handler, input: { items: ITEMS }, owner: 'bench' });
  const done = await engine.waitForTerminal(task.id, 'bench');
  const ms = performance.now() - started;
  if (done.status !== 'completed') throw new Error(`${handler} ended ${done.status}: ${JSON.stringify(done.outcome)}`);
  await engine.stop();
  await engine.store.close();
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), 'carrel-bench-workflow-'));
const pg = await startPostgres();
const backends: Array<[string, (round: number) => BenchLocator]> = [
  ['memory', () => ({ backend: 'memory' })],
  ['sqlite', (round) => ({ backend: 'sqlite', path: join(dir, `tasks-${round}.db`) })],
  ['postgres', (round) => ({ backend: 'postgres', connectionString: pg.url, schema: `bench_workflow_${round}` })],
];
const times = new Map(backends.map(([name]) => [name, { sync: [] as number[], one: [] as number[] }]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, locator] of backends) {
      const row = times.get(name)!;
      // Alternating which side goes first, so neither always meets a warmer machine.
      const order: Array<'sync' | 'one'> = round % 2 === 0 ? ['sync', 'one'] : ['one', 'sync'];
      for (const handler of order) row[handler].push(await timeOne(locator(round), handler));
    }
  }
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}

console.log(`${ITEMS} items, batches of ${BATCH}, parallelism ${PARALLELISM}: ${CHILDREN} child tasks; ${ROUNDS} rounds, medians`);
console.log('| backend | one task ms | workflow ms | × one task | ms per child task |');
console.log('|---|---:|---:|---:|---:|');
for (const [name] of backends) {
  const { sync: s, one } = times.get(name)!;
  const [w, o] = [median(s), median(one)];
  console.log(`| ${name} | ${o.toFixed(1)} | ${w.toFixed(1)} | ${(w / o).toFixed(1)} | ${((w - o) / CHILDREN).toFixed(2)} |`);
}
