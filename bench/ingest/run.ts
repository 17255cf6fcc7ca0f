/**
 * Ingest benchmark: a generated corpus of ~6 KB markdown files (or a real documentation folder,
 * `--corpus`), ingested as a directory with the offline embedder. Reports docs/s and chunks/s
 * overall and per slice of 1,000 documents (to show whether throughput holds as the store grows),
 * peak RSS, and store size relative to the source. Baseline, same run, same files: a naive
 * FTS5-only index (one row per whole document, one transaction) — the cheapest possible keyword
 * index, as an anchor for the ratios. Then a known-item search sample: each of `--queries` random
 * documents is searched for by its title, hybrid and BM25-only; reports p50 latency and MRR@10.
 *
 *   node --conditions=carrel-source --import tsx bench/ingest/run.ts [--docs 10000] [--queries 200]
 *   node --conditions=carrel-source --import tsx bench/ingest/run.ts --corpus "$(bash bench/corpora/debian-docs.sh postgresql-doc-15)"
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KnowledgeBase } from 'carrel';
import { walkDirectory } from '../../packages/carrel/src/sources/directory-source.js';
import { writeCorpus } from './corpus.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const SLICE = 1000;
const QUERIES = Number(arg('queries') ?? 200);

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-ingest-'));
const corpus = arg('corpus') ?? join(work, 'corpus');
if (!arg('corpus')) writeCorpus(corpus, Number(arg('docs') ?? 10_000));
const files: string[] = [];
for await (const file of walkDirectory(corpus)) files.push(file);
const DOCS = files.length;
const sourceBytes = files.reduce((n, f) => n + statSync(f).size, 0);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const dbSize = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('carrel.db'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);

// --- carrel
const dataDir = join(work, 'data');
const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [corpus] });
const marks: { docs: number; at: number }[] = [];
const start = performance.now();
let next = SLICE;
const result = await kb.ingestDirectory(
  corpus,
  { library: 'bench' },
  {
    onProgress: (current) => {
      if (current >= next) {
        marks.push({ docs: current, at: performance.now() });
        next += SLICE;
      }
    },
  },
);
const seconds = (performance.now() - start) / 1000;

// --- known-item search: documents found by their own title, hybrid and BM25-only
const bm25Only = await KnowledgeBase.open({ dataDir, embedder: { kind: 'none' } });
const listed: { id: number; title: string }[] = [];
for (let offset = 0; ; offset += 500) {
  const page = await kb.listDocuments({ library: 'bench', limit: 500, offset });
  listed.push(...page.documents);
  if (!page.hasMore) break;
}
let seed = 42;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const sample = Array.from({ length: Math.min(QUERIES, listed.length) }, () => listed[Math.floor(random() * listed.length)]!);
const searchRun = async (base: KnowledgeBase) => {
  const times: number[] = [];
  let reciprocal = 0;
  for (const doc of sample) {
    const t = performance.now();
    const { results } = await base.search({ query: doc.title.slice(0, 200), library: 'bench', limit: 10 });
    times.push(performance.now() - t);
    const rank = results.findIndex((r) => r.documentId === doc.id);
    if (rank >= 0) reciprocal += 1 / (rank + 1);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, mrr: reciprocal / sample.length };
};
const hybrid = await searchRun(kb);
const keyword = await searchRun(bm25Only);
await bm25Only.close();
await kb.close();
clearInterval(sampler);
// Fold the WAL into the main file so the size is the settled one.
const settle = new Database(join(dataDir, 'carrel.db'));
settle.pragma('wal_checkpoint(TRUNCATE)');
settle.close();
const storeBytes = dbSize(dataDir);

// --- naive baseline: FTS5 only, whole documents, one transaction
const baseStart = performance.now();
const base = new Database(join(work, 'baseline.db'));
base.pragma('journal_mode = WAL');
base.exec('CREATE VIRTUAL TABLE docs USING fts5(path, body)');
const insert = base.prepare('INSERT INTO docs (path, body) VALUES (?, ?)');
base.transaction(() => {
  for (const f of files) insert.run(f, readFileSync(f, 'utf8'));
})();
base.pragma('wal_checkpoint(TRUNCATE)');
base.close();
const baseSeconds = (performance.now() - baseStart) / 1000;
const baseBytes = statSync(join(work, 'baseline.db')).size;

const slices = marks.map((m, i) => {
  const prev = i === 0 ? { docs: 0, at: start } : marks[i - 1]!;
  return Math.round(((m.docs - prev.docs) / (m.at - prev.at)) * 1000);
});

const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
console.log(`\nIngest: ${DOCS} docs, ${mb(sourceBytes)} MB source, ${result.chunks} chunks (${(result.chunks / DOCS).toFixed(1)}/doc)\n`);
console.table([
  {
    run: 'carrel (offline embedder, hybrid)',
    'docs/s': Math.round(DOCS / seconds),
    'chunks/s': Math.round(result.chunks / seconds),
    seconds: seconds.toFixed(1),
    'store MB': mb(storeBytes),
    'store/source': (storeBytes / sourceBytes).toFixed(2),
  },
  {
    run: 'baseline (FTS5 only, whole docs)',
    'docs/s': Math.round(DOCS / baseSeconds),
    'chunks/s': '-',
    seconds: baseSeconds.toFixed(1),
    'store MB': mb(baseBytes),
    'store/source': (baseBytes / sourceBytes).toFixed(2),
  },
]);
console.log(`docs/s per ${SLICE}-doc slice: ${slices.join(', ')}`);
console.log(`first vs last slice: ${slices.length > 1 ? (slices[slices.length - 1]! / slices[0]!).toFixed(2) : '-'}`);
console.log(`peak RSS (main + worker threads): ${mb(peakRss)} MB`);
console.log(`carrel time / baseline time: ${(seconds / baseSeconds).toFixed(2)}`);
console.log(`unchanged=${result.unchanged} failed=${result.failed} without vectors=${result.chunksWithoutVectors}`);
console.log(
  `known-item search by title (${sample.length} queries): hybrid p50 ${hybrid.p50.toFixed(1)} ms, MRR@10 ${hybrid.mrr.toFixed(3)}; ` +
    `BM25 only p50 ${keyword.p50.toFixed(1)} ms, MRR@10 ${keyword.mrr.toFixed(3)}`,
);
rmSync(work, { recursive: true, force: true });
