/** The task a store test inserts directly, shared by the backend tests. */
import type { NewTask } from '@carrel/tasks';

let counter = 0;

/** A task as the engine would hand it to `insert`, due now, with no TTL or key unless overridden. */
export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  const now = Date.now();
  counter++;
  return {
    // The pid keeps ids apart when several test processes write one database.
    id: `task-${process.pid}-${counter}-${Math.random().toString(36).slice(2)}`,
    owner: 'alice',
    handler: 'job',
    input: { n: counter },
    createdAt: now,
    ttlMs: null,
    expiresAt: null,
    pollIntervalMs: 1_000,
    maxAttempts: 3,
    runAt: now,
    uniqueKey: null,
    uniqueUntil: null,
    parentId: null,
    meta: {},
    retryOf: null,
    ...overrides,
  };
}
