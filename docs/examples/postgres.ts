/**
 * Choosing a backend: the PostgreSQL store. Compiled in CI (tsconfig.tests.json), not run by the
 * docs test; the contract suite runs this backend against a real PostgreSQL.
 *
 * @module
 */
//#region postgres
import { TaskEngine, type AnyTaskHandler } from '@carrel/tasks';
import { PostgresTaskStore } from '@carrel/tasks/postgres';

/** Starts a node of a cluster: every process pointed at the same database and schema shares the tasks. */
export async function startNode(handlers: Record<string, AnyTaskHandler>): Promise<TaskEngine> {
  const store = new PostgresTaskStore({
    connectionString: process.env.DATABASE_URL, // or `pool`: your own pg.Pool (not closed by store.close())
    schema: 'carrel', // the default; tables, migrations and the NOTIFY channel live here
  });
  const engine = new TaskEngine({ store, handlers });
  await engine.start(); // migrates under an advisory lock: safe from every node at once
  return engine;
}
//#endregion
