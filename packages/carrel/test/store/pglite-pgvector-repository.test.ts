/**
 * The knowledge-base repository contract (test/store/contract/) run against the PostgreSQL
 * implementation on PGlite with its pgvector extension: the pgvector path, which no PostgreSQL
 * server installable here offers. One PGlite database for the file, migrated once, its tables
 * emptied for each test; each `open` a repository of its own on it. Left out: the publish that
 * completes a task (contract/tasks.ts), as the task store needs a PostgreSQL server (see
 * pglite-client.ts). Then what only the pgvector path has: filtered KNN through the index,
 * recall against the exact scan, switching a schema over once the extension arrives.
 */
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KnowledgeRepository } from '../../src/store/repository.js';
import { PgliteClient } from '../../src/store/postgres/pglite-client.js';
import { PostgresRepository } from '../../src/store/postgres/index.js';
import { connectorsContract } from './contract/connectors.js';
import { documentsContract } from './contract/documents.js';
import { publishDocuments, type RepositoryFixture } from './contract/fixture.js';
import { searchContract } from './contract/search.js';
import { clusteredVectors, cosineDistance, recall } from '../support/clustered-vectors.js';

const SCHEMA = 'carrel_kb';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const closable of opened.splice(0)) await closable.close();
});

/** The file's database: made and migrated (by a first repository) once, as PGlite takes seconds to start. */
let database: PGlite;
beforeAll(async () => {
  database = await PGlite.create({ extensions: { vector } });
  await (await openOn(database)).close();
}, 120_000);
afterAll(async () => {
  await database.close();
});

/** A repository on `db`, closed after the test. */
async function openOn(db: PGlite): Promise<PostgresRepository> {
  const repo = await PostgresRepository.openOn(await PgliteClient.open(db, SCHEMA), SCHEMA);
  opened.push(repo);
  return repo;
}

/** The file's database with every table emptied. */
async function emptyDatabase(): Promise<PGlite> {
  const { rows } = await database.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
     WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name NOT LIKE '%migrations'`,
    [SCHEMA],
  );
  await database.exec(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY CASCADE`);
  return database;
}

const pglite: RepositoryFixture = {
  name: 'pglite-pgvector',
  async store() {
    const db = await emptyDatabase();
    return {
      open: (): Promise<KnowledgeRepository> => openOn(db),
      tasks: () => Promise.reject(new Error('The task store needs a PostgreSQL server')),
    };
  },
};

documentsContract(pglite);
searchContract(pglite);
connectorsContract(pglite);

describe('pgvector on PGlite', () => {
  const DIMS = 64;

  /** Publishes `vectors` as one document's chunks of `library`; returns the library id and the chunk ids in order. */
  async function publishVectors(repo: KnowledgeRepository, library: string, vectors: readonly Int8Array[]) {
    const chunks = vectors.map((v, i) => ({ text: `chunk ${i}`, vector: [...v] }));
    const { libraryId } = await publishDocuments(repo, library, [{ source: library, chunks }], { dims: DIMS });
    const [doc] = await repo.liveDocuments(libraryId, 0, 1, false);
    const stored = await repo.versionChunks(doc!.id, doc!.liveVersion, 0, vectors.length);
    return { libraryId, chunkIds: stored.map((c) => c.id) };
  }

  /** The exact k nearest of `vectors` (ids `chunkIds`) to `q`. */
  const exact = (vectors: readonly Int8Array[], chunkIds: readonly number[], q: Int8Array, k: number) =>
    vectors
      .map((v, i) => ({ chunkId: chunkIds[i]!, distance: cosineDistance(q, v) }))
      .sort((a, b) => a.distance - b.distance || a.chunkId - b.chunkId)
      .slice(0, k);

  it('searches with pgvector and says so', async () => {
    const repo = await (await pglite.store()).open();
    const { rows } = await database.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    expect(repo.vectorSearch).toEqual({ path: 'pgvector', version: rows[0]!.extversion });
  });

  it('finds ≥ 90% of the exact 10 nearest through the HNSW index, with cosine distances', async () => {
    const repo = await (await pglite.store()).open();
    const vectors = clusteredVectors(2000, DIMS);
    const { libraryId, chunkIds } = await publishVectors(repo, 'lib', vectors);
    const queries = clusteredVectors(40, DIMS, { draw: 9 });
    let found = 0;
    for (const q of queries) {
      const hits = await repo.nearestChunks(DIMS, libraryId, q, 10);
      const want = exact(vectors, chunkIds, q, 10);
      expect(hits).toHaveLength(10);
      expect(hits[0]!.distance).toBeCloseTo(want[0]!.distance, 4);
      found += recall(
        hits.map((h) => h.chunkId),
        want.map((h) => h.chunkId),
      );
    }
    expect(found / queries.length).toBeGreaterThanOrEqual(0.9);
  }, 60_000);

  it('returns k hits of a library holding few of the index rows, the exact ones', async () => {
    const repo = await (await pglite.store()).open();
    await publishVectors(repo, 'big', clusteredVectors(2000, DIMS));
    const few = clusteredVectors(30, DIMS, { draw: 11 });
    const { libraryId, chunkIds } = await publishVectors(repo, 'small', few);
    for (const q of clusteredVectors(10, DIMS, { draw: 12 })) {
      const hits = await repo.nearestChunks(DIMS, libraryId, q, 10);
      expect(hits.map((h) => h.chunkId)).toEqual(exact(few, chunkIds, q, 10).map((h) => h.chunkId));
    }
    // An iterative scan that gives up early (it stops after hnsw.max_scan_tuples) leaves the exact ranking to find them.
    await database.exec('SET hnsw.max_scan_tuples = 1');
    try {
      for (const q of clusteredVectors(3, DIMS, { draw: 14 })) {
        const hits = await repo.nearestChunks(DIMS, libraryId, q, 10);
        expect(hits.map((h) => h.chunkId)).toEqual(exact(few, chunkIds, q, 10).map((h) => h.chunkId));
      }
    } finally {
      await database.exec('RESET hnsw.max_scan_tuples');
    }
  }, 60_000);

  it('switches a schema to pgvector once its database has the extension; until then nodes scan, and both answer alike', async () => {
    const db = await PGlite.create({ extensions: { vector } });
    try {
      const [{ name }] = (await db.query<{ name: string }>('SELECT current_database() AS name')).rows as [{ name: string }];
      await db.exec(`CREATE ROLE app; GRANT CREATE ON DATABASE ${name} TO app; SET ROLE app`);
      // The extension is on offer but this role may not create it: the node scans, and says why.
      const before = await openOn(db);
      expect(before.vectorSearch).toEqual({
        path: 'node-scan',
        approximateFrom: 100_000,
        reason: expect.stringMatching(/permission denied/),
      });
      const vectors = clusteredVectors(300, DIMS);
      const { libraryId } = await publishVectors(before, 'lib', vectors);
      const q = clusteredVectors(1, DIMS, { draw: 13 })[0]!;
      const scanned = await before.nearestChunks(DIMS, libraryId, q, 10);
      // A superuser node: creates the extension, adds the column (filled from the stored vectors) and the index.
      await db.exec('RESET ROLE');
      const after = await openOn(db);
      expect(after.vectorSearch).toMatchObject({ path: 'pgvector' });
      const { rows } = await db.query('SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [
        SCHEMA,
        `chunk_vectors_hnsw_${DIMS}`,
      ]);
      expect(rows).toHaveLength(1);
      const indexed = await after.nearestChunks(DIMS, libraryId, q, 10);
      expect(indexed.map((h) => h.chunkId)).toEqual(scanned.map((h) => h.chunkId));
      indexed.forEach((h, i) => expect(h.distance).toBeCloseTo(scanned[i]!.distance, 5));
      // The node opened before keeps scanning, and sees what the other publishes.
      const { libraryId: added } = await publishVectors(after, 'added', vectors.slice(0, 20));
      expect((await before.nearestChunks(DIMS, added, q, 3)).map((h) => h.chunkId)).toEqual(
        (await after.nearestChunks(DIMS, added, q, 3)).map((h) => h.chunkId),
      );
    } finally {
      for (const closable of opened.splice(0)) await closable.close();
      await db.close();
    }
  }, 120_000);

  it('keeps storing vectors after DROP EXTENSION vector CASCADE, and prepares the schema again when the extension returns', async () => {
    const db = await PGlite.create({ extensions: { vector } });
    try {
      const first = await openOn(db);
      expect(first.vectorSearch).toMatchObject({ path: 'pgvector' });
      await publishVectors(first, 'lib', clusteredVectors(50, DIMS));
      await db.exec('DROP EXTENSION vector CASCADE');
      // A dimension never stored before: its index cannot be made now, and the write must not fail for it.
      const wider = clusteredVectors(20, 2 * DIMS).map((v, i) => ({ text: `wide ${i}`, vector: [...v] }));
      await publishDocuments(first, 'wide', [{ source: 'wide', chunks: wider }], { dims: 2 * DIMS });
      const again = await openOn(db);
      expect(again.vectorSearch).toMatchObject({ path: 'pgvector' });
      const { rows } = await db.query<{ indexname: string }>(
        'SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE $2',
        [SCHEMA, 'chunk_vectors_hnsw_%'],
      );
      expect(rows.map((r) => r.indexname).sort()).toEqual([`chunk_vectors_hnsw_${2 * DIMS}`, `chunk_vectors_hnsw_${DIMS}`]);
      const [wide] = (await again.listLibraries()).filter((l) => l.name === 'wide');
      expect(await again.nearestChunks(2 * DIMS, wide!.id, Int8Array.from(wider[3]!.vector), 3)).toHaveLength(3);
    } finally {
      for (const closable of opened.splice(0)) await closable.close();
      await db.close();
    }
  }, 120_000);
});
