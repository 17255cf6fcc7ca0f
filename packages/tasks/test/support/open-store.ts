/** Opens a store from a locator: how a child process reaches the test's database. */
import type { TaskStore } from '@carrel/tasks';
import type { StoreLocator } from './harness.js';

export async function openStore(locator: StoreLocator): Promise<TaskStore> {
  if (locator.backend === 'sqlite') {
    const { SqliteTaskStore } = await import('@carrel/tasks/sqlite');
    return new SqliteTaskStore({ path: locator.path });
  }
  const { PostgresTaskStore } = await import('@carrel/tasks/postgres');
  return new PostgresTaskStore({ connectionString: locator.connectionString, schema: locator.schema });
}
