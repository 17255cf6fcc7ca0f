/**
 * The PostgreSQL backend for the contract suite. Each test database is a fresh schema
 * (`t_<random>`) on the run's shared server, migrated up front: creating and dropping a schema
 * takes a few milliseconds, a fresh database about a hundred.
 */
import { randomBytes } from 'node:crypto';
import { PostgresTaskStore } from '@carrel/tasks/postgres';
import pg from 'pg';
import { inject } from 'vitest';
import type { BackendHarness, TestDatabase } from './harness.js';

/** The test server's connection string (from the global setup, or `CARREL_TEST_PG_URL`). */
export function postgresUrl(): string {
  return inject('carrelPostgresUrl');
}

/** A new, empty, unmigrated schema name. */
export function freshSchemaName(): string {
  return `t_${randomBytes(8).toString('hex')}`;
}

/**
 * One small pool per test process for setting schemas up and dropping them. It lets the
 * process exit while idle, so it never has to be closed explicitly.
 */
let adminPool: pg.Pool | undefined;
function admin(connectionString: string): pg.Pool {
  adminPool ??= new pg.Pool({ connectionString, max: 2, idleTimeoutMillis: 1_000, allowExitOnIdle: true }).on('error', () => undefined);
  return adminPool;
}

/** Creates `schema` and applies the store's migrations to it. */
export async function migrateSchema(connectionString: string, schema: string): Promise<void> {
  const store = new PostgresTaskStore({ pool: admin(connectionString), schema });
  await store.migrate();
  await store.close();
}

/** Drops a test schema and everything in it. */
export async function dropSchema(connectionString: string, schema: string): Promise<void> {
  await admin(connectionString).query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
}

export const postgresHarness: BackendHarness = {
  name: 'postgres',
  async createDatabase(): Promise<TestDatabase> {
    const connectionString = postgresUrl();
    const schema = freshSchemaName();
    const stores: PostgresTaskStore[] = [];
    await migrateSchema(connectionString, schema);
    return {
      locator: { backend: 'postgres', connectionString, schema },
      async open() {
        const store = new PostgresTaskStore({ connectionString, schema });
        stores.push(store);
        return store;
      },
      async drop() {
        await Promise.all(stores.map((store) => store.close()));
        await dropSchema(connectionString, schema);
      },
    };
  },
};
