/**
 * Search benchmark: hybrid search latency (p50/p99) as the store grows to ~100k chunks, without
 * and with filters (library 25%, tag 10%, source prefix 1% of documents). The generated corpus is
 * ingested in stages with the offline embedder; at each stage the same queries run through
 * `KnowledgeBase.search`. Baseline, same run, same data: FTS5 BM25 plus a brute-force cosine scan
 * in JavaScript over every stored vector (what a store without a vector index would do). Last, the
 * same queries while a run has ~5% of the documents staged and unpublished, the state searches
 * meet during an ingest (they must then check each candidate's version).
 *
 *   node --conditions=carrel-source --import tsx bench/search/run.ts [--docs 14000]
 *
 * @module
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { KnowledgeBase } from 'carrel';
import type { SearchRequest } from 'carrel';
import { quantize } from '../../packages/carrel/src/embedders/embedder.js';
import { OfflineEmbedder } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { openDatabase } from '../../packages/carrel/src/store/sqlite/database.js';
import { collectGarbage, discardRun } from '../../packages/carrel/src/store/sqlite/garbage.js';
import { openRun } from '../../packages/carrel/src/store/sqlite/runs.js';
import { stageDocuments } from '../../packages/carrel/src/store/sqlite/staging.js';
import { rng, writeCorpus, zipfWord } from '../ingest/corpus.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const DOCS = arg('docs', 14_000);
const QUERIES = arg('queries', 200);

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-search-'));
const corpus = join(work, 'corpus');
writeCorpus(corpus, DOCS);
const parts = readdirSync(corpus).sort();
const kb = await KnowledgeBase.open({ dataDir: join(work, 'data'), embedder: { kind: 'offline' }, allowedRoots: [work] });

const r = rng(99);
const queries = Array.from({ length: QUERIES }, () => Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' '));
const rareSource = join(corpus, parts[0]!) + '/';

const percentile = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
async function time(extra: Partial<SearchRequest>): Promise<{ p50: number; p99: number; hits: number }> {
  const t: number[] = [];
  let hits = 0;
  for (const q of queries) {
    const s = performance.now();
    hits += (await kb.search({ query: q, limit: 10, ...extra })).results.length;
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p99: percentile(t, 99), hits: hits / queries.length };
}

/** FTS5 top 50 + a full cosine scan in JS over every vector, fused the same way: the naive anchor. */
function baseline(dbPath: string): { p50: number; p99: number } {
  const db = new Database(dbPath, { readonly: true });
  sqliteVec.load(db);
  const rows = db
    .prepare<[], { chunk_id: number; v: Buffer }>('SELECT chunk_id, vec_to_json(embedding) AS v FROM vec_chunks_64')
    .raw(false)
    .all();
  const ids = new Int32Array(rows.length);
  const matrix = new Float32Array(rows.length * 64);
  rows.forEach((row, i) => {
    ids[i] = row.chunk_id;
    matrix.set(JSON.parse(String(row.v)) as number[], i * 64);
  });
  const fts = db.prepare('SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts) LIMIT 50');
  const embedder = new OfflineEmbedder();
  const t: number[] = [];
  for (const q of queries) {
    const s = performance.now();
    fts.all(
      q
        .split(' ')
        .map((w) => `"${w}"`)
        .join(' OR '),
    );
    const v = embedder.embedOne(q);
    const scores = new Float32Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      let dot = 0;
      for (let j = 0; j < 64; j++) dot += matrix[i * 64 + j]! * v[j]!;
      scores[i] = dot;
    }
    const top = Array.from(scores.keys())
      .sort((a, b) => scores[b]! - scores[a]!)
      .slice(0, 50);
    void top;
    t.push(performance.now() - s);
  }
  db.close();
  t.sort((a, b) => a - b);
  return { p50: percentile(t, 50), p99: percentile(t, 99) };
}

const rows: Record<string, string | number>[] = [];
const stages = [0.25, 0.5, 1];
let done = 0;
for (const stage of stages) {
  const until = Math.round(parts.length * stage);
  for (; done < until; done++) {
    const part = parts[done]!;
    await kb.ingestDirectory(join(corpus, part), { library: `lib-${done % 4}`, tags: done % 10 === 0 ? ['rare'] : [] });
  }
  const chunks = (await kb.status()).libraries.reduce((n, l) => n + l.chunks, 0);
  const none = await time({});
  const library = await time({ library: 'lib-1' });
  const tag = await time({ tags: ['rare'] });
  const source = await time({ source: rareSource });
  const base = stage === 1 ? baseline(kb.databasePath!) : undefined;
  rows.push({
    chunks,
    'p50 none': none.p50.toFixed(1),
    'p99 none': none.p99.toFixed(1),
    'p50 library': library.p50.toFixed(1),
    'p50 tag 10%': tag.p50.toFixed(1),
    'p99 tag 10%': tag.p99.toFixed(1),
    'p50 source 1%': source.p50.toFixed(1),
    'baseline p50': base ? base.p50.toFixed(1) : '-',
    'baseline p99': base ? base.p99.toFixed(1) : '-',
  });
}

// A run with ~5% of the documents staged and not published, as during an ingest.
const writer = openDatabase(kb.databasePath!);
const { run, library } = openRun(writer, { taskId: null, library: 'lib-0', version: '' });
const embedder = new OfflineEmbedder();
const stagedDocs = Math.round(DOCS / 20);
for (let i = 0; i < stagedDocs; i += 100) {
  const docs = Array.from({ length: Math.min(100, stagedDocs - i) }, (_, j) => {
    const words = Array.from({ length: 7 }, () => Array.from({ length: 150 }, () => zipfWord(r)).join(' '));
    return {
      header: {
        libraryId: library.id,
        source: `staged-${i + j}`,
        kind: 'raw' as const,
        title: `staged ${i + j}`,
        contentHash: `${i + j}`,
        bytes: 1,
        tags: [],
        pageKind: 'content' as const,
      },
      status: 'created' as const,
      baseVersion: 0,
      chunks: words.map((text, k) => ({
        heading: '',
        text,
        overlap: 0,
        lead: k ? '\n\n' : '',
        trail: '',
        vector: quantize(embedder.embedOne(text)),
      })),
    };
  });
  stageDocuments(writer, run.id, 64, docs);
}
const staged = { none: await time({}), library: await time({ library: 'lib-1' }), tag: await time({ tags: ['rare'] }) };
rows.push({
  chunks: `+${stagedDocs * 7} staged`,
  'p50 none': staged.none.p50.toFixed(1),
  'p99 none': staged.none.p99.toFixed(1),
  'p50 library': staged.library.p50.toFixed(1),
  'p50 tag 10%': staged.tag.p50.toFixed(1),
  'p99 tag 10%': staged.tag.p99.toFixed(1),
  'p50 source 1%': '-',
  'baseline p50': '-',
  'baseline p99': '-',
});
discardRun(writer, run.id);
while (collectGarbage(writer, 5_000) > 0);
writer.close();
await kb.close();
console.log(`\nHybrid search latency in ms (${QUERIES} queries of 2-4 words, limit 10, offline embedder 64 dims int8)\n`);
console.table(rows);
const last = rows[rows.length - 2]!;
const first = rows[0]!;
console.log(
  `growth of p50 (no filter) from ${first.chunks} to ${last.chunks} chunks: ×${(Number(last['p50 none']) / Number(first['p50 none'])).toFixed(2)} for ×${(Number(last.chunks) / Number(first.chunks)).toFixed(2)} data`,
);
console.log(`baseline p50 / carrel p50 at ${last.chunks} chunks: ×${(Number(last['baseline p50']) / Number(last['p50 none'])).toFixed(2)}`);
rmSync(work, { recursive: true, force: true });
