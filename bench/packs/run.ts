/**
 * Pack install benchmark: a generated corpus of ~6 KB markdown documents (bench/ingest/corpus.ts) is
 * ingested once and packed twice with `createPack`, without and with its chunk vectors, each written
 * as `.json.gz`. Each round then installs, into fresh data dirs and interleaved: the pack without
 * vectors (every chunk embedded by the offline embedder), the pack with vectors (none embedded), and,
 * as the anchor, `ingestDirectory` of the same files. The time covers reading, sha256, gunzip,
 * validation and the whole install to its publish. Reports docs/s per subject, medians over rounds,
 * and ratios to the folder ingest.
 *
 *   node --conditions=carrel-source --import tsx bench/packs/run.ts [--docs 5000] [--rounds 3]
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { KnowledgeBase } from 'carrel';
import { writeCorpus } from '../ingest/corpus.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const DOCS = Number(arg('docs') ?? 5000);
const ROUNDS = Number(arg('rounds') ?? 3);
const work = mkdtempSync(join(tmpdir(), 'carrel-bench-packs-'));
const corpus = join(work, 'corpus');
writeCorpus(corpus, DOCS);

// The packs, made from a library built with the same embedder and chunking the installs use.
const source = await KnowledgeBase.open({ dataDir: join(work, 'source'), embedder: { kind: 'offline' }, allowedRoots: [corpus] });
await source.ingestDirectory(corpus, { library: 'bench' });
const packFiles: Record<string, { path: string; sha256: string; mb: number }> = {};
for (const withVectors of [false, true]) {
  const pack = await source.createPack({ library: 'bench' }, { name: 'bench', version: '1', license: 'MIT', withVectors });
  const bytes = gzipSync(JSON.stringify(pack));
  const path = join(work, `bench-${withVectors ? 'vectors' : 'text'}.json.gz`);
  writeFileSync(path, bytes);
  packFiles[withVectors ? 'vectors' : 'text'] = { path, sha256: createHash('sha256').update(bytes).digest('hex'), mb: bytes.length / 1e6 };
}
await source.close();

type Subject = 'pack, content embedded' | 'pack, precomputed vectors' | 'folder ingest (anchor)';
const times: Record<Subject, number[]> = { 'pack, content embedded': [], 'pack, precomputed vectors': [], 'folder ingest (anchor)': [] };
const chunks: Partial<Record<Subject, string>> = {};
const load: number[] = [loadavg()[0]!];

for (let round = 0; round < ROUNDS; round++) {
  for (const subject of Object.keys(times) as Subject[]) {
    const dataDir = mkdtempSync(join(work, 'run-'));
    const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [work] });
    const start = performance.now();
    const result =
      subject === 'folder ingest (anchor)'
        ? await kb.ingestDirectory(corpus, { library: 'bench' })
        : await kb.installPack(
            { path: packFiles[subject === 'pack, content embedded' ? 'text' : 'vectors']!.path },
            { library: 'bench', sha256: packFiles[subject === 'pack, content embedded' ? 'text' : 'vectors']!.sha256 },
          );
    times[subject].push((performance.now() - start) / 1000);
    chunks[subject] =
      `${result.created} docs, ${result.chunks} chunks${result.precomputedVectors ? ` (${result.precomputedVectors} precomputed)` : ''}`;
    await kb.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  load.push(loadavg()[0]!);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const anchor = DOCS / median(times['folder ingest (anchor)']);
console.log(
  `${DOCS} documents, ${ROUNDS} rounds, Node ${process.versions.node}, load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
);
console.log(`pack sizes (gzipped): text ${packFiles.text!.mb.toFixed(1)} MB, with vectors ${packFiles.vectors!.mb.toFixed(1)} MB`);
console.log('| subject | docs/s (median) | range | × folder ingest | what was written |');
console.log('|---|---:|---|---:|---|');
for (const [subject, runs] of Object.entries(times) as [Subject, number[]][]) {
  const rates = runs.map((t) => DOCS / t);
  console.log(
    `| ${subject} | ${Math.round(DOCS / median(runs))} | ${Math.round(Math.min(...rates))}–${Math.round(Math.max(...rates))} | ${(DOCS / median(runs) / anchor).toFixed(2)} | ${chunks[subject]} |`,
  );
}
rmSync(work, { recursive: true, force: true });
