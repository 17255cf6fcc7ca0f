/**
 * Large-file benchmark: generated markdown files (default 20 MB and 200 MB) each ingested through
 * the streaming path in a fresh process-local store. Reports time, chunks/s and RSS growth: if
 * memory is bounded, the growth is the same for both sizes (the worker's fixed cost plus SQLite's
 * caches). Baseline, same run: the RSS growth of reading the whole file into one string, which is
 * what a non-streaming ingest needs before it can even start chunking.
 *
 *   node --conditions=carrel-source --import tsx bench/ingest/large-file.ts [--mb 20,200]
 *
 * @module
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeBase } from 'carrel';
import { makeDocument } from './corpus.js';

const i = process.argv.indexOf('--mb');
const SIZES = (i >= 0 ? process.argv[i + 1]! : '20,200').split(',').map(Number);
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
const rows: Record<string, string | number>[] = [];

for (const MB of SIZES) {
  const work = mkdtempSync(join(tmpdir(), 'carrel-bench-large-'));
  const path = join(work, 'large.md');

  const out = createWriteStream(path);
  let bytes = 0;
  for (let d = 0; bytes < MB * 1024 * 1024; d++) {
    const text = makeDocument(d).replace(/^# /, '## ');
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(resolve));

  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const kb = await KnowledgeBase.open({
    dataDir: join(work, 'data'),
    embedder: { kind: 'offline' },
    allowedRoots: [work],
    maxFileBytes: 1024 * 1024 * 1024,
  });
  const start = performance.now();
  const result = await kb.ingestFile(path, { library: 'large' });
  const seconds = (performance.now() - start) / 1000;
  await kb.close();
  clearInterval(sampler);

  const naiveBefore = process.memoryUsage().rss;
  const whole = readFileSync(path, 'utf8');
  const naivePeak = process.memoryUsage().rss;
  void whole.length;

  rows.push({
    'file MB': mb(bytes),
    chunks: result.chunks,
    seconds: seconds.toFixed(1),
    'chunks/s': Math.round(result.chunks / seconds),
    'MB/s': (bytes / 1024 / 1024 / seconds).toFixed(1),
    'carrel RSS growth MB': mb(peak - rssBefore),
    'baseline (whole file in a string) RSS growth MB': mb(naivePeak - naiveBefore),
  });
  rmSync(work, { recursive: true, force: true });
}
console.log('\nLarge files, streamed into one document each (staged in short transactions, published at once)\n');
console.table(rows);
