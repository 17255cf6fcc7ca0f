/**
 * Vitest global setup: one PostgreSQL server for the whole `vitest run`, shared by every test
 * file through `inject('carrelPostgresUrl')`. Set `CARREL_TEST_PG_URL` to use an existing server
 * instead (tests create and drop their own schemas in it).
 */
import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection string to the test PostgreSQL server. */
    carrelPostgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const external = process.env.CARREL_TEST_PG_URL;
  if (external) {
    project.provide('carrelPostgresUrl', external);
    return;
  }
  const server = await startPostgres();
  project.provide('carrelPostgresUrl', server.url);
  return () => server.stop();
}
