/**
 * Ingest benchmark: a generated corpus of ~6 KB markdown files, ingested as a directory with the
 * offline embedder. Reports docs/s and chunks/s overall and per slice of 1,000 documents (to show
 * whether throughput holds as the store grows), peak RSS, and store size relative to the source.
 * Baseline, same run, same corpus: a naive FTS5-only index (one row per whole document, one
 * transaction) — the cheapest possible keyword index, as an anchor for the ratios.
 *
 *   node --conditions=carrel-source --import tsx bench/ingest/run.ts [--docs 10000]
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { KnowledgeBase } from 'carrel';
import { writeCorpus } from './corpus.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 10_000);
const SLICE = 1000;

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-ingest-'));
const corpus = join(work, 'corpus');
const sourceBytes = writeCorpus(corpus, DOCS);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const dbSize = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('carrel.db'))
    .reduce((n, f) => n + statSync(join(dir, f)).size, 0);

// --- carrel
const dataDir = join(work, 'data');
const kb = KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [work] });
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
await kb.close();
clearInterval(sampler);
// Fold the WAL into the main file so the size is the settled one.
const settle = new Database(join(dataDir, 'carrel.db'));
settle.pragma('wal_checkpoint(TRUNCATE)');
settle.close();
const storeBytes = dbSize(dataDir);

// --- naive baseline: FTS5 only, whole documents, one transaction
const baseDir = join(work, 'baseline');
const files = readdirSync(corpus).flatMap((d) => readdirSync(join(corpus, d)).map((f) => join(corpus, d, f)));
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
void baseDir;

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
rmSync(work, { recursive: true, force: true });
