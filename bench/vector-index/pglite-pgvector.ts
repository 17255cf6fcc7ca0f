/**
 * The PostgreSQL knowledge base's pgvector path on PGlite (PostgreSQL in WebAssembly, in this
 * process, with its pgvector extension): recall@10 of `nearestChunks` against the exact scan, and
 * its latency, on the vector-index benchmark's clustered vectors (data.ts). Two libraries in one
 * HNSW index: `all` holds every vector, `tenth` a copy of those data.ts puts in library 0 (~9% of
 * the index's rows), which pgvector reaches through its iterative index scan.
 *
 * PGlite is one single-threaded connection compiled to WebAssembly: its times say nothing of a
 * PostgreSQL server's, only that the path works at this size and what it costs here.
 *
 *   node --conditions=carrel-source --import tsx bench/vector-index/pglite-pgvector.ts [--count 5000] [--queries 100]
 *
 * @module
 */
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PgliteClient } from '../../packages/carrel/src/store/postgres/pglite-client.js';
import { PostgresRepository } from '../../packages/carrel/src/store/postgres/index.js';
import { cosineDistance } from '../../packages/carrel/test/support/clustered-vectors.js';
import { vectorSet } from './data.js';

const option = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const count = option('count', 5000);
const queryCount = option('queries', 100);
const DIMS = 384;
const K = 10;
const CHUNKS_PER_DOCUMENT = 100;

const set = vectorSet(join(tmpdir(), 'carrel-bench-vector-index'), count, DIMS, queryCount);
const vectorAt = (i: number) => set.vectors.subarray(i * DIMS, (i + 1) * DIMS);
const queryAt = (i: number) => set.queries.subarray(i * DIMS, (i + 1) * DIMS);

const db = await PGlite.create({ extensions: { vector } });
const repo = await PostgresRepository.openOn(await PgliteClient.open(db, 'carrel_kb'), 'carrel_kb');
console.log('vector path:', repo.vectorSearch);

/** Publishes vectors `rows` as library `name`; returns its id and the chunk id of each row. */
async function publish(name: string, rows: readonly number[]): Promise<{ libraryId: number; ids: Map<number, number> }> {
  const { run, library } = await repo.openRun({ taskId: null, library: name, version: '' });
  await repo.setRunBinding(run.id, 'bench:clustered', DIMS, false);
  for (let at = 0; at < rows.length; at += CHUNKS_PER_DOCUMENT) {
    const part = rows.slice(at, at + CHUNKS_PER_DOCUMENT);
    const header = {
      libraryId: library.id,
      source: `${name}-${at}`,
      kind: 'raw' as const,
      title: `${name} ${at}`,
      contentHash: `${name}-${at}`,
      bytes: part.length,
      tags: [],
      pageKind: 'content' as const,
    };
    const chunks = part.map((row) => ({ heading: '', text: `row ${row}`, overlap: 0, lead: '', trail: '', vector: vectorAt(row) }));
    await repo.stageDocuments(run.id, DIMS, [{ header, status: 'created', baseVersion: 0, chunks }]);
  }
  const outcome = await repo.publishRun(run.id);
  if (!outcome.published) throw new Error(outcome.reason);
  const ids = new Map<number, number>();
  for (const doc of await repo.liveDocuments(library.id, 0, 1_000_000, false)) {
    const chunks = await repo.versionChunks(doc.id, doc.liveVersion, 0, CHUNKS_PER_DOCUMENT);
    const first = Number(doc.source.slice(name.length + 1));
    chunks.forEach((c, i) => ids.set(rows[first + i]!, c.id));
  }
  return { libraryId: library.id, ids };
}

const started = performance.now();
const everyRow = Array.from({ length: count }, (_, i) => i);
const tenthRows = everyRow.filter((i) => set.libraries[i] === 0);
const libraries = [
  { name: 'all', rows: everyRow, ...(await publish('all', everyRow)) },
  { name: 'tenth', rows: tenthRows, ...(await publish('tenth', tenthRows)) },
];
console.log(`published ${count + tenthRows.length} vectors (${DIMS} dims) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
console.log(`\nload average ${loadavg()[0]!.toFixed(1)} at start of queries; k = ${K}, ${queryCount} queries per library\n`);
console.log('| library | rows | share of the index | p50 ms | p95 ms | recall@10 | fewest results |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const library of libraries) {
  const times: number[] = [];
  let found = 0;
  let fewest = Infinity;
  for (let q = 0; q < queryCount; q++) {
    const query = queryAt(q);
    const t = performance.now();
    const hits = await repo.nearestChunks(DIMS, library.libraryId, query, K);
    times.push(performance.now() - t);
    fewest = Math.min(fewest, hits.length);
    const truth = new Set(
      library.rows
        .map((row) => ({ id: library.ids.get(row)!, distance: cosineDistance(query, vectorAt(row)) }))
        .sort((a, b) => a.distance - b.distance || a.id - b.id)
        .slice(0, K)
        .map((h) => h.id),
    );
    found += hits.filter((h) => truth.has(h.chunkId)).length / K;
  }
  times.sort((a, b) => a - b);
  const share = library.rows.length / (count + tenthRows.length);
  console.log(
    `| ${library.name} | ${library.rows.length} | ${(share * 100).toFixed(0)}% | ${percentile(times, 0.5).toFixed(1)} | ${percentile(times, 0.95).toFixed(1)} | ${(found / queryCount).toFixed(3)} | ${fewest} |`,
  );
}
await repo.close();
await db.close();
