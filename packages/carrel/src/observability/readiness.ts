/**
 * Whether this node can serve (`/readyz`): its task store answers with its migrations applied, and
 * so does its knowledge base (opened here if no request has opened it yet). Each check is given a
 * few seconds: a database that hangs is as unready as one that refuses.
 *
 * @module
 */
import type { CarrelRuntime } from '../app/runtime.js';

const CHECK_TIMEOUT_MS = 5_000;

/** Null when ready; otherwise why not, in a sentence naming the part that failed. */
export async function notReadyReason(runtime: Pick<CarrelRuntime, 'engine' | 'kb'>): Promise<string | null> {
  // A read of an id no task has: it needs the tables (a store not migrated refuses it) and the connection.
  const tasks = await failure(() => runtime.engine.store.get('readiness-probe'));
  if (tasks !== null) return `The task store is not ready: ${tasks}`;
  const kb = await failure(async () => (await runtime.kb.get()).listLibraries());
  if (kb !== null) return `The knowledge base is not ready: ${kb}`;
  return null;
}

async function failure(check: () => Promise<unknown>): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      check().then(
        () => null,
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
