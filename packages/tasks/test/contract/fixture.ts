/**
 * Per-test plumbing for the contract suite: a fresh database per test, engines with fast timings
 * that are always stopped, and small waiting helpers that wait for events rather than sleeping.
 */
import { afterEach, beforeEach } from 'vitest';
import { TaskEngine, type AnyTaskHandler, type TaskEngineOptions, type TaskStore } from '@carrel/tasks';
import type { BackendHarness, TestDatabase } from '../support/harness.js';

export interface ContractFixture {
  harness: BackendHarness;
  /** The current test's database. */
  db(): TestDatabase;
  /** A started engine on a new store connection to the current database (a new "node"). */
  engine(handlers: Record<string, AnyTaskHandler>, options?: Partial<TaskEngineOptions>): Promise<TaskEngine>;
  /** A started engine reusing `store` (same node, e.g. after a restart of the engine only). */
  engineOn(store: TaskStore, handlers: Record<string, AnyTaskHandler>, options?: Partial<TaskEngineOptions>): Promise<TaskEngine>;
}

/** Timings that keep the suite fast: short leases, frequent upkeep, quick fallback polls. */
export const FAST = { leaseMs: 1_000, pollMs: 50, maintenanceMs: 50 } as const;

export function useContractFixture(harness: BackendHarness): ContractFixture {
  let current: TestDatabase | null = null;
  const engines: TaskEngine[] = [];

  beforeEach(async () => {
    current = await harness.createDatabase();
  });

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((e) => e.stop()));
    await current?.drop();
    current = null;
  });

  const engineOn = async (store: TaskStore, handlers: Record<string, AnyTaskHandler>, options: Partial<TaskEngineOptions> = {}) => {
    const engine = new TaskEngine({ store, handlers, ...FAST, onError: () => {}, ...options });
    engines.push(engine);
    await engine.start();
    return engine;
  };

  return {
    harness,
    db: () => {
      if (!current) throw new Error('no database: called outside a test');
      return current;
    },
    engineOn,
    engine: async (handlers, options) => engineOn(await current!.open(), handlers, options),
  };
}

/** Resolves when `check` returns a value other than undefined/false; polls briefly as a last resort. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, everyMs = 10 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A promise with its resolve function exposed, for handlers the test steers. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves with the signal's reason once it aborts. */
export function aborted(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(signal.reason);
    else signal.addEventListener('abort', () => resolve(signal.reason), { once: true });
  });
}
