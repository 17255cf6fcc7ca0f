/**
 * Periodic upkeep every node runs: rescue tasks whose worker died (expired leases, or leases of a
 * worker the engine knows is dead, see `dead-workers.ts`) and reap
 * tasks whose TTL has passed. Both are idempotent store operations, so several nodes running
 * them at once is harmless; nothing here builds SQL.
 *
 * @module
 */
import type { TaskStore } from '../store.js';

export interface MaintenanceOptions {
  store: TaskStore;
  intervalMs: number;
  reapBatch: number;
  now(): number;
  /** Of the workers holding leases, those known to be dead (their leases are rescued at once); omitted: none are known. */
  deadWorkers?: (holders: string[]) => string[];
  onError(error: unknown): void;
}

export class Maintenance {
  #timer: NodeJS.Timeout | null = null;
  #busy: Promise<void> | null = null;

  constructor(private readonly options: MaintenanceOptions) {}

  start(): void {
    this.#timer = setInterval(() => void this.runOnce(), this.options.intervalMs);
    this.#timer.unref();
    void this.runOnce();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#busy;
  }

  /** One pass: rescue, then reap until a batch comes back short. */
  runOnce(): Promise<void> {
    this.#busy ??= (async () => {
      const { store, reapBatch } = this.options;
      try {
        const now = this.options.now();
        const dead = this.options.deadWorkers ? this.options.deadWorkers(await store.leaseHolders({ now })) : [];
        await store.rescueExpiredLeases({ now, ...(dead.length > 0 && { deadWorkers: dead }) });
        while ((await store.reapExpired({ now: this.options.now(), limit: reapBatch })).length === reapBatch);
      } catch (error) {
        this.options.onError(error);
      }
    })().finally(() => {
      this.#busy = null;
    });
    return this.#busy;
  }
}
