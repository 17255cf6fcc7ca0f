/**
 * What searching through the knowledge-base repository contract (`store/repository.ts`, every
 * store call a Promise) costs next to the synchronous search it replaced, in one process on one
 * SQLite file: the same queries, alternately through this tree's `hybridSearch(repository, …)` and
 * the older checkout's `hybridSearch(db, …)` given by `--before` (a worktree of `3128924`, with
 * node_modules). The corpus is bench/search's, ingested once; each round runs every query on both
 * sides, in alternating order, with and without a tag filter.
 *
 *   git worktree add --detach /tmp/before 3128924 && cp -al node_modules /tmp/before/
 *   node --conditions=carrel-source --import tsx bench/search/repository-ab.ts --before /tmp/before [--docs 3000] [--rounds 5]
 *
 * @module
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnowledgeBase } from 'carrel';
import type { SearchRequest, SearchResponse } from 'carrel';
import type { Database } from 'better-sqlite3';
import { OfflineEmbedder } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { hybridSearch, type QueryVector } from '../../packages/carrel/src/search/search.js';
import { SqliteRepository } from '../../packages/carrel/src/store/sqlite/sqlite-repository.js';
import { rng, writeCorpus, zipfWord } from '../ingest/corpus.js';
import { interleavedRounds } from './interleaved.js';

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const BEFORE = option('before');
if (!BEFORE) throw new Error('--before <checkout> is required: a worktree of the commit to compare with');
const DOCS = Number(option('docs') ?? 3000);
const ROUNDS = Number(option('rounds') ?? 5);

type OldSearch = (db: Database, request: SearchRequest, query: QueryVector) => SearchResponse;
const old = (await import(join(BEFORE, 'packages/carrel/src/search/search.ts'))) as { hybridSearch: OldSearch };
const oldDatabase = (await import(join(BEFORE, 'packages/carrel/src/store/database.ts'))) as {
  openDatabase: (path: string) => Database;
};

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-repository-'));
try {
  const corpus = join(work, 'corpus');
  writeCorpus(corpus, DOCS);
  const kb = await KnowledgeBase.open({ dataDir: join(work, 'data'), embedder: { kind: 'offline' }, allowedRoots: [work] });
  for (const [i, part] of readdirSync(corpus).sort().entries())
    await kb.ingestDirectory(join(corpus, part), { library: `lib-${i % 4}`, tags: i % 10 === 0 ? ['rare'] : [] });
  const chunks = (await kb.status()).libraries.reduce((n, l) => n + l.chunks, 0);
  const path = kb.databasePath!;
  await kb.close();

  const r = rng(99);
  const embedder = new OfflineEmbedder();
  const queries = Array.from({ length: 200 }, () => {
    const text = Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' ');
    return { text, vector: { vector: embedder.embedOne(text), embedder } as QueryVector };
  });
  const db = oldDatabase.openDatabase(path);
  const repository = SqliteRepository.open(path);
  const sides = {
    before: async (request: SearchRequest, q: QueryVector) => old.hybridSearch(db, request, q),
    after: (request: SearchRequest, q: QueryVector) => hybridSearch(repository, request, q),
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [label, extra] of [
    ['no filter', {}],
    ['tag 10%', { tags: ['rare'] }],
  ] as const) {
    const rounds = await interleavedRounds(
      {
        before: (q: (typeof queries)[number]) => sides.before({ query: q.text, limit: 10, ...extra }, q.vector),
        after: (q: (typeof queries)[number]) => sides.after({ query: q.text, limit: 10, ...extra }, q.vector),
      },
      queries,
      ROUNDS,
    );
    const p50s = { before: rounds.before.map(median), after: rounds.after.map(median) };
    const before = median(p50s.before);
    const after = median(p50s.after);
    console.log(
      `${chunks} chunks, ${label}: p50 before ${before.toFixed(3)} ms, after ${after.toFixed(3)} ms, after/before ×${(after / before).toFixed(3)} ` +
        `(median of ${ROUNDS} rounds; round p50s before ${p50s.before.map((x) => x.toFixed(2)).join(' ')}, after ${p50s.after.map((x) => x.toFixed(2)).join(' ')})`,
    );
  }
  db.close();
  await repository.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
