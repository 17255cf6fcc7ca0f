/**
 * A database of its own on the test run's PostgreSQL server, for tests that run Carrel on
 * PostgreSQL as a user would (`--database-url`): created empty, dropped after the test file.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { postgresUrl } from '../../../tasks/test/support/postgres-harness.js';

const databases: string[] = [];
const server = postgresUrl();

async function admin<T>(body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** The URL of a new, empty database on the test server, dropped after the file. */
export async function freshDatabase(): Promise<string> {
  const name = `carrel_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  databases.push(name);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  for (const name of databases.splice(0))
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
});
