/**
 * Vector-index benchmark: approximate nearest-neighbour libraries next to Carrel's exact in-memory
 * scan, on the same clustered int8 vectors (see data.ts): build time, memory (RSS growth while
 * building), query p50/p95 at k = 10 and recall@10 against the exact scan, unfiltered and with a
 * filter that keeps one library of ten (~10% of rows) and must still return 10.
 *
 * Each subject runs in its own process, one after another, so one's memory does not count against
 * the next; the exact scan runs first and its answers are the truth the others are scored against.
 *
 *   node --conditions=carrel-source --import tsx bench/vector-index/run.ts [--count 100000] [--queries 200]
 *        [--subjects exact,usearch,usearch-i8-128/128,usearch-f16-64/64,usearch-f16-128/128,hnswlib,lancedb]
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vectorSet } from './data.js';
import { LIBRARY, SUBJECTS, type Allowed } from './subjects.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const COUNT = Number(arg('count', '100000'));
const QUERIES = Number(arg('queries', '200'));
const DIMS = 384;
const K = 10;
const DIR = arg('dir', join(tmpdir(), 'carrel-bench-vector-index'));
const truthFile = join(DIR, `truth-${COUNT}-q${QUERIES}.json`);

interface Measured {
  subject: string;
  buildMs: number;
  rssMb: number;
  p50: number;
  p95: number;
  recall: number;
  filteredP50: number;
  filteredP95: number;
  filteredRecall: number;
  /** Fewest results a filtered query returned. */
  filteredMin: number;
  /** Milliseconds for the index to catch up with a 1% change (subjects that measure it). */
  changeMs?: number;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

async function measure(name: string): Promise<void> {
  const set = vectorSet(DIR, COUNT, DIMS, QUERIES);
  const list: number[] = [];
  for (let i = 0; i < COUNT; i++) if (set.libraries[i] === LIBRARY) list.push(i + 1);
  const allowed: Allowed = { list, set: new Set(list) };
  global.gc?.();
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  const subject = await SUBJECTS[name]!(set);
  const buildMs = performance.now() - started;
  const rssMb = (process.memoryUsage().rss - rss) / 1048576;
  for (const breadth of subject.breadths?.values ?? [undefined]) {
    if (breadth !== undefined) subject.breadths!.use(breadth);
    const answers: { plain: number[][]; filtered: number[][] } = { plain: [], filtered: [] };
    const times: { plain: number[]; filtered: number[] } = { plain: [], filtered: [] };
    // Warm-up: the first queries pay for page faults and JIT.
    for (let i = 0; i < Math.min(10, QUERIES); i++) await subject.query(set.queries.subarray(i * DIMS, (i + 1) * DIMS), K);
    for (let i = 0; i < QUERIES; i++) {
      const q = set.queries.subarray(i * DIMS, (i + 1) * DIMS);
      for (const kind of ['plain', 'filtered'] as const) {
        const t = performance.now();
        const ids = await subject.query(q, K, kind === 'filtered' ? allowed : undefined);
        times[kind].push(performance.now() - t);
        answers[kind].push(ids);
      }
    }
    if (name === 'exact') writeFileSync(truthFile, JSON.stringify(answers));
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as typeof answers;
    const recall = (kind: 'plain' | 'filtered') =>
      answers[kind].reduce((sum, ids, i) => sum + ids.filter((id) => truth[kind][i]!.includes(id)).length, 0) / (QUERIES * K);
    const measured: Measured = {
      subject: breadth === undefined ? name : `${name}, breadth ${breadth}`,
      buildMs,
      rssMb,
      p50: percentile(times.plain, 50),
      p95: percentile(times.plain, 95),
      recall: recall('plain'),
      filteredP50: percentile(times.filtered, 50),
      filteredP95: percentile(times.filtered, 95),
      filteredRecall: recall('filtered'),
      filteredMin: Math.min(...answers.filtered.map((ids) => ids.length)),
    };
    process.stdout.write(JSON.stringify(measured) + '\n');
  }
  if (subject.change) process.stdout.write(JSON.stringify({ subject: name, changeMs: await subject.change() }) + '\n');
}

const subjectArg = arg('subject', '');
if (subjectArg) {
  await measure(subjectArg);
} else {
  mkdirSync(DIR, { recursive: true });
  let started = performance.now();
  vectorSet(DIR, COUNT, DIMS, QUERIES);
  console.log(`data: ${COUNT} × ${DIMS} int8, ${QUERIES} queries (${Math.round(performance.now() - started)} ms to make or read)`);
  const names = arg('subjects', 'exact,usearch,usearch-i8-128/128,usearch-f16-64/64,usearch-f16-128/128,hnswlib,lancedb').split(',');
  if (names[0] !== 'exact') names.unshift('exact');
  const load = loadavg()[0]!.toFixed(1);
  const rows: Measured[] = [];
  for (const name of names) {
    started = performance.now();
    const out = execFileSync(
      process.execPath,
      [
        ...process.execArgv,
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--subject',
        name,
        '--count',
        String(COUNT),
        '--queries',
        String(QUERIES),
        '--dir',
        DIR,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    for (const line of out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))) {
      const row = JSON.parse(line) as Measured;
      if (row.buildMs === undefined) rows.find((r) => r.subject.startsWith(row.subject))!.changeMs = row.changeMs;
      else rows.push(row);
    }
    console.error(`${name}: ${Math.round((performance.now() - started) / 1000)} s`);
  }
  const exact = rows[0]!;
  const f = (x: number, digits = 2) => x.toFixed(digits);
  console.log(`\n${COUNT} vectors, ${QUERIES} queries, k = ${K}; load average ${load} → ${loadavg()[0]!.toFixed(1)}\n`);
  console.log(
    '| subject | build s | RSS growth MB | p50 / p95 ms | × exact p50 | recall@10 | filtered p50 / p95 ms | × exact | filtered recall@10 | fewest filtered results |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows)
    console.log(
      `| ${r.subject}${r.changeMs === undefined ? '' : ` (1% change caught up in ${f(r.changeMs / 1000, 1)} s)`} | ${f(r.buildMs / 1000, 1)} | ${f(r.rssMb, 0)} | ${f(r.p50)} / ${f(r.p95)} | ${f(r.p50 / exact.p50, 3)} | ${f(r.recall, 3)} | ${f(r.filteredP50)} / ${f(r.filteredP95)} | ${f(r.filteredP50 / exact.filteredP50, 3)} | ${f(r.filteredRecall, 3)} | ${r.filteredMin} |`,
    );
}
