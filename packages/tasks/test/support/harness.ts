/**
 * How the contract suite reaches a backend. Each test asks for a fresh, empty database; every
 * `open()` on it returns a new store connected to that same database, so two engines on two
 * stores behave as two nodes. `locator` tells a child process how to open the same database.
 */
import type { TaskStore } from '@carrel/tasks';

export type StoreLocator = { backend: 'sqlite'; path: string } | { backend: 'postgres'; connectionString: string; schema: string };

export interface TestDatabase {
  open(): Promise<TaskStore>;
  /** Null for backends that live inside one process (memory). */
  locator: StoreLocator | null;
  /** Closes every store opened on it and removes the database. */
  drop(): Promise<void>;
}

export interface BackendHarness {
  name: 'memory' | 'sqlite' | 'postgres';
  createDatabase(): Promise<TestDatabase>;
}
