/**
 * Chunk size on real documentation, counted in word pieces by a real BERT WordPiece tokenizer (the
 * vocabulary of all-MiniLM-L6-v2; see wordpiece.ts): for each set, the chunks' embedded text
 * (breadcrumb and text) as the current chunker cuts it for the default model's window, beside the
 * chunker of a baseline git ref (`--baseline`, default the merge base with main's first parent:
 * pass the commit before token-aware chunking). Reports per side the chunk count, median and p90
 * length, the share over 256 and over 512 pieces ([CLS] and [SEP] included), and the chunker's
 * docs/s (markdown already extracted; sides interleaved, median of `--rounds`). Then the WordPiece
 * estimate's calibration on the current chunks: real / estimated count, and how often it under-counts.
 *
 *   node --conditions=carrel-source --import tsx bench/chunking/run.ts --baseline d1158e6 \
 *     [--pages 300] [--rounds 5] "$(bash bench/corpora/debian-docs.sh postgresql-doc-15)" ...
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WORDPIECE_ESTIMATE } from '../../packages/carrel/src/embedders/token-counter.js';
import { chunkMarkdown } from '../../packages/carrel/src/ingest/chunker.js';
import { chunkingPlan } from '../../packages/carrel/src/ingest/chunking.js';
import { embeddingText } from '../../packages/carrel/src/ingest/embedding-session.js';
import { htmlToMarkdown } from '../../packages/carrel/src/sources/extract.js';
import { wordPieceCounter } from './wordpiece.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const baseline = option('baseline') ?? 'HEAD~1';
const pages = Number(option('pages') ?? 300);
const rounds = Number(option('rounds') ?? 5);
const sets = args;
if (sets.length === 0) throw new Error('name one or more HTML folders (bench/corpora/debian-docs.sh prints them)');

type Chunks = (text: string) => { heading: string; text: string }[];

/** The baseline's chunker, from its own sources at `ref` (it imports only these few modules). */
async function baselineChunker(ref: string): Promise<Chunks> {
  const dir = mkdtempSync(join(tmpdir(), 'carrel-bench-chunker-'));
  mkdirSync(join(dir, 'ingest'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  for (const file of ['ingest/chunker.ts', 'ingest/markdown-lines.ts', 'ingest/split-unit.ts', 'white-space.ts']) {
    const source = execFileSync('git', ['show', `${ref}:packages/carrel/src/${file}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
    writeFileSync(join(dir, file), source);
  }
  const module = (await import(pathToFileURL(join(dir, 'ingest', 'chunker.ts')).href)) as {
    chunkMarkdown: (text: string) => { chunks: { heading: string; text: string }[] };
  };
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return (text) => module.chunkMarkdown(text).chunks;
}

function htmlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.html')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

const count = wordPieceCounter();
const sides: [string, Chunks][] = [
  [`baseline ${baseline}`, await baselineChunker(baseline)],
  [
    'token-aware (default model, estimate)',
    (text) => chunkMarkdown(text, chunkingPlan({ maxTokens: 254, counter: WORDPIECE_ESTIMATE })).chunks,
  ],
];

console.log('| set | chunker | chunks | median | p90 | > 256 | > 512 | chunking docs/s |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
const ratios: number[] = [];
for (const dir of sets) {
  const files = htmlFiles(dir);
  const step = Math.max(1, Math.floor(files.length / pages));
  const docs: string[] = [];
  for (const f of files.filter((_, i) => i % step === 0).slice(0, pages))
    docs.push((await htmlToMarkdown(readFileSync(f, 'utf8'))).markdown);
  const times = sides.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++)
    sides.forEach(([, chunk], s) => {
      const start = performance.now();
      for (const d of docs) chunk(d);
      times[s]!.push(performance.now() - start);
    });
  const name = basename(dir.replace(/\/html$/, '').replace(/\/root\/usr\/share\/doc\/.*$/, ''));
  sides.forEach(([label, chunk], s) => {
    const lengths = docs
      .flatMap((d) => chunk(d))
      .map((c) => count(embeddingText(c.heading, c.text)) + 2)
      .sort((a, b) => a - b);
    const over = (n: number) => pct(lengths.filter((l) => l > n).length, lengths.length);
    const docsPerSecond = Math.round(docs.length / (median(times[s]!) / 1000));
    console.log(
      `| ${name} (${docs.length} pages) | ${label} | ${lengths.length} | ${quantile(lengths, 0.5)} | ${quantile(lengths, 0.9)} | ${over(256)} | ${over(512)} | ${docsPerSecond} |`,
    );
  });
  for (const c of sides[1]![1](docs.join('\n\n'))) {
    const text = embeddingText(c.heading, c.text);
    ratios.push(count(text) / Math.max(1, WORDPIECE_ESTIMATE.count(text)));
  }
}
ratios.sort((a, b) => a - b);
console.log(
  `\nWordPiece estimate, real / estimated over ${ratios.length} chunks: median ${quantile(ratios, 0.5).toFixed(2)}, p90 ${quantile(ratios, 0.9).toFixed(2)}, p99 ${quantile(ratios, 0.99).toFixed(2)}, max ${ratios.at(-1)!.toFixed(2)}; under-counted ${pct(ratios.filter((r) => r > 1).length, ratios.length)}`,
);
