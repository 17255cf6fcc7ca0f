/**
 * What a restart costs a large library's approximate index: building it again (what every restart
 * did before indexes were kept on disk), against loading the saved one, as is and after 1% of the
 * library changed while the process was down. Carrel's whole path (approximate-search.ts with a
 * folder, approximate-index-files.ts), on the clustered vectors of data.ts, in one process:
 *
 * 1. build: a first search builds the index and saves it (the anchor: a restart without a saved
 *    index builds the same way);
 * 2. load: a new owner (a restarted process) on the same copy loads it, hashes the copy and finds
 *    nothing to change;
 * 3. load + 1%: a new owner on a copy in which 0.5% of the rows were deleted and 0.5% added loads
 *    the same files and brings the index up to date.
 *
 * For each: seconds until the index answers, the longest stall of the event loop (save and load
 * are single synchronous calls into usearch), and recall@10 against the exact scan.
 *
 *   node --conditions=carrel-source --import tsx bench/vector-index/restart.ts [--count 250000] [--queries 200]
 *
 * @module
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ApproximateIndex } from '../../packages/carrel/src/store/approximate-index.js';
import { IndexFolder } from '../../packages/carrel/src/store/approximate-index-files.js';
import {
  keepIndexesIn,
  nearestInPartition,
  vectorIndexPolicy,
  vectorIndexStatus,
  vectorIndexesBuilt,
} from '../../packages/carrel/src/store/approximate-search.js';
import { scanPartition, type VectorMemory } from '../../packages/carrel/src/store/vector-memory.js';
import { vectorSet } from './data.js';
import { idOf, memoryOf, rowsOf } from './subjects.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const COUNT = Number(arg('count', '250000'));
const QUERIES = Number(arg('queries', '200'));
const DIMS = 384;
const K = 10;

const set = vectorSet(join(tmpdir(), 'carrel-bench-vector-index'), COUNT, DIMS, QUERIES);
const folderDir = mkdtempSync(join(tmpdir(), 'carrel-bench-index-files-'));
vectorIndexPolicy.minRows = 0;

// Time spent in the folder's save and load (hash and flush included), and in usearch's own
// synchronous save and load calls within them: the event loop waits for those.
const timed = { saveMs: 0, loadMs: 0, usearchSaveMs: 0, usearchLoadMs: 0 };
const timing = <T extends object>(target: T, method: string, into: keyof typeof timed) => {
  const original = (target as Record<string, (...args: unknown[]) => unknown>)[method]!;
  (target as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
    const started = performance.now();
    const done = () => (timed[into] += performance.now() - started);
    const result = original.apply(this, args);
    if (result instanceof Promise) return result.finally(done);
    done();
    return result;
  };
};
timing(IndexFolder.prototype, 'save', 'saveMs');
timing(IndexFolder.prototype, 'load', 'loadMs');
timing(ApproximateIndex.prototype, 'save', 'usearchSaveMs');
timing(ApproximateIndex, 'load', 'usearchLoadMs');

interface Step {
  step: string;
  seconds: number;
  saveMs: number;
  loadMs: number;
  usearchSaveMs: number;
  usearchLoadMs: number;
  stallMs: number;
  recall: number;
}

/** A restarted process: a new owner on `memory`, its indexes kept in the one folder; times its first search until the index answers. */
async function restart(step: string, memory: VectorMemory): Promise<Step> {
  const owner = {};
  keepIndexesIn(owner, folderDir);
  Object.assign(timed, { saveMs: 0, loadMs: 0, usearchSaveMs: 0, usearchLoadMs: 0 });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();
  nearestInPartition(owner, memory, 1, set.queries.subarray(0, DIMS), K);
  await vectorIndexesBuilt(owner);
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  const [status] = vectorIndexStatus(owner);
  if (status?.failed || status?.saveFailed) throw new Error(`${step}: ${status.failed ?? status.saveFailed}`);
  let found = 0;
  for (let q = 0; q < QUERIES; q++) {
    const query = set.queries.subarray(q * DIMS, (q + 1) * DIMS);
    const truth = new Set(scanPartition(memory, 1, query, K).map((h) => h.chunkId));
    for (const hit of nearestInPartition(owner, memory, 1, query, K)) if (truth.has(hit.chunkId)) found++;
  }
  return { step, seconds, ...timed, stallMs: loop.max / 1e6, recall: found / (QUERIES * K) };
}

const before = loadavg()[0]!.toFixed(1);
const ids = Float64Array.from({ length: COUNT }, (_, i) => idOf(i));
const memory = memoryOf(set, ids, rowsOf(set));
const steps = [await restart('build (and save)', memory), await restart('load', memory)];
const half = Math.floor(COUNT / 200);
const changed = memoryOf(
  set,
  Float64Array.from({ length: COUNT }, (_, i) => (i < half ? COUNT + 1 + i : idOf(i))),
  (row) => rowsOf(set)(row < half ? COUNT - 1 - row : row),
);
steps.push(await restart('load + 1% changed', changed));
const files = readdirSync(folderDir).map(
  (name) => `${name.replace(/-[0-9a-f]{16}\./, '-….')} ${(statSync(join(folderDir, name)).size / 1e6).toFixed(1)} MB`,
);
rmSync(folderDir, { recursive: true, force: true });

const build = steps[0]!.seconds;
console.log(
  `\n${COUNT.toLocaleString('en-US')} × ${DIMS} vectors, ${QUERIES} queries; load average ${before} → ${loadavg()[0]!.toFixed(1)}; files: ${files.join(', ')}\n`,
);
console.log(
  '| step | until the index answers, s | × build | of which save / load, s | of which usearch save / load, s | longest event-loop stall, ms | recall@10 |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const s of steps)
  console.log(
    `| ${s.step} | ${s.seconds.toFixed(2)} | ${(s.seconds / build).toFixed(3)} | ${(s.saveMs / 1000).toFixed(2)} / ${(s.loadMs / 1000).toFixed(2)} | ${(s.usearchSaveMs / 1000).toFixed(2)} / ${(s.usearchLoadMs / 1000).toFixed(2)} | ${s.stallMs.toFixed(0)} | ${s.recall.toFixed(3)} |`,
  );
