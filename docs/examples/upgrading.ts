/**
 * Upgrading: start refuses a database migrated by a newer @carrel/tasks. Run by
 * packages/tasks/test/docs-examples.test.ts; quoted in docs/upgrading.md.
 *
 * @module
 */
//#region schema-too-new
import { SchemaTooNewError, TaskEngine, type AnyTaskHandler } from '@carrel/tasks';
import { SqliteTaskStore } from '@carrel/tasks/sqlite';

/** Starts an engine, or explains why this deployment cannot use the database. */
export async function startOrExplain(path: string, handlers: Record<string, AnyTaskHandler>): Promise<TaskEngine | string> {
  const engine = new TaskEngine({ store: new SqliteTaskStore({ path }), handlers });
  try {
    await engine.start(); // applies pending migrations, each once, whoever gets there first
    return engine;
  } catch (error) {
    await engine.store.close();
    // A newer release migrated this file: older code must not write rows the new schema forbids.
    if (error instanceof SchemaTooNewError) return `${error.message} (found ${error.found}, supported ${error.supported})`;
    throw error;
  }
}
//#endregion
