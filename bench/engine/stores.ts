/** Opening a Carrel store from a serializable locator, so a child process can reach the same data. */
import type { TaskStore } from '@carrel/tasks';

export type BenchLocator =
  { backend: 'memory' } | { backend: 'sqlite'; path: string } | { backend: 'postgres'; connectionString: string; schema: string };

export async function openBenchStore(locator: BenchLocator): Promise<TaskStore> {
  switch (locator.backend) {
    case 'memory': {
      const { MemoryTaskStore } = await import('@carrel/tasks');
      return new MemoryTaskStore();
    }
    case 'sqlite': {
      const { SqliteTaskStore } = await import('@carrel/tasks/sqlite');
      return new SqliteTaskStore({ path: locator.path });
    }
    case 'postgres': {
      const { PostgresTaskStore } = await import('@carrel/tasks/postgres');
      return new PostgresTaskStore({ connectionString: locator.connectionString, schema: locator.schema });
    }
  }
}
