// TEMPORARY shim until @carrel/tasks exports TaskCompletion and completeInTransaction.
import type { Database } from 'better-sqlite3';
export interface TaskCompletion {
  taskId: string;
  worker: string;
  outcome: { result: unknown };
}
export function completeInTransaction(_db: Database, _completion: TaskCompletion, _options: { now: number }): boolean {
  throw new Error('completeInTransaction is not available yet');
}
