/**
 * Knowledge-base repositories on a PostgreSQL server for a test file: the contract suite's fixture
 * (test/store/contract/) and the helpers around it. Each store is a pair of schemas (the tasks'
 * and the knowledge base's) in the one database, emptied for each test; each `open` a repository
 * (a pool) of its own, as another node's. Everything opened is closed after each test, every
 * schema dropped after the file.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach } from 'vitest';
import { PostgresTaskStore } from '@carrel/tasks/postgres';
import type { KnowledgeRepository } from '../../src/store/repository.js';
import { PostgresRepository } from '../../src/store/postgres/index.js';
import type { RepositoryFixture } from '../store/contract/fixture.js';

/** The fixture named `name` on the server `url()` returns (asked once the first test runs). */
export function postgresRepositories(name: string, url: () => string) {
  const opened: { close(): Promise<void> }[] = [];
  const schemas: string[] = [];
  afterEach(async () => {
    for (const closable of opened.splice(0)) await closable.close();
  });

  let adminPool: pg.Pool | undefined;
  const admin = () => (adminPool ??= new pg.Pool({ connectionString: url(), max: 2 }));
  afterAll(async () => {
    for (const schema of schemas.splice(0)) await admin().query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await adminPool?.end();
  });

  /** A new schema name, dropped after the file's tests. */
  function freshSchema(prefix: string): string {
    const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return schema;
  }

  /**
   * The schemas every contract test uses, migrated once per file; each test empties their tables
   * (and restarts their ids) first, which costs a few milliseconds where migrating a fresh pair
   * costs most of a second.
   */
  let contractSchemas: Promise<{ schema: string; tasksSchema: string }> | undefined;
  async function emptySchemas(): Promise<{ schema: string; tasksSchema: string }> {
    contractSchemas ??= (async () => {
      const names = { schema: freshSchema('kb'), tasksSchema: freshSchema('t') };
      const tasks = new PostgresTaskStore({ connectionString: url(), schema: names.tasksSchema });
      await tasks.migrate();
      await tasks.close();
      await (await PostgresRepository.open({ connectionString: url(), schema: names.schema })).close();
      return names;
    })();
    const names = await contractSchemas;
    const { rows } = await admin().query<{ name: string }>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
       WHERE table_schema = ANY($1) AND table_type = 'BASE TABLE' AND table_name NOT LIKE '%migrations'`,
      [[names.schema, names.tasksSchema]],
    );
    await admin().query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY CASCADE`);
    return names;
  }

  const fixture: RepositoryFixture = {
    name,
    async store() {
      const connectionString = url();
      const { schema, tasksSchema } = await emptySchemas();
      return {
        async open(): Promise<KnowledgeRepository> {
          const repo = await PostgresRepository.open({ connectionString, schema, tasksSchema, maxConnections: 4 });
          opened.push(repo);
          return repo;
        },
        async tasks() {
          const store = new PostgresTaskStore({ connectionString, schema: tasksSchema });
          opened.push(store);
          return store;
        },
      };
    },
  };

  return { fixture, opened, admin, freshSchema, emptySchemas };
}
