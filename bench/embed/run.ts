/**
 * Local embedding throughput, side by side in one run: the local embedder as it was (one ONNX
 * session, batches of 32 in input order) against batches of similar-length texts, and against a
 * pool of two threads with one session each. Real chunk texts: pages of Debian documentation sets
 * converted and chunked as ingest does. The model is a randomly initialised BERT of
 * all-MiniLM-L6-v2's size (6 layers, hidden 384, 12 heads, vocabulary 30522, int8 MatMuls),
 * written by packages/carrel/test/support/bert-model.ts, whose vocabulary is the corpus's most
 * frequent words, so texts tokenize to realistic lengths. Each side runs in its own process
 * (peak RSS is its own), sides interleaved in every round; medians, ratios and the load average.
 *
 * Usage: node --conditions=carrel-source --import tsx bench/embed/run.ts [--texts 1000] [--rounds 3] [--sets postgresql-doc-15,python3.11-doc]
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chunkMarkdown } from '../../packages/carrel/src/ingest/chunker.js';
import { embeddingText } from '../../packages/carrel/src/ingest/embedding-session.js';
import { htmlToMarkdown } from '../../packages/carrel/src/sources/extract.js';
import { MINILM_SHAPE, writeBertModel } from '../../packages/carrel/test/support/bert-model.js';

const { values } = parseArgs({
  options: {
    texts: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    sets: { type: 'string', default: 'postgresql-doc-15,python3.11-doc' },
  },
});
const BENCH = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(BENCH, '.embed');
const SIDES = ['baseline', 'bucketed', 'pool'] as const;
const wanted = Number(values.texts);

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.html'))
    .sort()
    .map((f) => join(dir, f));
}

/** Chunk texts, an equal share from each set, pages in name order. */
async function chunkTexts(): Promise<string[]> {
  const sets = values.sets.split(',');
  const texts: string[] = [];
  for (const set of sets) {
    const dir = execFileSync('bash', [join(BENCH, 'corpora/debian-docs.sh'), set], { encoding: 'utf8' }).trim();
    const share: string[] = [];
    for (const file of htmlFiles(dir)) {
      if (share.length >= wanted / sets.length) break;
      const { markdown } = await htmlToMarkdown(readFileSync(file, 'utf8'));
      for (const chunk of chunkMarkdown(markdown).chunks) share.push(embeddingText(chunk.heading, chunk.text));
    }
    texts.push(...share.slice(0, Math.ceil(wanted / sets.length)));
  }
  return texts.slice(0, wanted);
}

function frequentWords(texts: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const [w] of t.toLowerCase().matchAll(/[a-z0-9]+/g)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

mkdirSync(WORK, { recursive: true });
const textsFile = join(WORK, `texts-${wanted}.json`);
if (!existsSync(textsFile)) writeFileSync(textsFile, JSON.stringify(await chunkTexts()));
const texts = JSON.parse(readFileSync(textsFile, 'utf8')) as string[];
const model = join(WORK, 'minilm-random');
if (!existsSync(join(model, 'onnx', 'model_quantized.onnx')))
  writeBertModel(model, { shape: MINILM_SHAPE, words: frequentWords(texts), files: ['model_quantized.onnx'] });

const chars = texts.map((t) => t.length);
console.log(`${texts.length} chunk texts (${values.sets}), median ${median(chars)} chars, max ${Math.max(...chars)}; model ${model}`);

const results = new Map<string, { tps: number[]; rss: number[]; load: number[] }>(SIDES.map((s) => [s, { tps: [], rss: [], load: [] }]));
for (let round = 0; round < Number(values.rounds); round++) {
  // Rotate the order every round, so no side always runs first (or right after the heaviest).
  const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!);
  for (const side of order) {
    const load = loadavg()[0]!;
    const out = execFileSync(
      process.execPath,
      ['--conditions=carrel-source', '--import', 'tsx', join(BENCH, 'embed/side.ts'), side, model, textsFile],
      { encoding: 'utf8', cwd: join(BENCH, '..') },
    );
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { textsPerSec: number; peakRssMb: number };
    const entry = results.get(side)!;
    entry.tps.push(r.textsPerSec);
    entry.rss.push(r.peakRssMb);
    entry.load.push(load);
    console.log(
      `round ${round + 1} ${side.padEnd(8)} ${r.textsPerSec.toFixed(1)} texts/s, peak RSS ${r.peakRssMb.toFixed(0)} MB, load ${load.toFixed(2)}`,
    );
  }
}

const base = median(results.get('baseline')!.tps);
console.log('\nside      texts/s (median)  vs baseline  peak RSS MB (median)  load avg (1 min) at start');
for (const side of SIDES) {
  const r = results.get(side)!;
  console.log(
    `${side.padEnd(9)} ${median(r.tps).toFixed(1).padStart(16)}  ${(median(r.tps) / base).toFixed(2).padStart(10)}×  ${median(r.rss).toFixed(0).padStart(20)}  ${Math.min(...r.load).toFixed(2)}–${Math.max(...r.load).toFixed(2)}`,
  );
}
