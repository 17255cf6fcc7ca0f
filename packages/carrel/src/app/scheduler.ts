/**
 * Runs connector schedules in a server process (`carrel serve`, `carrel mcp`). On each tick it
 * claims, in the database, the slots due (a compare-and-set only one process wins, see
 * `store/sqlite/connector-schedules.ts`) and starts a `sync_connector` task for each, so several servers
 * on one data dir run each slot once.
 *
 * - **Owner.** A scheduled sync belongs to the local user, like a `carrel sync` or a stdio client's
 *   call: it shows in `carrel tasks`, and its unique key is the tool's own, so a slot that comes
 *   while a sync of the same connector is still live joins that task instead of starting a second.
 * - **Missed slots.** Slots that passed while no server ran are coalesced: the first tick after
 *   start-up runs one catch-up sync and moves the schedule to its first slot after now, never a burst.
 * - **Lost claims.** A process that dies between claiming a slot and creating its task loses that
 *   slot (the next one runs as usual); the claim is never retried, so a slot never runs twice.
 *
 * @module
 */
import type { TaskEngine } from '@carrel/tasks';
import { toolHandlerName, toolUniqueKey, type AnyToolDefinition, type ToolTaskInput } from '@carrel/tasks/mcp';
import type { KnowledgeBaseHandle } from './knowledge-base-handle.js';

/** A slot this process claimed, and the task that syncs it. */
export interface ScheduledSync {
  connector: string;
  /** The slot's time (ms since the epoch). */
  slot: number;
  taskId: string;
  /** False when a sync of the connector was already live and the slot joined it. */
  started: boolean;
}

/** What the scheduler needs from its process. */
export interface SchedulerOptions {
  kb: KnowledgeBaseHandle;
  engine: TaskEngine;
  tools: readonly AnyToolDefinition[];
  /** The owner of scheduled sync tasks (the local user). */
  owner: string;
  /** Time between ticks (default 15 s: a slot runs at most that late). */
  tickMs?: number;
  /** The clock ticks read (tests drive `tick(now)` instead). */
  now?: () => number;
  onError?: (error: unknown) => void;
}

const SYNC_TOOL = 'sync_connector';
const DAY_MS = 24 * 3_600_000;

/** See module comment. */
export class ConnectorScheduler {
  readonly #o: SchedulerOptions;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#o = options;
  }

  /** Ticks now, then every `tickMs`, until `stop`. */
  start(): void {
    const loop = () => {
      if (this.#stopped) return;
      this.#ticking = this.tick((this.#o.now ?? Date.now)())
        .catch((error: unknown) => (this.#o.onError ?? console.error)(error))
        .finally(() => {
          if (this.#stopped) return;
          this.#timer = setTimeout(loop, this.#o.tickMs ?? 15_000);
          this.#timer.unref();
        });
    };
    loop();
  }

  /** Stops ticking; resolves once a tick under way has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#ticking;
  }

  /**
   * Claims the slots due at `now` and starts (or joins) a sync task for each, one connector at a
   * time: a connector whose task cannot be created is reported and does not hold up the others.
   */
  async tick(now: number): Promise<ScheduledSync[]> {
    const tool = this.#o.tools.find((t) => t.name === SYNC_TOOL);
    if (!tool) throw new Error(`No ${SYNC_TOOL} tool to schedule`);
    const kb = await this.#o.kb.get();
    const syncs: ScheduledSync[] = [];
    for (const { connector, slot } of await kb.dueSyncs(now)) {
      try {
        if (!(await kb.claimSlot(connector, slot, now))) continue;
        const args = { connector };
        const input: ToolTaskInput = { arguments: args, answers: {} };
        const uniqueKey = toolUniqueKey(tool, args);
        const { task, created } = await this.#o.engine.create({
          handler: toolHandlerName(SYNC_TOOL),
          input,
          owner: this.#o.owner,
          ttlMs: DAY_MS,
          ...(uniqueKey !== undefined && { uniqueKey }),
        });
        await kb.recordSlotTask(connector, slot, task.id);
        syncs.push({ connector, slot, taskId: task.id, started: created });
      } catch (error) {
        (this.#o.onError ?? console.error)(error);
      }
    }
    return syncs;
  }
}
